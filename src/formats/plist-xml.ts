/**
 * XML property lists (Apple's PropertyList-1.0 DTD), read by a small dedicated reader rather than a general
 * XML parser, so that the values come out as the PlistValue type says:
 * - `<data>` is a Node Buffer (the `plist` package gives a Uint8Array, which `Buffer.isBuffer` rejects: an
 *   iTunes Info.plist's `iTunesMetadata` was silently dropped);
 * - `<integer>` is exact: a number up to ±2^53, a bigint beyond (as in binary plists), up to 2^64 − 1;
 * - hostile input stays bounded: a DOCTYPE with an internal subset (entity declarations) is refused, only
 *   the five predefined entities and character references are expanded, nesting and the number of values
 *   are limited by `plistLimits`, and everything else is linear in the input.
 *
 * Accepted: the prolog (`<?xml …?>`, comments, a DOCTYPE without internal subset), `<plist>` holding one
 * value, and the elements dict/key, array, string, integer, real, true, false, date, data and `<null/>`;
 * comments anywhere between elements, CDATA inside text.
 */
import { FormatError } from '../errors.js';
import { DecodeBudget, exactInteger, setEntry, type PlistDict, type PlistLimits, type PlistValue } from './plist-values.js';

const MIN_INTEGER = -(2n ** 63n);
const MAX_INTEGER = 2n ** 64n - 1n;
const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of an XML plist, decoded from UTF-8 or (with a byte-order mark) UTF-16. */
export function xmlPlistText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const le = Buffer.from(buf.subarray(2, 2 + ((buf.length - 2) & ~1)));
    le.swap16();
    return le.toString('utf16le');
  }
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface Tag {
  readonly name: string;
  readonly selfClosing: boolean;
  readonly at: number;
}

class XmlPlistReader {
  private pos = 0;
  private readonly budget: DecodeBudget;

  constructor(
    private readonly text: string,
    private readonly what: string,
    limits: PlistLimits,
  ) {
    this.budget = new DecodeBudget(what, limits, 'XML plist');
  }

  /** Details quote the input; line breaks in it are escaped so that the message stays one line. */
  private fail(detail: string, at = this.pos): never {
    const oneLine = detail.replace(/[\r\n\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw new FormatError(this.what, `malformed XML plist (${oneLine} at offset ${at})`);
  }

  read(): PlistValue {
    this.skipProlog();
    const root = this.openTag();
    if (root.name !== 'plist') this.fail(`root element <${root.name}> (expected <plist>)`, root.at);
    if (root.selfClosing) this.fail('an empty <plist> element', root.at);
    const value = this.value(0);
    this.skipMisc();
    this.closeTag('plist');
    this.skipMisc();
    if (this.pos < this.text.length) this.fail('content after </plist>');
    return value;
  }

  private skipProlog(): void {
    for (;;) {
      this.skipMisc();
      if (!this.text.startsWith('<!DOCTYPE', this.pos)) return;
      const end = this.text.indexOf('>', this.pos);
      const subset = this.text.indexOf('[', this.pos);
      if (subset >= 0 && (end < 0 || subset < end)) this.fail('a DOCTYPE with an internal subset (entity declarations are refused)');
      if (end < 0) this.fail('an unterminated DOCTYPE');
      this.pos = end + 1;
    }
  }

  /** Whitespace, comments and processing instructions. */
  private skipMisc(): void {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
      if (t.startsWith('<!--', this.pos)) this.pos = this.endOf('-->', 'comment');
      else if (t.startsWith('<?', this.pos)) this.pos = this.endOf('?>', 'processing instruction');
      else return;
    }
  }

  private endOf(terminator: string, kind: string): number {
    const end = this.text.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`an unterminated ${kind}`);
    return end + terminator.length;
  }

  private openTag(): Tag {
    const at = this.pos;
    const t = this.text;
    if (t[at] !== '<') this.fail(at >= t.length ? 'the end of the file (expected an element)' : 'text where an element was expected');
    const name = /^[A-Za-z_][\w.-]*/.exec(t.slice(at + 1, at + 65))?.[0];
    if (!name) this.fail('a malformed tag');
    let i = at + 1 + name.length;
    // Attributes are not used by any plist element; skip them, honouring quotes.
    let quote = '';
    for (; i < t.length; i++) {
      const c = t[i]!;
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>' || c === '<') break;
    }
    if (t[i] !== '>') this.fail(`an unterminated <${name}> tag`, at);
    this.pos = i + 1;
    return { name, selfClosing: t[i - 1] === '/', at };
  }

  private closeTag(name: string): void {
    const close = `</${name}`;
    if (!this.text.startsWith(close, this.pos)) this.fail(`no </${name}> where expected`);
    let i = this.pos + close.length;
    while (i < this.text.length && isSpace(this.text.charCodeAt(i))) i++;
    if (this.text[i] !== '>') this.fail(`a malformed </${name}> tag`);
    this.pos = i + 1;
  }

  private value(depth: number): PlistValue {
    this.skipMisc();
    const tag = this.openTag();
    this.budget.value();
    switch (tag.name) {
      case 'dict':
        return this.dict(tag, depth + 1);
      case 'array':
        return this.array(tag, depth + 1);
      case 'string':
        return this.textOf(tag);
      case 'integer':
        return this.integer(tag);
      case 'real':
        return this.real(tag);
      case 'true':
      case 'false':
        this.textOf(tag);
        return tag.name === 'true';
      case 'null':
        this.textOf(tag);
        return null;
      case 'date':
        return this.date(tag);
      case 'data':
        return this.data(tag);
      default:
        return this.fail(`an unexpected <${tag.name}> element (expected a plist value)`, tag.at);
    }
  }

  private dict(tag: Tag, depth: number): PlistDict {
    this.budget.depth(depth);
    const out: PlistDict = {};
    if (tag.selfClosing) return out;
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.closeTag('dict');
        return out;
      }
      const keyTag = this.openTag();
      if (keyTag.name !== 'key') this.fail(`<${keyTag.name}> where a <key> was expected in a <dict>`, keyTag.at);
      const key = this.textOf(keyTag);
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) this.fail(`key "${key.slice(0, 40)}" has no value`);
      setEntry(out, key, this.value(depth));
    }
  }

  private array(tag: Tag, depth: number): PlistValue[] {
    this.budget.depth(depth);
    const out: PlistValue[] = [];
    if (tag.selfClosing) return out;
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.closeTag('array');
        return out;
      }
      out.push(this.value(depth));
    }
  }

  /** Character content up to the element's end tag: text, entity and character references, CDATA, comments. */
  private textOf(tag: Tag): string {
    if (tag.selfClosing) return '';
    const t = this.text;
    let out = '';
    for (;;) {
      const lt = t.indexOf('<', this.pos);
      if (lt < 0) this.fail(`an unterminated <${tag.name}> element`, tag.at);
      out += this.decodeReferences(t.slice(this.pos, lt), this.pos);
      this.pos = lt;
      if (t.startsWith('<![CDATA[', lt)) {
        const end = t.indexOf(']]>', lt);
        if (end < 0) this.fail('an unterminated CDATA section');
        out += t.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (t.startsWith('<!--', lt)) {
        this.pos = this.endOf('-->', 'comment');
      } else {
        this.closeTag(tag.name);
        return out;
      }
    }
  }

  private decodeReferences(raw: string, at: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&<]{0,12});?/g, (whole, name: string, offset: number) => {
      if (!whole.endsWith(';')) this.fail('an "&" that does not start a reference', at + offset);
      const fromCode = (code: number): string => {
        if (!Number.isInteger(code) || code < 1 || code > 0x10ffff) this.fail(`an invalid character reference &${name};`, at + offset);
        return String.fromCodePoint(code);
      };
      if (/^#[0-9]{1,7}$/.test(name)) return fromCode(Number(name.slice(1)));
      if (/^#x[0-9a-fA-F]{1,6}$/.test(name)) return fromCode(parseInt(name.slice(2), 16));
      const predefined = PREDEFINED_ENTITIES[name];
      if (predefined === undefined) this.fail(`an undefined entity &${name}; (DTD entities are not expanded)`, at + offset);
      return predefined;
    });
  }

  private integer(tag: Tag): number | bigint {
    const raw = this.textOf(tag).trim();
    const m = /^([+-]?)(?:0x([0-9a-fA-F]{1,16})|([0-9]{1,20}))$/.exec(raw);
    if (!m) this.fail(`<integer> "${raw.slice(0, 40)}" is not an integer`, tag.at);
    const magnitude = m[2] !== undefined ? BigInt(`0x${m[2]}`) : BigInt(m[3]!);
    const value = m[1] === '-' ? -magnitude : magnitude;
    if (value < MIN_INTEGER || value > MAX_INTEGER) this.fail(`<integer> ${raw} outside the 64-bit range`, tag.at);
    return exactInteger(value);
  }

  private real(tag: Tag): number {
    const raw = this.textOf(tag).trim();
    if (/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(raw)) return Number(raw);
    const special = /^([+-]?)(nan|inf|infinity)$/i.exec(raw);
    if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
    return this.fail(`<real> "${raw.slice(0, 40)}" is not a number`, tag.at);
  }

  private date(tag: Tag): Date {
    const raw = this.textOf(tag).trim();
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/.test(raw) ? new Date(raw) : null;
    if (!date || Number.isNaN(date.getTime())) this.fail(`<date> "${raw.slice(0, 40)}" is not an ISO 8601 UTC date`, tag.at);
    return date;
  }

  private data(tag: Tag): Buffer {
    const raw = this.textOf(tag).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) this.fail('<data> that is not base64', tag.at);
    return Buffer.from(raw, 'base64');
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function decodeXmlPlist(text: string, what: string, limits: PlistLimits): PlistValue {
  // XML 1.0 §2.11: a parser reads CR LF and a lone CR as LF (a character reference &#13; still gives a CR).
  const normalised = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  return new XmlPlistReader(normalised, what, limits).read();
}
