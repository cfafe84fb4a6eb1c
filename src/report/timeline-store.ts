/**
 * Timeline events from every artifact, sorted by time with bounded memory, identical events written once (as in
 * MVT's timeline).
 *
 * A sink adds each event as its sort key and the line it will print (timeline-runs.ts): lines are appended to an
 * in-memory run (one buffer, outside the JavaScript heap); when the run's size passes a bound, it is sorted and
 * spilled to a file in the private temp folder, sealed with a key only this store holds (so the file is
 * ciphertext: evidence/sealed-scratch.ts), and at the end the runs are merged and the lines copied out as they
 * are. The order and the de-duplication are those the timeline had when it was sorted in a scratch SQLite table
 * with `UNIQUE (sort_key, artifact, event, description)` and `ORDER BY sort_key, seq`: by key in code-point
 * order, ties in arrival order, an event equal to an earlier one dropped. A line is a function of those fields
 * (the time is the key), so equal lines under one key are equal events. Before arrival, ties are ordered by the
 * rank a sink gives (its artifact's place in the plan), so the order holds when artifacts' events interleave.
 */
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ScratchSealer } from '../evidence/sealed-scratch.js';
import { privateTempDir, removeTempDir } from '../evidence/temp.js';
import { BufferedFile } from './buffered-file.js';
import { FileCursor, MemoryRun, mergeRuns, type RunCursor, type SortedLine, type TimelineLine } from './timeline-runs.js';

export type { SortedLine, TimelineLine } from './timeline-runs.js';

/**
 * Above this size of the in-memory run (its lines' bytes and its keys), it is spilled. A 100k-entry backup's
 * ~160k events (~33 MB with their keys) make about eight runs; a 10k-entry one's fit in one. The run's buffer is
 * the store's one large allocation, so this is what the timeline adds to the peak RSS, whatever the
 * acquisition's size: 4 MiB instead of 8 took about 10 MB off the 100k bench backup's peak, for no time
 * measurable beside the run's noise.
 */
export const DEFAULT_MAX_RUN_BYTES = 4 << 20;

/** The bound a store takes when it is given none (tests of whole runs lower it to make a small timeline spill). */
export const timelineLimits = { maxRunBytes: DEFAULT_MAX_RUN_BYTES };
/** Longest stretch of writing between two turns of the event loop (signals are handled in between). */
const TURN_EVERY_MS = 25;

/**
 * A lone surrogate went into SQLite as 3 WTF-8 bytes and came back as 3 U+FFFD (one per invalid byte); a line
 * is stored that way, so the timeline stays byte-identical to the one sorted there.
 */
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** ES2024's String.prototype.isWellFormed (native in Node 20; the ES2023 lib the project compiles against lacks its type). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * An event as a sink hands it to the store: its sort key and its finished line. Native and constant-time for
 * Latin-1 text, the check for lone surrogates is nearly free for a timeline without them.
 */
export function timelineLine(sortKey: string, line: string): TimelineLine {
  return { sortKey, line: readBackText(line) };
}

/** Text as it came back from SQLite (see LONE_SURROGATES), for lines that escape their text (JSON). */
export function readBackText(text: string): string {
  return isWellFormed(text) ? text : text.replace(LONE_SURROGATES, '\ufffd\ufffd\ufffd');
}

export interface TimelineStoreOptions {
  /** Spill the in-memory run once its estimated size passes this (tests lower it). */
  readonly maxRunBytes?: number;
}

export class TimelineStore {
  /** Created at once (not at the first spill), so a run's scratch folder exists while it has a timeline. */
  private readonly dir = privateTempDir('timeline');
  /** The key of this store's spilled runs, in memory only. */
  private readonly sealer = new ScratchSealer();
  private readonly maxRunBytes: number;
  private readonly run = new MemoryRun();
  private readonly spilled: string[] = [];
  /** Cursors of a read in progress, closed by dispose when the reader never finished. */
  private readonly open = new Set<RunCursor>();
  private reading = false;
  private disposed = false;

  constructor(options: TimelineStoreOptions = {}) {
    this.maxRunBytes = options.maxRunBytes ?? timelineLimits.maxRunBytes;
  }

  /**
   * An entry made by `timelineLine` (in this thread or a worker's, which sends the line's UTF-8 bytes). `rank`
   * orders events of one time before arrival does: a sink passes its artifact's place in the plan, so the
   * timeline is the same whichever artifact's events arrived first (artifacts run side by side with `--jobs`).
   */
  add(entry: TimelineLine, rank = 0): void {
    if (this.reading) throw new Error('timeline: an event was added while the sorted timeline was being read');
    if (this.disposed) throw new Error('timeline: an event was added after the store was disposed');
    if (!Number.isInteger(rank) || rank < 0 || rank > MAX_RANK) throw new RangeError(`timeline: rank ${rank} is outside 0..${MAX_RANK}`);
    this.run.add({ sortKey: rankedKey(entry.sortKey, rank), line: entry.line }, this.maxRunBytes);
    if (this.run.size > this.maxRunBytes) this.spill();
  }

  /** Whether any event was added (cheaper than count(): no pass over the events). */
  get isEmpty(): boolean {
    return this.run.length === 0 && this.spilled.length === 0;
  }

  /** How many runs were spilled to files so far. */
  get spilledRuns(): number {
    return this.spilled.length;
  }

  /** Lines sorted by time (events without one first), then by rank, then in arrival order; each distinct line once. */
  *sorted(): Generator<SortedLine, void, undefined> {
    const cursors: RunCursor[] = [];
    this.reading = true;
    try {
      for (const path of this.spilled) cursors.push(this.track(new FileCursor(path, this.sealer)));
      cursors.push(this.track(this.run.cursor()));
      yield* distinct(mergeRuns(cursors));
    } finally {
      this.reading = false;
      for (const cursor of cursors) {
        cursor.close();
        this.open.delete(cursor);
      }
    }
  }

  /**
   * Writes the sorted timeline: a header line, then the lines as they were added. A multi-million-row timeline
   * takes seconds: the event loop gets a turn every TURN_EVERY_MS, so Ctrl-C is still honoured.
   */
  async writeTo(path: string, header: string, mode = 0o644): Promise<void> {
    const file = new BufferedFile(path, mode);
    try {
      file.write(header);
      let next = performance.now() + TURN_EVERY_MS;
      let rows = 0;
      for (const e of this.sorted()) {
        file.writeEncoded(e.bytes);
        // The clock is read every few hundred rows: reading it per row cost more than the rows' copying.
        if ((++rows & 0xff) === 0 && performance.now() >= next) {
          await nextTurn();
          next = performance.now() + TURN_EVERY_MS;
        }
      }
    } finally {
      file.close();
    }
  }

  /** Distinct events (a pass over all of them: to know whether there are any, use isEmpty). */
  count(): number {
    let n = 0;
    for (const _ of this.sorted()) n++;
    return n;
  }

  /** Removes the spilled runs; safe to call more than once, and after a failure. */
  dispose(): void {
    this.disposed = true;
    this.run.release();
    try {
      for (const cursor of this.open) cursor.close();
      this.open.clear();
    } finally {
      removeTempDir(this.dir);
    }
  }

  private spill(): void {
    const path = join(this.dir, `run-${this.spilled.length}.sealed`);
    // Counted before writing: if the write fails half-way, dispose still knows the file (it removes the folder).
    this.spilled.push(path);
    this.run.spillTo(path, this.sealer);
  }

  private track(cursor: RunCursor): RunCursor {
    this.open.add(cursor);
    return cursor;
  }
}

/**
 * The key a run sorts by: the event's key, a NUL, and the rank as one UTF-16 unit. A NUL sorts before any
 * character a time has, so keys keep their order (a key before every longer key it starts), and equal keys
 * are ordered by rank; ranks stay below U+D800, where code-unit and code-point order agree.
 */
function rankedKey(sortKey: string, rank: number): string {
  return `${sortKey}\u0000${String.fromCharCode(rank)}`;
}

/** Highest rank `add` takes (a plan of artifacts is far shorter). */
const MAX_RANK = 0xd7ff;

/** The event's own key, without the rank `rankedKey` appended. */
const keyOf = (ranked: string): string => ranked.slice(0, -2);

/**
 * Drops each line equal to an earlier one under the same key (whatever their ranks: a line names its artifact,
 * so equal lines come from one). Lines come ordered by key, so only those since the key last changed need
 * remembering (events sharing one timestamp, usually one or a handful).
 */
function* distinct(ranked: Iterable<SortedLine>): Generator<SortedLine, void, undefined> {
  let groupFirst: SortedLine | undefined;
  const seen = new Set<string>();
  for (const r of ranked) {
    const l: SortedLine = { sortKey: keyOf(r.sortKey), bytes: r.bytes };
    if (l.sortKey !== groupFirst?.sortKey) {
      groupFirst = l;
      seen.clear();
      yield l;
      continue;
    }
    // A second line at the same time: from now on, remember this time's lines (as bytes: Latin-1 maps each to a character).
    if (seen.size === 0) seen.add(groupFirst.bytes.toString('latin1'));
    const identity = l.bytes.toString('latin1');
    if (seen.has(identity)) continue;
    seen.add(identity);
    yield l;
  }
}
