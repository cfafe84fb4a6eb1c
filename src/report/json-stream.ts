/**
 * JSON written as it is produced: arrays one element at a time (outputs never hold all records in memory), and
 * each value rendered in one pass straight into the file, not built as a string first.
 */
import { BufferedFile } from './buffered-file.js';

/** Where rendered text goes: a buffered file, or a string collector (tests, small files). */
export interface TextSink {
  write(text: string): void;
}

/** Renders one value into a sink, in one pass. */
export type JsonRender = (out: TextSink, value: unknown) => void;

/** Collects what is written, for callers that need the text itself. */
export class StringSink implements TextSink {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

/** How an array file is laid out around its elements. */
export interface ArrayLayout {
  readonly open: string;
  readonly separator: string;
  readonly end: string;
}

export class JsonArrayWriter {
  private readonly file: BufferedFile;
  private readonly render: JsonRender;
  private count = 0;
  private closed = false;

  /**
   * `format` renders one element: as a string (`(value) => string`), or streamed into the file
   * (`{ render: (out, value) => void }`, what `nativeJson`/`pyJsonElement`-style renderers give, no string per element).
   */
  constructor(
    readonly path: string,
    format: ((value: unknown) => string) | { readonly render: JsonRender },
    private readonly separator = ',\n',
    private readonly open = '[\n',
    private readonly end = '\n]\n',
    mode = 0o644,
  ) {
    this.render = typeof format === 'function' ? (out, value) => out.write(format(value)) : format.render;
    this.file = new BufferedFile(path, mode);
  }

  /** An array file with `layout` around elements streamed by `render`. */
  static streaming(path: string, render: JsonRender, layout: ArrayLayout, mode = 0o644): JsonArrayWriter {
    return new JsonArrayWriter(path, { render }, layout.separator, layout.open, layout.end, mode);
  }

  write(value: unknown): void {
    if (this.closed) throw new Error(`${this.path}: already closed`);
    this.file.write(this.count++ === 0 ? this.open : this.separator);
    this.render(this.file, value);
  }

  /** An element already rendered and encoded as UTF-8 (by a worker thread of the pool). */
  writeEncoded(bytes: Uint8Array): void {
    if (this.closed) throw new Error(`${this.path}: already closed`);
    this.file.write(this.count++ === 0 ? this.open : this.separator);
    this.file.writeEncoded(bytes);
  }

  get written(): number {
    return this.count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // An empty array is written as `[]`, the way JSON.stringify and Python's json.dump write it.
    this.file.write(this.count === 0 ? `[]${this.end.slice(this.end.indexOf(']') + 1)}` : this.end);
    this.file.close();
  }
}

/**
 * The layout of `JSON.stringify(list, null, indent)` (and of Python's `json.dump(list, indent=indent)`) with a
 * trailing `end`: elements rendered at depth 1 by `writeJson(out, v, indent, 1)` / `writePyJson(out, v, indent, 1)`.
 */
export function indentedArrayLayout(indent: number, end = '\n]\n'): ArrayLayout {
  const pad = ' '.repeat(indent);
  return { open: `[\n${pad}`, separator: `,\n${pad}`, end };
}

/** Native records: one compact JSON value per line inside the array. */
export const compactArrayLayout: ArrayLayout = { open: '[\n', separator: ',\n', end: '\n]\n' };

/**
 * Writes `value` exactly as `JSON.stringify(value, null, indent)` renders it, as if it sat `depth` levels deep
 * in an indented document (its inner lines are indented `depth` levels more; the first line is not).
 * Compact (`indent` 0) is JSON.stringify itself: V8's one native pass is faster than any walk in JavaScript.
 */
export function writeJson(out: TextSink, value: unknown, indent = 0, depth = 0): void {
  if (indent === 0) {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new TypeError(`not representable as JSON: ${typeof value}`);
    out.write(text);
    return;
  }
  const gap = ' '.repeat(Math.min(10, indent)); // JSON.stringify caps the indent at 10 spaces
  const resolved = serialisable(value, '');
  if (isOmitted(resolved)) throw new TypeError(`not representable as JSON: ${typeof value}`);
  writeResolved(out, resolved, gap, `\n${gap.repeat(depth)}`, []);
}

/** A value as JSON sees it (ECMA-262 SerializeJSONProperty): after `toJSON`, boxed primitives unboxed. */
function serialisable(value: unknown, key: string | number): unknown {
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean || value instanceof BigInt) return value.valueOf();
  return value;
}

/** What JSON leaves out: `null` in its place in an array, the key skipped in an object. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function writeResolved(out: TextSink, value: unknown, gap: string, newline: string, stack: object[]): void {
  switch (typeof value) {
    case 'string':
      return out.write(JSON.stringify(value));
    case 'number':
      return out.write(Number.isFinite(value) ? String(value) : 'null');
    case 'boolean':
      return out.write(value ? 'true' : 'false');
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
  }
  if (value === null) return out.write('null');
  const container = value as object;
  if (stack.includes(container)) throw new TypeError('Converting circular structure to JSON');
  stack.push(container);
  if (Array.isArray(container)) writeArray(out, container, gap, newline, stack);
  else writeObject(out, container, gap, newline, stack);
  stack.pop();
}

function writeArray(out: TextSink, list: readonly unknown[], gap: string, newline: string, stack: object[]): void {
  if (list.length === 0) return out.write('[]');
  const inner = newline + gap;
  for (let i = 0; i < list.length; i++) {
    out.write(i === 0 ? `[${inner}` : `,${inner}`);
    const element = serialisable(list[i], i);
    if (isOmitted(element)) out.write('null');
    else writeResolved(out, element, gap, inner, stack);
  }
  out.write(`${newline}]`);
}

function writeObject(out: TextSink, object: object, gap: string, newline: string, stack: object[]): void {
  const inner = newline + gap;
  let first = true;
  for (const key of Object.keys(object)) {
    const member = serialisable((object as Record<string, unknown>)[key], key);
    if (isOmitted(member)) continue;
    out.write(`${first ? '{' : ','}${inner}${JSON.stringify(key)}: `);
    writeResolved(out, member, gap, inner, stack);
    first = false;
  }
  out.write(first ? '{}' : `${newline}}`);
}
