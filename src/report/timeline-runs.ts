/**
 * Sorted runs of timeline events, spilled to files and merged back in order (an external merge sort).
 *
 * A run is a list of events already sorted by key, stably (ties in arrival order). An event is stored as one
 * JSON array per line, `[sortKey, artifact, event, description, time]` (JSON escapes line breaks, so a line is
 * an event; a read needs one JSON.parse per line), in memory (MemoryRun) and in a spilled file alike; a spilled
 * run is sealed with the store's ephemeral key (evidence/sealed-scratch.ts), so the file holds no event's text.
 * The merge takes the smallest head of every run with a binary heap, breaking ties by run number: runs are
 * numbered in arrival order, so equal keys come out in arrival order across runs too (the merge is stable).
 */
import { StringDecoder } from 'node:string_decoder';
import type { ScratchSealer, SealedReader } from '../evidence/sealed-scratch.js';

export interface StoredEvent {
  readonly sortKey: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
  /** The rendered timestamp ('' when the event has none). */
  readonly time: string;
}

/** The next event of a run without taking it, then taking it. */
export interface RunCursor {
  readonly head: StoredEvent | undefined;
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

export const byKey = (a: StoredEvent, b: StoredEvent): number => compareCodePoints(a.sortKey, b.sortKey);

/** An event as a run stores it: one line of UTF-8 JSON (lone surrogates escaped by JSON, so read back as they were). */
const lineOf = (e: StoredEvent): string => `${JSON.stringify([e.sortKey, e.artifact, e.event, e.description, e.time])}\n`;

function parseLine(line: string): StoredEvent {
  const [sortKey, artifact, event, description, time] = JSON.parse(line) as [string, string, string, string, string];
  return { sortKey, artifact, event, description, time };
}

/** A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_CHAR = 3;
const FIRST_CAPACITY_BYTES = 1 << 16;
/** A key's string header, its slot in `keys` and its line's offset in `starts`, roughly, on top of its characters. */
const KEY_OVERHEAD_BYTES = 32;
/** Sorted lines are gathered into writes of this size when a run is spilled. */
const SPILL_WRITE_BYTES = 1 << 18;

/**
 * The run being filled, kept out of the JavaScript heap: each event's line in one reused buffer, and only its key
 * as a string (for the sort). Events held as objects were promoted to the old generation while the run filled
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

  get length(): number {
    return this.keys.length;
  }

  /** What the run holds, in bytes: its lines, and its keys with their overhead. */
  get size(): number {
    return this.used + this.keyChars + this.keys.length * KEY_OVERHEAD_BYTES;
  }

  /** `bound`: the run's size bound, so the buffer grows in doublings up to about it and not past it. */
  add(e: StoredEvent, bound: number): void {
    const line = lineOf(e);
    const worst = line.length * MAX_BYTES_PER_CHAR;
    if (this.used + worst > this.bytes.length) this.grow(Buffer.byteLength(line), bound);
    const n = this.keys.length;
    if (n === this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.starts[n] = this.used;
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.keys.push(e.sortKey);
    this.keyChars += e.sortKey.length;
  }

  /** The run's events sorted by key, ties in arrival order, also when events were added after an earlier read. */
  cursor(): RunCursor {
    const order = this.sortedOrder();
    let next = 0;
    let head: StoredEvent | undefined;
    let closed = false;
    const load = () => {
      head = !closed && next < order.length ? parseLine(this.lineAt(order[next]!)) : undefined;
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

  /** Writes the run, sorted, to `path`, sealed (ciphertext: timelines hold phone content), and empties it. */
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
        const [start, end] = this.span(i);
        if (pending + end - start > out.length) flush();
        if (end - start > out.length) {
          file.write(this.bytes.subarray(start, end));
          continue;
        }
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
    // Arrival order breaks ties explicitly, so the sort's own stability does not matter.
    return order.sort((a, b) => compareCodePoints(keys[a]!, keys[b]!) || a - b);
  }

  private span(i: number): [number, number] {
    return [this.starts[i]!, i + 1 < this.keys.length ? this.starts[i + 1]! : this.used];
  }

  private lineAt(i: number): string {
    const [start, end] = this.span(i);
    return this.bytes.toString('utf8', start, end);
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

/** Reads a spilled run back a sealed frame (64 KiB) at a time: memory per open run is one frame and its lines. */
export class FileCursor implements RunCursor {
  private reader: SealedReader | null;
  private readonly decoder = new StringDecoder('utf8');
  private lines: string[] = [];
  private nextLine = 0;
  /** The end of the last chunk read, up to its last line break. */
  private partial = '';
  head: StoredEvent | undefined;

  constructor(
    readonly path: string,
    sealer: ScratchSealer,
  ) {
    this.reader = sealer.reader(path);
    this.advance();
  }

  advance(): void {
    while (this.nextLine === this.lines.length) {
      if (this.reader === null || !this.readChunk()) {
        this.head = undefined;
        return;
      }
    }
    this.head = parseLine(this.lines[this.nextLine++]!);
  }

  close(): void {
    if (this.reader === null) return;
    this.reader.close();
    this.reader = null;
  }

  /** False at the end of the file (which ends with a line break, so nothing is left partial). */
  private readChunk(): boolean {
    const frame = this.reader!.next();
    if (frame === null) {
      this.close();
      if (this.partial !== '') throw new Error(`${this.path}: truncated timeline run (no line break at the end)`);
      return false;
    }
    const text = this.partial + this.decoder.write(frame);
    const lastBreak = text.lastIndexOf('\n');
    this.partial = text.slice(lastBreak + 1);
    this.lines = lastBreak < 0 ? [] : text.slice(0, lastBreak).split('\n');
    this.nextLine = 0;
    return true;
  }
}

/** Every event of the runs, smallest key first; equal keys in run order, then in order within a run. */
export function* mergeRuns(cursors: readonly RunCursor[]): Generator<StoredEvent, void, undefined> {
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
    const order = byKey(a.cursor.head!, b.cursor.head!);
    return order < 0 || (order === 0 && a.run < b.run);
  }
}
