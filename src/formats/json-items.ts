/**
 * The items of a large JSON list, or of JSON Lines, one at a time, straight from the bytes, fed in chunks of
 * any size (`JsonItemsReader`): only one item is ever held, as bytes and then as one JavaScript value, so a
 * files.json of 500,000 entries read from a stream costs one chunk and one item of memory, whatever its size
 * (and a file larger than V8's longest string, about 512 MB, is still read). JSON's structural characters are
 * ASCII, so scanning bytes is exact for UTF-8. Each item is then decoded with JSON.parse, which reports its own
 * damage. An item larger than `maxItemBytes`, or nested deeper than `maxDepth`, is skipped with why (the scan
 * goes on past it without keeping its bytes), so hostile input is bounded in memory however it is cut.
 *
 * The whole-buffer readers (`jsonArrayItems`, `jsonLinesItems`) are the same reader fed one chunk.
 */

export type JsonItem = { readonly ok: true; readonly value: unknown; readonly index: number } | { readonly ok: false; readonly reason: string; readonly index: number };
/** An item with the 1-based line it stands on (JSON Lines only). */
export type JsonLineItem = JsonItem & { readonly line: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A files.json entry is a few hundred bytes; an item a thousand times larger is not one, and is skipped. */
export const MAX_ITEM_BYTES = 1024 * 1024;
/** A files.json entry is one object deep; this bounds the scan, not JSON.parse (which V8 does without recursion). */
export const MAX_ITEM_DEPTH = 512;

function parseItem(bytes: Buffer, index: number): JsonItem {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown, index };
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message})`, index };
  }
}

/** The first byte that is not JSON white space (or a UTF-8 byte-order mark), from `from`. */
export function firstNonSpace(buf: Buffer, from = 0): number {
  let i = from;
  if (i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  while (i < buf.length && SPACE.has(buf[i]!)) i++;
  return i;
}

/**
 * How the input is read: `auto` decides from its first byte that is not white space (`[` a list, `{` JSON
 * Lines, nothing at all `empty`, anything else `neither a JSON list nor JSON lines`), the others are forced.
 */
export type JsonItemsMode = 'auto' | 'list' | 'lines';

type Phase =
  | 'detect' // before the first byte that is not white space
  | 'between' // in the list, before an item or its `]`
  | 'item' // in the list, inside an item
  | 'after' // past the list's `]`
  | 'lines'
  | 'done';

export interface JsonItemsOptions {
  readonly mode?: JsonItemsMode;
  readonly maxItemBytes?: number;
  readonly maxDepth?: number;
}

/**
 * Feed it chunks in order with `push` (consume each generator before the next push), then `end`, whose return
 * says how the input ended: `complete`, `truncated` (more than `max` items), or the damage that stopped it
 * (`the list is cut short`, `text after the end of the list`, `an unmatched } in the list`), or for `auto`
 * `empty` / `neither a JSON list nor JSON lines`, for `list` `not a JSON list`. Items read before the damage
 * were already yielded. Once `done`, the rest of the input is not needed (and is ignored).
 */
export class JsonItemsReader {
  private phase: Phase;
  private result = 'complete';
  /** The first bytes, until there are three: a byte-order mark may be cut between chunks. */
  private head: Buffer | null = Buffer.alloc(0);
  private index = 0;
  /** The current item's bytes from earlier chunks (none once it is past `maxItemBytes`). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private oversize = false;
  private tooDeep = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** JSON Lines: the current line's number, and whether its item has started (its first byte not white space). */
  private line = 1;
  private lineStarted = false;
  private readonly maxItemBytes: number;
  private readonly maxDepth: number;
  private readonly forcedList: boolean;

  constructor(
    private readonly max: number,
    options: JsonItemsOptions = {},
  ) {
    const mode = options.mode ?? 'auto';
    this.phase = mode === 'lines' ? 'lines' : 'detect';
    this.forcedList = mode === 'list';
    this.maxItemBytes = options.maxItemBytes ?? MAX_ITEM_BYTES;
    this.maxDepth = options.maxDepth ?? MAX_ITEM_DEPTH;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** Items yielded so far (entries and skipped ones alike). */
  get itemsRead(): number {
    return this.index;
  }

  *push(chunk: Buffer): Generator<JsonLineItem | JsonItem, void> {
    if (this.head !== null) {
      const head: Buffer = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      if (head.length < BOM.length && BOM.subarray(0, head.length).equals(head)) {
        this.head = head;
        return;
      }
      this.head = null;
      chunk = head.subarray(0, BOM.length).equals(BOM) ? head.subarray(BOM.length) : head;
    }
    yield* this.scan(chunk);
  }

  *end(): Generator<JsonLineItem | JsonItem, string> {
    if (this.head !== null) {
      // Fewer than three bytes, all a prefix of a byte-order mark: a lone mark is nothing, a part of one is a byte.
      const head = this.head;
      this.head = null;
      if (!head.equals(BOM)) yield* this.scan(head);
    }
    switch (this.phase) {
      case 'done':
        return this.result;
      case 'detect':
        return this.forcedList ? 'not a JSON list' : 'empty';
      case 'between':
      case 'item':
        return 'the list is cut short';
      case 'after':
        return 'complete';
      case 'lines':
        // The last line, without a newline.
        if (this.lineStarted) yield this.lineItem();
        return 'complete';
    }
  }

  private finish(result: string): void {
    this.phase = 'done';
    this.result = result;
    this.parts = [];
  }

  private *scan(chunk: Buffer): Generator<JsonLineItem | JsonItem, void> {
    let i = 0;
    while (i < chunk.length) {
      switch (this.phase) {
        case 'done':
          return;
        case 'detect': {
          while (i < chunk.length && SPACE.has(chunk[i]!)) {
            if (chunk[i] === NEWLINE) this.line++;
            i++;
          }
          if (i === chunk.length) return;
          const first = chunk[i]!;
          if (first === OPEN_LIST) {
            this.phase = 'between';
            i++;
          } else if (first === OPEN_OBJECT && !this.forcedList) {
            this.phase = 'lines';
          } else {
            this.finish(this.forcedList ? 'not a JSON list' : 'neither a JSON list nor JSON lines');
            return;
          }
          break;
        }
        case 'between': {
          while (i < chunk.length && SPACE.has(chunk[i]!)) i++;
          if (i === chunk.length) return;
          if (chunk[i] === CLOSE_LIST) {
            this.phase = 'after';
            i++;
            break;
          }
          if (this.index >= this.max) {
            this.finish('truncated');
            return;
          }
          this.startItem();
          this.phase = 'item';
          break;
        }
        case 'item': {
          const next = this.scanItem(chunk, i);
          if (next === -1) return;
          yield this.listItem(chunk, i, next);
          const stop = chunk[next]!;
          i = next + 1;
          if (stop === COMMA) this.phase = 'between';
          else if (stop === CLOSE_LIST) this.phase = 'after';
          // A `}` with nothing open ends no item and no list: stopping here is what keeps a hostile file from
          // yielding an empty item forever.
          else {
            this.finish('an unmatched } in the list');
            return;
          }
          break;
        }
        case 'after': {
          while (i < chunk.length && SPACE.has(chunk[i]!)) i++;
          if (i < chunk.length) this.finish('text after the end of the list');
          return;
        }
        case 'lines': {
          const nl = chunk.indexOf(NEWLINE, i);
          const stop = nl === -1 ? chunk.length : nl;
          if (!this.lineStarted) {
            while (i < stop && SPACE.has(chunk[i]!)) i++;
            if (i < stop) {
              if (this.index >= this.max) {
                this.finish('truncated');
                return;
              }
              this.startItem();
              this.lineStarted = true;
            }
          }
          if (this.lineStarted) this.keep(chunk.subarray(i, stop));
          if (nl === -1) return;
          if (this.lineStarted) yield this.lineItem();
          this.line++;
          i = nl + 1;
          break;
        }
      }
    }
  }

  private startItem(): void {
    this.parts = [];
    this.partsBytes = 0;
    this.oversize = false;
    this.tooDeep = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  private keep(part: Buffer): void {
    if (this.oversize || part.length === 0) return;
    if (this.partsBytes + part.length > this.maxItemBytes) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(part);
    this.partsBytes += part.length;
  }

  /**
   * Scans a list item from `from`: the offset of the byte that ends it (a `,` or closer at depth 0), or -1 when
   * the chunk ends first (its bytes are then kept for the next chunk).
   */
  private scanItem(chunk: Buffer, from: number): number {
    let i = from;
    for (; i < chunk.length; i++) {
      if (this.escaped) {
        this.escaped = false;
        continue;
      }
      if (this.inString) {
        // Most of a files.json is inside strings (paths, hashes): jump to the quote that ends this one.
        const close = stringEnd(chunk, i);
        if (close === -1) {
          this.escaped = oddBackslashesBefore(chunk, chunk.length, i);
          break;
        }
        this.inString = false;
        i = close;
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_LIST || c === OPEN_OBJECT) {
        if (++this.depth > this.maxDepth) this.tooDeep = true;
      } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
        if (this.depth === 0) return i;
        this.depth--;
      } else if (c === COMMA && this.depth === 0) return i;
    }
    this.keep(chunk.subarray(from));
    return -1;
  }

  private listItem(chunk: Buffer, from: number, to: number): JsonItem {
    this.keep(chunk.subarray(from, to));
    return this.decoded(this.index++);
  }

  private lineItem(): JsonLineItem {
    this.lineStarted = false;
    return { ...this.decoded(this.index++), line: this.line };
  }

  private decoded(index: number): JsonItem {
    const parts = this.parts;
    this.parts = [];
    if (this.oversize) return { ok: false, reason: `larger than ${this.maxItemBytes} bytes; not read`, index };
    if (this.tooDeep) return { ok: false, reason: `nested deeper than ${this.maxDepth} levels; not read`, index };
    return parseItem(parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.partsBytes), index);
  }
}

/**
 * The offset of the quote that ends a string whose unread part starts at `from` (no escape pending there), or
 * -1 when the chunk ends first. A quote ends it when an even number of backslashes stands before it (back to
 * `from`): each pair is one escaped backslash. Linear: each backslash run is counted once, at the quote after it.
 */
function stringEnd(chunk: Buffer, from: number): number {
  for (let q = chunk.indexOf(QUOTE, from); q !== -1; q = chunk.indexOf(QUOTE, q + 1)) {
    if (!oddBackslashesBefore(chunk, q, from)) return q;
  }
  return -1;
}

/** Whether an odd number of backslashes stands right before `at` (counting back no further than `from`). */
function oddBackslashesBefore(chunk: Buffer, at: number, from: number): boolean {
  let k = at - 1;
  while (k >= from && chunk[k] === BACKSLASH) k--;
  return (at - 1 - k) % 2 === 1;
}

/** Every item of a reader fed `chunks`, and how it ended (for whole buffers and tests). */
export function* readJsonItems<T extends JsonItem>(reader: JsonItemsReader, chunks: Iterable<Buffer>): Generator<T, string> {
  for (const chunk of chunks) {
    if (reader.done) break;
    yield* reader.push(chunk) as Generator<T, void>;
  }
  return yield* reader.end() as Generator<T, string>;
}

/**
 * The items of the JSON list that `buf` holds, in order, up to `max`. The generator's return says how it
 * ended: `complete`, `truncated` (more than `max` items) or the damage that stopped it (`the list is cut
 * short`, text after the list). Items read before the damage were already yielded.
 */
export function jsonArrayItems(buf: Buffer, max: number): Generator<JsonItem, string> {
  return readJsonItems<JsonItem>(new JsonItemsReader(max, { mode: 'list' }), [buf]);
}

/** JSON Lines: one item per non-empty line, up to `max` (`truncated` when more follow). */
export function jsonLinesItems(buf: Buffer, max: number): Generator<JsonLineItem, string> {
  return readJsonItems<JsonLineItem>(new JsonItemsReader(max, { mode: 'lines' }), [buf]);
}
