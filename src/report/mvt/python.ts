/**
 * Python's renderings, for files that MVT users' scripts parse: `json.dump(indent=4, ensure_ascii=True)`,
 * `repr()` of a dict (alerts_timeline.csv), and `csv.writer` with QUOTE_ALL and backslash doubling.
 */
import { Moment } from '../../formats/time.js';

export function pyJson(value: unknown, indent = 4, depth = 0): string {
  const pad = ' '.repeat(indent * (depth + 1));
  const end = ' '.repeat(indent * depth);
  if (value === null || value === undefined) return 'null';
  if (value instanceof Moment) return pyString(value.mvt());
  if (value instanceof Date) return pyString(value.toISOString());
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? 'Infinity' : Number.isNaN(value) ? 'NaN' : '-Infinity';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Buffer.isBuffer(value)) return pyString(backslashReplace(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pyJson(v, indent, depth + 1)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${pyString(k)}: ${pyJson(v, indent, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** JSON string with every non-ASCII character escaped (`ensure_ascii=True`). */
export function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
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
  return `${fields.map((f) => `"${String(f ?? '').replace(/\\/g, '\\\\').replace(/"/g, '""')}"`).join(',')}\r\n`;
}
