/**
 * Python's renderings, for files that MVT users' scripts parse: `json.dump(indent=4, ensure_ascii=True)`,
 * `repr()` of a dict (alerts_timeline.csv), and `csv.writer` with QUOTE_ALL and backslash doubling.
 */
import { Moment } from '../../formats/time.js';
import { StringSink, type TextSink } from '../json-stream.js';

/** `json.dumps(value, indent=indent)` as MVT writes its files, as a string (small files; lists stream with writePyJson). */
export function pyJson(value: unknown, indent = 4, depth = 0): string {
  const out = new StringSink();
  writePyJson(out, value, indent, depth);
  return out.text;
}

/**
 * Writes `value` as Python's `json.dump(value, indent=indent, ensure_ascii=True)` does, in one pass, as if it sat
 * `depth` levels deep (inner lines indented `depth` levels more; the first line is not). Numbers are rendered
 * as JavaScript does (`String(n)`), non-finite ones as Python writes them (`NaN`, `Infinity`); timestamps as
 * MVT renders them; bytes decoded with backslashreplace; keys whose value is undefined are left out (an
 * undefined array element, or a hole, is `null`).
 */
export function writePyJson(out: TextSink, value: unknown, indent = 4, depth = 0): void {
  writePyValue(out, value, indent, `\n${' '.repeat(indent * depth)}`);
}

/** `newline` is a line break plus the indentation of the line the value's closing bracket goes on. */
function writePyValue(out: TextSink, value: unknown, indent: number, newline: string): void {
  const scalar = pyScalar(value);
  if (scalar !== undefined) return out.write(scalar);
  const inner = newline + ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return out.write('[]');
    for (let i = 0; i < value.length; i++) {
      const element = pyScalar(value[i]);
      // A scalar goes out with its separator in one write; only containers recurse.
      if (element !== undefined) out.write(`${i === 0 ? '[' : ','}${inner}${element}`);
      else {
        out.write(i === 0 ? `[${inner}` : `,${inner}`);
        writePyValue(out, value[i], indent, inner);
      }
    }
    return out.write(`${newline}]`);
  }
  // Any other object (and, as Python would not have them, functions and symbols) is a dict of its own keys.
  const dict = value as Record<string, unknown>;
  let first = true;
  for (const key of Object.keys(dict)) {
    const member = dict[key];
    if (member === undefined) continue;
    const head = `${first ? '{' : ','}${inner}${pyKey(key)}: `;
    first = false;
    const scalar = pyScalar(member);
    if (scalar !== undefined) out.write(head + scalar);
    else {
      out.write(head);
      writePyValue(out, member, indent, inner);
    }
  }
  out.write(first ? '{}' : `${newline}}`);
}

/** The rendering of anything but a list or a dict; undefined for those. */
function pyScalar(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (value === null) return 'null';
  if (value instanceof Moment) return pyString(value.mvt());
  if (value instanceof Date) return pyString(value.toISOString());
  if (Buffer.isBuffer(value)) return pyString(backslashReplace(value));
  return undefined;
}

/** Records of one kind repeat the same few keys: each is escaped once. */
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 10_000;

function pyKey(key: string): string {
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    quoted = pyString(key);
    // Keys from phone content (a plist dict's) could be endless: the cache stops growing, it never evicts.
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, quoted);
  }
  return quoted;
}

/** Printable ASCII other than `"` and `\\`: a string made only of these is written between quotes as it is. */
const NEEDS_ESCAPES = /[^ !#-[\]-~]/;
/** What JSON.stringify leaves as it is but `ensure_ascii` escapes: DEL and every non-ASCII UTF-16 unit. */
const NON_ASCII = /[\u007f-\uffff]/g;

/**
 * JSON string with every non-ASCII character escaped (`ensure_ascii=True`): JSON.stringify's escapes (quote,
 * backslash, `\b \f \n \r \t`, other controls and lone surrogates as lowercase `\u00xx`/`\udxxx`, as Python
 * writes them), then each remaining UTF-16 unit above `~` as `\uxxxx` (a pair as two escapes, as Python does).
 */
export function pyString(s: string): string {
  if (!NEEDS_ESCAPES.test(s)) return `"${s}"`;
  return JSON.stringify(s).replace(NON_ASCII, escapeUnit);
}

function escapeUnit(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Bytes decoded as UTF-8 with Python's `backslashreplace`: invalid bytes become `\xNN` text. */
export function backslashReplace(buf: Buffer): string {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(buf);
  } catch {
    let out = '';
    for (const b of buf) out += b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
  }
}

export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value instanceof Moment) return pyReprString(value.mvt());
  if (typeof value === 'string') return pyReprString(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (Buffer.isBuffer(value)) return `b'${backslashReplace(value)}'`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${pyReprString(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return quote + body + quote;
}

/** One CSV row as Python's csv.writer(quoting=QUOTE_ALL, escapechar='\\') writes it, CRLF-terminated. */
export function pyCsvRow(fields: readonly (string | number | null | undefined)[]): string {
  let row = '';
  for (let i = 0; i < fields.length; i++) {
    const f = String(fields[i] ?? '');
    row += `${i === 0 ? '"' : ',"'}${CSV_ESCAPED.test(f) ? f.replace(/\\/g, '\\\\').replace(/"/g, '""') : f}"`;
  }
  return `${row}\r\n`;
}

const CSV_ESCAPED = /["\\]/;
