/**
 * A tiny, bounded reader for the block-style YAML subset the public feed index uses
 * (mvt-indicators/indicators.yaml): nested mappings and sequences by indentation, `- ` items (empty or
 * starting a mapping on the same line), plain or quoted scalars, `#` comments. No YAML package is in the
 * dependencies; this stays isolated here so that swapping it for `yaml@2` touches one file.
 *
 * Everything outside the subset (anchors, aliases, tags, block scalars, flow collections, multi-document
 * streams) is a clear error naming the line, never a guess: an index we misread would download the wrong
 * files. The input comes from the network, so size, line count and depth are bounded.
 */

export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue };

/** The real index is 7 KB; 1 MB is over a hundred times that. */
export const MAX_INDEX_BYTES = 1_000_000;
const MAX_LINES = 50_000;
const MAX_DEPTH = 16;

export class IndexYamlError extends Error {
  override readonly name = 'IndexYamlError';
}

interface Line {
  /** 1-based, for messages. */
  readonly no: number;
  readonly indent: number;
  readonly text: string;
}

export function parseIndexYaml(source: string): YamlValue {
  if (source.length > MAX_INDEX_BYTES) throw new IndexYamlError(`index is ${source.length} characters, over the ${MAX_INDEX_BYTES} limit`);
  const lines = toLines(source);
  if (lines.length === 0) return null;
  const reader = new Reader(lines);
  const value = reader.node(0);
  const rest = reader.peek();
  if (rest !== undefined) throw new IndexYamlError(`line ${rest.no}: unexpected indentation or content (expected the end of the block above)`);
  return value;
}

function toLines(source: string): Line[] {
  const raw = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (raw.length > MAX_LINES) throw new IndexYamlError(`index has ${raw.length} lines, over the ${MAX_LINES} limit`);
  const out: Line[] = [];
  raw.forEach((text, i) => {
    const no = i + 1;
    if (text.includes('\t') && /^\s*\t/.test(text)) throw new IndexYamlError(`line ${no}: tab indentation is not YAML`);
    const content = stripComment(text);
    if (content.trim() === '') return;
    if (/^(---|\.\.\.)(\s|$)/.test(content)) {
      // A leading document marker is harmless; a second document is not part of an index.
      if (out.length === 0 && content.startsWith('---')) return;
      throw new IndexYamlError(`line ${no}: several YAML documents (expected one index)`);
    }
    const indent = content.length - content.trimStart().length;
    out.push({ no, indent, text: content.trim() });
  });
  return out;
}

/** A `#` starts a comment at the line start or after a space, and never inside quotes. */
function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || text[i - 1] === ' ')) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

class Reader {
  private pos = 0;
  constructor(private readonly lines: Line[]) {}

  peek(): Line | undefined {
    return this.lines[this.pos];
  }

  /** The block at `indent` starting at the current line: a sequence or a mapping. */
  node(depth: number): YamlValue {
    if (depth > MAX_DEPTH) throw new IndexYamlError(`line ${this.peek()?.no ?? '?'}: nested deeper than ${MAX_DEPTH} levels`);
    const line = this.peek();
    if (line === undefined) return null;
    if (isDash(line.text)) return this.sequence(line.indent, depth);
    if (splitKey(line.text) !== null) return this.mapping(line.indent, depth);
    // A lone scalar as a whole document (or block): accepted, the caller checks the shape.
    this.pos++;
    return scalar(line.text, line.no);
  }

  private sequence(indent: number, depth: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.peek(); line !== undefined && line.indent === indent && isDash(line.text); line = this.peek()) {
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.pos++;
        const next = this.peek();
        items.push(next !== undefined && next.indent > indent ? this.node(depth + 1) : null);
        continue;
      }
      // `- key: value` opens a mapping whose keys sit at the column of `key`.
      const column = indent + (line.text.length - rest.length);
      if (splitKey(rest) !== null || isDash(rest)) {
        this.lines[this.pos] = { no: line.no, indent: column, text: rest };
        items.push(this.node(depth + 1));
        continue;
      }
      this.pos++;
      items.push(scalar(rest, line.no));
    }
    return items;
  }

  private mapping(indent: number, depth: number): { [key: string]: YamlValue } {
    const map: { [key: string]: YamlValue } = Object.create(null) as { [key: string]: YamlValue };
    for (let line = this.peek(); line !== undefined && line.indent === indent && !isDash(line.text); line = this.peek()) {
      const kv = splitKey(line.text);
      if (kv === null) throw new IndexYamlError(`line ${line.no}: expected "key: value"`);
      const key = unquote(kv.key, line.no);
      if (Object.prototype.hasOwnProperty.call(map, key)) throw new IndexYamlError(`line ${line.no}: key "${key}" given twice`);
      this.pos++;
      if (kv.value !== '') {
        map[key] = scalar(kv.value, line.no);
        continue;
      }
      const next = this.peek();
      if (next !== undefined && next.indent > indent) map[key] = this.node(depth + 1);
      // YAML lets a sequence under a key sit at the key's own indentation.
      else if (next !== undefined && next.indent === indent && isDash(next.text)) map[key] = this.sequence(indent, depth + 1);
      else map[key] = null;
    }
    return map;
  }
}

function isDash(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** `key: value` with an unquoted or quoted key; the value may be empty. URLs (`https://…`) are not keys. */
function splitKey(text: string): { key: string; value: string } | null {
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s"'#:][^:]*?)\s*:(?:\s+(.*))?$/.exec(text);
  if (m === null) return null;
  return { key: m[1] ?? '', value: (m[2] ?? '').trim() };
}

function scalar(text: string, no: number): string | null {
  const first = text[0];
  if (first === '&' || first === '*' || first === '!') throw new IndexYamlError(`line ${no}: anchors, aliases and tags are not supported in an index`);
  if (first === '|' || first === '>') throw new IndexYamlError(`line ${no}: block scalars are not supported in an index`);
  if (first === '[' || first === '{') throw new IndexYamlError(`line ${no}: flow collections are not supported in an index (use block style)`);
  if (text === '~' || text === 'null') return null;
  return unquote(text, no);
}

function unquote(text: string, no: number): string {
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new IndexYamlError(`line ${no}: unterminated single-quoted string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new IndexYamlError(`line ${no}: unterminated double-quoted string`);
    try {
      // JSON's escapes are a subset of YAML's double-quoted ones; the rest are refused rather than guessed.
      return JSON.parse(text) as string;
    } catch {
      throw new IndexYamlError(`line ${no}: unsupported escape in a double-quoted string`);
    }
  }
  return text;
}
