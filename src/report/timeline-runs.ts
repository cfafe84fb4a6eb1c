/**
 * Sorted runs of timeline events, spilled to files and merged back in order (an external merge sort).
 *
 * A run is a list of events already sorted by key, stably (ties in arrival order). A spilled run is one JSON
 * array per line (JSON escapes line breaks, so a line is an event; a read needs one JSON.parse per line),
 * sealed with the store's ephemeral key (evidence/sealed-scratch.ts): the file holds no event's text. The
 * merge takes the smallest head of every run with a binary heap, breaking ties by run number: runs are numbered
 * in arrival order, so equal keys come out in arrival order across runs too (the merge is stable).
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

/** Lines are joined into a string this long before being encoded and sealed (one encode per ~16 K characters). */
const JOIN_CHARS = 1 << 14;

/** Writes a sorted run to `path`, sealed (owner-only, and ciphertext: timelines hold phone content). */
export function spillRun(path: string, run: readonly StoredEvent[], sealer: ScratchSealer): void {
  const file = sealer.writer(path);
  try {
    let pending = '';
    for (const e of run) {
      pending += `${JSON.stringify([e.sortKey, e.artifact, e.event, e.description, e.time])}\n`;
      if (pending.length >= JOIN_CHARS) {
        file.write(pending);
        pending = '';
      }
    }
    if (pending !== '') file.write(pending);
  } finally {
    file.close();
  }
}

export function memoryCursor(run: readonly StoredEvent[]): RunCursor {
  let next = 0;
  return {
    get head() {
      return run[next];
    },
    advance() {
      next++;
    },
    close() {},
  };
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
    const [sortKey, artifact, event, description, time] = JSON.parse(this.lines[this.nextLine++]!) as [string, string, string, string, string];
    this.head = { sortKey, artifact, event, description, time };
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
