/**
 * Timeline events from every artifact, sorted by time with bounded memory, identical events written once (as in
 * MVT's timeline).
 *
 * Events are appended to an in-memory run; when the run's estimated size passes a bound, it is sorted and
 * spilled to a file in the private temp folder, sealed with a key only this store holds (so the file is ciphertext:
 * evidence/sealed-scratch.ts), and at the end the runs are merged (timeline-runs.ts). The
 * order and the de-duplication are those the timeline had when it was sorted in a scratch SQLite table with
 * `UNIQUE (sort_key, artifact, event, description)` and `ORDER BY sort_key, seq`: by key in code-point order,
 * ties in arrival order, an event equal to an earlier one (all four fields) dropped.
 */
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ScratchSealer } from '../evidence/sealed-scratch.js';
import { privateTempDir, removeTempDir } from '../evidence/temp.js';
import { BufferedFile } from './buffered-file.js';
import { FileCursor, byKey, memoryCursor, mergeRuns, spillRun, type RunCursor, type StoredEvent } from './timeline-runs.js';

export type { StoredEvent } from './timeline-runs.js';

/**
 * Above this estimate of the in-memory run's size, it is spilled. A 100k-entry backup's ~160k events (~55 MB
 * estimated) make about four runs: measured on it, that costs no more CPU than one run in memory and keeps the
 * peak RSS ~35 MB lower (events held in the heap are promoted and re-marked by the GC; spilled ones are not).
 */
export const DEFAULT_MAX_RUN_BYTES = 16 << 20;

/** The bound a store takes when it is given none (tests of whole runs lower it to make a small timeline spill). */
export const timelineLimits = { maxRunBytes: DEFAULT_MAX_RUN_BYTES };
/** An event's object and its string headers, roughly, on top of its characters (one byte each, mostly). */
const EVENT_OVERHEAD_BYTES = 150;
/** Longest stretch of writing between two turns of the event loop (signals are handled in between). */
const TURN_EVERY_MS = 25;

/**
 * A lone surrogate went into SQLite as 3 WTF-8 bytes and came back as 3 U+FFFD (one per invalid byte); read back
 * the same way, so the timeline stays byte-identical to the one sorted there. (Order and de-duplication still see
 * the surrogate itself, as SQLite did.)
 */
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** ES2024's String.prototype.isWellFormed (native in Node 20; the ES2023 lib the project compiles against lacks its type). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const asReadBack = (s: string): string => (isWellFormed(s) ? s : s.replace(LONE_SURROGATES, '\ufffd\ufffd\ufffd'));

function readBack(e: StoredEvent): StoredEvent {
  // Native and constant-time for Latin-1 text: nearly free for a timeline without lone surrogates.
  if (isWellFormed(e.description) && isWellFormed(e.sortKey) && isWellFormed(e.artifact) && isWellFormed(e.event) && isWellFormed(e.time)) return e;
  return { sortKey: asReadBack(e.sortKey), artifact: asReadBack(e.artifact), event: asReadBack(e.event), description: asReadBack(e.description), time: asReadBack(e.time) };
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
  private run: StoredEvent[] = [];
  private runBytes = 0;
  private readonly spilled: string[] = [];
  /** Cursors of a read in progress, closed by dispose when the reader never finished. */
  private readonly open = new Set<RunCursor>();
  private reading = false;
  private disposed = false;

  constructor(options: TimelineStoreOptions = {}) {
    this.maxRunBytes = options.maxRunBytes ?? timelineLimits.maxRunBytes;
  }

  add(e: StoredEvent): void {
    if (this.reading) throw new Error('timeline: an event was added while the sorted timeline was being read');
    if (this.disposed) throw new Error('timeline: an event was added after the store was disposed');
    this.run.push(e);
    // The time is usually the key itself (one string), and the artifact and event names are shared by many events.
    this.runBytes += e.sortKey.length + e.description.length + EVENT_OVERHEAD_BYTES;
    if (this.runBytes > this.maxRunBytes) this.spill();
  }

  /** Whether any event was added (cheaper than count(): no pass over the events). */
  get isEmpty(): boolean {
    return this.run.length === 0 && this.spilled.length === 0;
  }

  /** How many runs were spilled to files so far. */
  get spilledRuns(): number {
    return this.spilled.length;
  }

  /** Events sorted by time (events without one first), then in arrival order; each distinct event once. */
  *sorted(): Generator<StoredEvent, void, undefined> {
    // Array.prototype.sort is stable: ties keep arrival order, also when events were added after an earlier read.
    this.run.sort(byKey);
    const cursors: RunCursor[] = [];
    this.reading = true;
    try {
      for (const path of this.spilled) cursors.push(this.track(new FileCursor(path, this.sealer)));
      cursors.push(this.track(memoryCursor(this.run)));
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
   * Writes the sorted timeline as text: a header line, then one rendered line per event. A multi-million-row
   * timeline takes seconds: the event loop gets a turn every TURN_EVERY_MS, so Ctrl-C is still honoured.
   */
  async writeTo(path: string, header: string, row: (e: StoredEvent) => string, mode = 0o644): Promise<void> {
    const file = new BufferedFile(path, mode);
    try {
      file.write(header);
      let next = performance.now() + TURN_EVERY_MS;
      for (const e of this.sorted()) {
        file.write(row(e));
        if (performance.now() >= next) {
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
    this.run = [];
    try {
      for (const cursor of this.open) cursor.close();
      this.open.clear();
    } finally {
      removeTempDir(this.dir);
    }
  }

  private spill(): void {
    this.run.sort(byKey);
    const path = join(this.dir, `run-${this.spilled.length}.sealed`);
    // Counted before writing: if the write fails half-way, dispose still knows the file (it removes the folder).
    this.spilled.push(path);
    spillRun(path, this.run, this.sealer);
    this.run = [];
    this.runBytes = 0;
  }

  private track(cursor: RunCursor): RunCursor {
    this.open.add(cursor);
    return cursor;
  }
}

/**
 * Drops each event equal to an earlier one. Equal events have equal keys, and events come ordered by key, so only
 * those since the key last changed need remembering (events sharing one timestamp, usually one or a handful).
 */
function* distinct(events: Iterable<StoredEvent>): Generator<StoredEvent, void, undefined> {
  let groupFirst: StoredEvent | undefined;
  const seen = new Set<string>();
  for (const e of events) {
    if (e.sortKey !== groupFirst?.sortKey) {
      groupFirst = e;
      seen.clear();
      yield readBack(e);
      continue;
    }
    // A second event at the same time: from now on, remember the identities of this time's events.
    if (seen.size === 0) seen.add(identity(groupFirst));
    const id = identity(e);
    if (seen.has(id)) continue;
    seen.add(id);
    yield readBack(e);
  }
}

/** Lengths first: no separator could be ambiguous, whatever the description holds. */
const identity = (e: StoredEvent): string => `${e.artifact.length}:${e.event.length}:${e.artifact}${e.event}${e.description}`;
