/**
 * Sorted runs of timeline lines, spilled to files and merged back in order (an external merge sort).
 *
 * A timeline entry is a sort key and the line a sink will print for it, already rendered (a CSV row with its
 * line break): sorting and merging never look inside a line, and writing the sorted timeline copies bytes, with
 * no decoding and no second rendering. A run is a list of entries sorted by key, stably (ties in arrival order),
 * in memory (MemoryRun) or in a spilled file, where each entry is framed by lengths
 * (`u32 key bytes, key (UTF-16LE: lossless for any string), u32 line bytes, line`) and the file is sealed with the store's ephemeral key
 * (evidence/sealed-scratch.ts), so it holds no event's text. The merge takes the smallest head of every run with
 * a binary heap, breaking ties by run number: runs are numbered in arrival order, so equal keys come out in
 * arrival order across runs too (the merge is stable).
 */
import type { ScratchSealer, SealedReader } from '../evidence/sealed-scratch.js';

/** An entry as a sink adds it: a line from this thread, or its UTF-8 bytes from a worker thread of the pool. */
export interface TimelineLine {
  readonly sortKey: string;
  readonly line: string | Uint8Array;
}

/** An entry read back in order. `bytes` stays valid after the reader moves on (runs are never written over while read). */
export interface SortedLine {
  readonly sortKey: string;
  readonly bytes: Buffer;
}

/** The next entry of a run without taking it, then taking it. */
export interface RunCursor {
  readonly head: SortedLine | undefined;
  advance(): void;
  close(): void;
}

/**
 * SQLite's order for TEXT, which the timeline had when it was sorted there: by the UTF-8 bytes it stored, i.e.
 * by code point, a lone surrogate counting as its own value (better-sqlite3 stores it as 3 bytes, WTF-8 style).
 * JavaScript's `<` compares UTF-16 units instead; the two differ only past U+D7FF.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 && y < 0xd800) return x - y;
  // A difference in the low half of a pair is a difference in the character the shared high half starts.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) {
    const order = a.codePointAt(i - 1)! - b.codePointAt(i - 1)!;
    if (order !== 0) return order;
  }
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const WIDE_UNIT = /[\ud800-\uffff]/;

/** A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_CHAR = 3;
const FIRST_CAPACITY_BYTES = 1 << 16;
/** A key's string header, its slot in `keys` and its line's offset in `starts`, roughly, on top of its characters. */
const KEY_OVERHEAD_BYTES = 32;
/** Sorted entries are gathered into writes of this size when a run is spilled. */
const SPILL_WRITE_BYTES = 1 << 18;
const LENGTH_BYTES = 4;

/**
 * The run being filled, kept out of the JavaScript heap: each entry's line in one reused buffer, and only its key
 * as a string (for the sort). Entries held as objects were promoted to the old generation while the run filled
 * and were garbage once it was spilled, and V8 let that garbage grow the heap to about four times what was live:
 * on a 100k-entry backup the timeline alone raised the check's peak RSS by ~60 MB (issue #8). A line in the
 * buffer costs its bytes, once, and the buffer's pages are reused by the next run.
 */
export class MemoryRun {
  private bytes: Buffer = Buffer.alloc(0);
  private used = 0;
  /** starts[i] is where line i begins; line i ends where line i+1 begins (or at `used`). */
  private starts = new Uint32Array(1024);
  private keys: string[] = [];
  private keyChars = 0;
  /** Whether a key holds a unit from U+D800 on, where code-unit and code-point order part. */
  private wideKeys = false;

  get length(): number {
    return this.keys.length;
  }

  /** What the run holds, in bytes: its lines, and its keys with their overhead. */
  get size(): number {
    return this.used + this.keyChars + this.keys.length * KEY_OVERHEAD_BYTES;
  }

  /** `bound`: the run's size bound, so the buffer grows in doublings up to about it and not past it. */
  add(entry: TimelineLine, bound: number): void {
    const { line } = entry;
    const worst = typeof line === 'string' ? line.length * MAX_BYTES_PER_CHAR : line.length;
    if (this.used + worst > this.bytes.length) this.grow(typeof line === 'string' ? Buffer.byteLength(line) : line.length, bound);
    const n = this.keys.length;
    if (n === this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.starts[n] = this.used;
    if (typeof line === 'string') this.used += this.bytes.write(line, this.used, 'utf8');
    else {
      this.bytes.set(line, this.used);
      this.used += line.length;
    }
    this.keys.push(entry.sortKey);
    this.keyChars += entry.sortKey.length;
    if (!this.wideKeys && WIDE_UNIT.test(entry.sortKey)) this.wideKeys = true;
  }

  /** The run's entries sorted by key, ties in arrival order, also when entries were added after an earlier read. */
  cursor(): RunCursor {
    const order = this.sortedOrder();
    let next = 0;
    let head: SortedLine | undefined;
    let closed = false;
    const load = () => {
      const i = order[next];
      head = !closed && i !== undefined ? { sortKey: this.keys[i]!, bytes: this.lineAt(i) } : undefined;
    };
    load();
    return {
      get head() {
        return head;
      },
      advance() {
        next++;
        load();
      },
      // As a FileCursor: once closed (the store disposed during a read) the run's buffer may be gone, so the
      // next advance ends the run instead of reading it.
      close() {
        closed = true;
      },
    };
  }

  /** Writes the run, sorted and framed, to `path`, sealed (ciphertext: timelines hold phone content), and empties it. */
  spillTo(path: string, sealer: ScratchSealer): void {
    const order = this.sortedOrder();
    const file = sealer.writer(path);
    try {
      const out = Buffer.allocUnsafe(SPILL_WRITE_BYTES);
      let pending = 0;
      const flush = () => {
        if (pending > 0) file.write(out.subarray(0, pending));
        pending = 0;
      };
      for (const i of order) {
        const key = this.keys[i]!;
        const start = this.starts[i]!;
        const end = this.endOf(i);
        const framed = 2 * LENGTH_BYTES + key.length * 2 + end - start;
        if (pending + framed > out.length) flush();
        if (framed > out.length) {
          const keyBytes = Buffer.from(key, 'utf16le');
          file.write(Buffer.concat([lengthOf(keyBytes.length), keyBytes, lengthOf(end - start), this.bytes.subarray(start, end)]));
          continue;
        }
        // Written in place, with no Buffer made per entry (a run holds tens of thousands).
        out.writeUInt32LE(key.length * 2, pending);
        pending += LENGTH_BYTES;
        for (let c = 0; c < key.length; c++, pending += 2) out.writeUInt16LE(key.charCodeAt(c), pending);
        out.writeUInt32LE(end - start, pending);
        pending += LENGTH_BYTES;
        pending += this.bytes.copy(out, pending, start, end);
      }
      flush();
    } catch (err) {
      file.abort();
      throw err;
    }
    file.close();
    this.clear();
  }

  /** Empties the run; the buffer is kept for the next one. */
  clear(): void {
    this.used = 0;
    this.keys = [];
    this.keyChars = 0;
    this.wideKeys = false;
  }

  /** Empties the run and lets its buffer go. */
  release(): void {
    this.clear();
    this.bytes = Buffer.alloc(0);
    this.starts = new Uint32Array(1024);
  }

  private sortedOrder(): Uint32Array {
    const keys = this.keys;
    const order = new Uint32Array(keys.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    // Arrival order breaks ties explicitly, so the sort's own stability does not matter. Keys without a UTF-16 unit
    // from U+D800 on (timestamps always) are ordered the same by code unit, which `<` compares natively.
    if (!this.wideKeys) return order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    return order.sort((a, b) => compareCodePoints(keys[a]!, keys[b]!) || a - b);
  }

  private lineAt(i: number): Buffer {
    return this.bytes.subarray(this.starts[i], this.endOf(i));
  }

  private endOf(i: number): number {
    return i + 1 < this.keys.length ? this.starts[i + 1]! : this.used;
  }

  /** Room for `bytes` more: doubling (the copy is amortised) up to about the run's bound, then what one line needs. */
  private grow(bytes: number, bound: number): void {
    const needed = this.used + bytes;
    if (needed <= this.bytes.length) return;
    const doubled = Math.max(FIRST_CAPACITY_BYTES, Math.min(this.bytes.length * 2, bound));
    const bigger = Buffer.allocUnsafeSlow(Math.max(needed, doubled));
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }
}

function lengthOf(n: number): Buffer {
  const b = Buffer.allocUnsafe(LENGTH_BYTES);
  b.writeUInt32LE(n);
  return b;
}

/**
 * Reads a spilled run back a sealed frame (64 KiB) at a time: memory per open run is about one frame. Each frame
 * is appended to what is left of the previous one in a new buffer (never written over), so the lines already
 * handed out stay valid.
 */
export class FileCursor implements RunCursor {
  private reader: SealedReader | null;
  private window: Buffer = Buffer.alloc(0);
  private at = 0;
  head: SortedLine | undefined;

  constructor(
    readonly path: string,
    sealer: ScratchSealer,
  ) {
    this.reader = sealer.reader(path);
    this.advance();
  }

  advance(): void {
    if (!this.has(LENGTH_BYTES)) return this.end();
    const keyLength = this.window.readUInt32LE(this.at);
    if (!this.has(2 * LENGTH_BYTES + keyLength)) return this.truncated();
    const lineLength = this.window.readUInt32LE(this.at + LENGTH_BYTES + keyLength);
    // Reading more frames moves the entry to the start of a new window: offsets are taken after the last read.
    if (!this.has(2 * LENGTH_BYTES + keyLength + lineLength)) return this.truncated();
    const keyStart = this.at + LENGTH_BYTES;
    const lineStart = keyStart + keyLength + LENGTH_BYTES;
    this.head = { sortKey: this.window.toString('utf16le', keyStart, keyStart + keyLength), bytes: this.window.subarray(lineStart, lineStart + lineLength) };
    this.at = lineStart + lineLength;
  }

  close(): void {
    if (this.reader === null) return;
    this.reader.close();
    this.reader = null;
  }

  /** Whether `n` bytes are at hand from the current position, reading frames until they are or the file ends. */
  private has(n: number): boolean {
    while (this.window.length - this.at < n) {
      const frame = this.reader?.next() ?? null;
      if (frame === null) {
        this.close();
        return false;
      }
      this.window = Buffer.concat([this.window.subarray(this.at), frame]);
      this.at = 0;
    }
    return true;
  }

  private end(): void {
    this.head = undefined;
    if (this.at < this.window.length) this.truncated();
  }

  private truncated(): never {
    this.head = undefined;
    throw new Error(`${this.path}: truncated timeline run (an entry cut short at the end)`);
  }
}

/** Every entry of the runs, smallest key first; equal keys in run order, then in order within a run. */
export function* mergeRuns(cursors: readonly RunCursor[]): Generator<SortedLine, void, undefined> {
  const heap = new RunHeap(cursors.map((cursor, run) => ({ cursor, run })).filter((s) => s.cursor.head !== undefined));
  for (let top = heap.peek(); top; top = heap.peek()) {
    yield top.cursor.head!;
    top.cursor.advance();
    if (top.cursor.head === undefined) heap.pop();
    else heap.siftDown(0);
  }
}

interface HeapEntry {
  readonly cursor: RunCursor;
  readonly run: number;
}

/** A binary min-heap of run cursors by (head key, run number). Few runs: no need for anything fancier. */
class RunHeap {
  constructor(private readonly items: HeapEntry[]) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): HeapEntry | undefined {
    return this.items[0];
  }

  pop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }

  siftDown(i: number): void {
    const items = this.items;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.less(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && this.less(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) return;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
  }

  private less(a: HeapEntry, b: HeapEntry): boolean {
    const order = compareCodePoints(a.cursor.head!.sortKey, b.cursor.head!.sortKey);
    return order < 0 || (order === 0 && a.run < b.run);
  }
}
