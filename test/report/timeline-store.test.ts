/**
 * The timeline store sorts in memory up to a bound, spills sorted runs to owner-only, sealed (encrypted) files
 * in the private temp folder above it, and merges them: the timeline read back is the one the scratch SQLite table gave before
 * (kept below as the oracle), whatever the bound, and its files are gone after dispose, also after a failure.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { privateTempDir, privateTempRoot, removeTempDir } from '../../src/evidence/temp.js';
import { BufferedFile } from '../../src/report/buffered-file.js';
import { MemoryRun, compareCodePoints, type SortedLine } from '../../src/report/timeline-runs.js';
import { TimelineStore, timelineLine } from '../../src/report/timeline-store.js';
import { tempDir } from '../fixtures/ios-backup.js';

/** An event's fields, as the timeline sinks keep them (the time is the sort key). */
interface StoredEvent {
  readonly sortKey: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
  readonly time: string;
}

// ---------------------------------------------------------------------------------------------------------
// The oracle: the store as it was before (commit 24d0918), sorting in a scratch SQLite table, reduced to
// what a read needs.

function sqliteTimeline(events: readonly StoredEvent[]): StoredEvent[] {
  const dir = privateTempDir('timeline-oracle');
  const db = new Database(join(dir, 'timeline.db'));
  try {
    db.exec(`CREATE TABLE events (sort_key TEXT NOT NULL, seq INTEGER NOT NULL, artifact TEXT NOT NULL, event TEXT NOT NULL, description TEXT NOT NULL, time TEXT NOT NULL,
      UNIQUE (sort_key, artifact, event, description))`);
    const insert = db.prepare('INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?)');
    events.forEach((e, seq) => insert.run(e.sortKey, seq, e.artifact, e.event, e.description, e.time));
    return db.prepare('SELECT sort_key AS sortKey, artifact, event, description, time FROM events ORDER BY sort_key, seq').all() as StoredEvent[];
  } finally {
    db.close();
    removeTempDir(dir);
  }
}

// ---------------------------------------------------------------------------------------------------------

const event = (sortKey: string, description: string, artifact = 'Manifest', name = 'M---'): StoredEvent => ({ sortKey, artifact, event: name, description, time: sortKey });

/**
 * The line a sink would add for an event: here its fields, unescaped (so a lone surrogate reaches the store as it
 * is, as in a CSV row), between separators the generated text never holds; `fields` reads them back.
 */
const SEPARATOR = '\u0001';
const lineOf = (e: StoredEvent): string => [e.time, e.artifact, e.event, e.description].join(SEPARATOR);

function fields(l: SortedLine): Omit<StoredEvent, 'sortKey'> {
  const [time, artifact, event, description] = l.bytes.toString('utf8').split(SEPARATOR) as [string, string, string, string];
  return { time, artifact, event, description };
}

const withoutKey = ({ sortKey: _, ...e }: StoredEvent): Omit<StoredEvent, 'sortKey'> => e;

function add(store: TimelineStore, e: StoredEvent): void {
  store.add(timelineLine(e.sortKey, lineOf(e)));
}

function readAll(store: TimelineStore): Omit<StoredEvent, 'sortKey'>[] {
  return [...store.sorted()].map(fields);
}

/** The store's scratch folders in the private temp area. */
const scratchFolders = (): string[] => readdirSync(privateTempRoot()).filter((name) => name.startsWith('timeline-'));

/** What one small event used here costs the in-memory run (its line, ~35 bytes, and its key). */
function sizeInRun(e: StoredEvent): number {
  const run = new MemoryRun();
  run.add(timelineLine(e.sortKey, lineOf(e)), 1 << 16);
  return run.size;
}

/** A bound that spills after about `n` of the small events used here. */
const boundForEvents = (n: number): number => n * sizeInRun(event('t1', 'a'));

describe('TimelineStore', () => {
  it('keeps a small timeline in one run in memory: sorted by time, ties in arrival order, nothing spilled', () => {
    const store = new TimelineStore();
    try {
      add(store, event('2024-01-02 00:00:00.000000', 'b'));
      add(store, event('2024-01-01 00:00:00.000000', 'a'));
      add(store, event('', 'no time'));
      add(store, event('2024-01-02 00:00:00.000000', 'c'));
      expect(readAll(store).map((e) => e.description)).toEqual(['no time', 'a', 'b', 'c']);
      expect(store.spilledRuns).toBe(0);
      expect(store.count()).toBe(4);
    } finally {
      store.dispose();
    }
  });

  it('spills a run once its size passes the bound, and merges two runs back in order', () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(3) });
    try {
      for (const [t, d] of [
        ['05', 'e'],
        ['01', 'a'],
        ['03', 'c'],
        ['04', 'd'],
        ['02', 'b'],
      ] as const)
        add(store, event(t, d));
      expect(store.spilledRuns).toBe(1);
      expect(readAll(store).map((e) => e.description)).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      store.dispose();
    }
  });

  it('merges many runs, and keeps ties in arrival order across runs', () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(2) });
    try {
      for (let i = 0; i < 40; i++) add(store, event(`t${i % 4}`, `#${i}`));
      expect(store.spilledRuns).toBeGreaterThanOrEqual(10);
      const read = readAll(store);
      expect(read.filter((e) => e.time === 't1').map((e) => e.description)).toEqual(['#1', '#5', '#9', '#13', '#17', '#21', '#25', '#29', '#33', '#37']);
      expect(read.map((e) => e.time)).toEqual([...read.map((e) => e.time)].sort());
    } finally {
      store.dispose();
    }
  });

  it('writes an event identical to an earlier one once, also when the two are in different runs', () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(2) });
    try {
      add(store, event('t1', 'visit', 'Safari'));
      add(store, event('t1', 'other', 'Safari'));
      add(store, event('t1', 'visit', 'Safari')); // a duplicate of the first, in the next run
      add(store, event('t1', 'visit', 'Chrome')); // same description, another artifact: not a duplicate
      add(store, event('t2', 'visit', 'Safari')); // another time: not a duplicate
      expect(store.spilledRuns).toBeGreaterThan(0);
      expect(readAll(store).map((e) => `${e.time} ${e.artifact} ${e.description}`)).toEqual(['t1 Safari visit', 't1 Safari other', 't1 Chrome visit', 't2 Safari visit']);
      expect(store.count()).toBe(4);
    } finally {
      store.dispose();
    }
  });

  it('gives the timeline the scratch SQLite table gave, whatever the bound (generated events)', () => {
    const unit = fc.constantFrom('a', 'b', 'é', '\ue000', '😀', '\ud800', '"', '\n', ',');
    const text = fc.string({ unit, maxLength: 3 });
    const stored = fc.record({ sortKey: text, artifact: fc.constantFrom('Manifest', 'SMS'), event: fc.constantFrom('M---', 'sms_received'), description: text }).map((e) => ({ ...e, time: e.sortKey }));
    fc.assert(
      fc.property(fc.array(stored, { maxLength: 60 }), fc.integer({ min: 1, max: 30 }), (events, perRun) => {
        const store = new TimelineStore({ maxRunBytes: boundForEvents(perRun) });
        try {
          for (const e of events) add(store, e);
          expect(readAll(store)).toEqual(sqliteTimeline(events).map(withoutKey));
        } finally {
          store.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('orders ties by rank before arrival: artifacts interleaved any way give the timeline of plan order (generated events)', () => {
    const plan = ['Manifest', 'SMS', 'Safari'];
    const own = fc.record({ sortKey: fc.constantFrom('', 't1', 't2', 't10'), description: fc.constantFrom('a', 'b', 'c') });
    // Each artifact's events in its own order, and the order in which the threads' batches arrived.
    const perArtifact = fc.tuple(fc.array(own, { maxLength: 12 }), fc.array(own, { maxLength: 12 }), fc.array(own, { maxLength: 12 }));
    fc.assert(
      fc.property(perArtifact, fc.array(fc.nat(2), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (lists, schedule, perRun) => {
        const events = lists.map((list, rank) => list.map((e) => ({ ...event(e.sortKey, e.description, plan[rank]), rank })));
        const inPlanOrder = events.flat();
        const next = events.map(() => 0);
        const interleaved: (typeof inPlanOrder)[number][] = [];
        for (const rank of schedule) if (next[rank]! < events[rank]!.length) interleaved.push(events[rank]![next[rank]!++]!);
        for (const [rank, list] of events.entries()) interleaved.push(...list.slice(next[rank]));
        const store = new TimelineStore({ maxRunBytes: boundForEvents(perRun) });
        try {
          for (const e of interleaved) store.add(timelineLine(e.sortKey, lineOf(e)), e.rank);
          // One thread adds them in plan order, where arrival order is rank order: the oracle's timeline.
          expect(readAll(store)).toEqual(sqliteTimeline(inPlanOrder).map(withoutKey));
        } finally {
          store.dispose();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps an event of any size whole: a 1 MB description (past the run buffer and a spill write) and non-ASCII text', () => {
    const big = `${'é😀\u2028'.repeat(100_000)}x`; // 3 bytes, 4 bytes, 3 bytes in UTF-8: ~1 MB
    for (const maxRunBytes of [undefined, 1]) {
      const store = new TimelineStore(maxRunBytes === undefined ? {} : { maxRunBytes });
      try {
        add(store, event('t2', 'after'));
        add(store, event('t1', big));
        add(store, event('t1', 'small'));
        expect(store.spilledRuns).toBe(maxRunBytes === undefined ? 0 : 3);
        const read = readAll(store);
        expect(read.map((e) => e.description.length)).toEqual([big.length, 5, 5]);
        expect(read[0]!.description).toBe(big);
      } finally {
        store.dispose();
      }
    }
  });

  it('reads the same timeline twice, and takes events added after a read in their place', () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(2) });
    try {
      add(store, event('t2', 'first'));
      add(store, event('t1', 'second'));
      add(store, event('t2', 'third'));
      expect(readAll(store)).toEqual(readAll(store));
      add(store, event('t2', 'fourth'));
      add(store, event('t0', 'fifth'));
      expect(readAll(store).map((e) => e.description)).toEqual(['fifth', 'second', 'first', 'third', 'fourth']);
    } finally {
      store.dispose();
    }
  });

  it('refuses an event added while the timeline is being read', () => {
    const store = new TimelineStore();
    try {
      add(store, event('t1', 'a'));
      for (const _ of store.sorted()) expect(() => add(store, event('t2', 'b'))).toThrow(/while the sorted timeline was being read/);
      add(store, event('t2', 'b')); // the read is over
      expect(store.count()).toBe(2);
    } finally {
      store.dispose();
    }
  });

  it('spills owner-only files into its private scratch folder and removes the folder on dispose', () => {
    const before = scratchFolders();
    const store = new TimelineStore({ maxRunBytes: 1 }); // every event spills
    add(store, event('t1', 'a'));
    add(store, event('t2', 'b'));
    const [folder] = scratchFolders().filter((f) => !before.includes(f));
    const runs = readdirSync(join(privateTempRoot(), folder!));
    expect(runs).toEqual(['run-0.sealed', 'run-1.sealed']);
    for (const run of runs) expect(statSync(join(privateTempRoot(), folder!, run)).mode & 0o777).toBe(0o600);
    // One sealed frame: length (4) + IV (12) + the entry (its key with the rank, NUL and one unit, in UTF-16, and its
    // line, each after its length), encrypted + tag (16); none of its text.
    const sealed = readFileSync(join(privateTempRoot(), folder!, 'run-0.sealed'));
    expect(sealed.length).toBe(4 + 12 + (4 + 2 * ('t1'.length + 2) + 4 + 't1\u0001Manifest\u0001M---\u0001a'.length) + 16);
    expect(sealed.includes('Manifest')).toBe(false);
    expect(sealed.includes('M---')).toBe(false);
    store.dispose();
    store.dispose(); // twice is harmless
    expect(existsSync(join(privateTempRoot(), folder!))).toBe(false);
  });

  it('leaves no file behind when writing the timeline fails half-way, or a read is abandoned', async () => {
    const before = scratchFolders();
    const store = new TimelineStore({ maxRunBytes: boundForEvents(2) });
    for (let i = 0; i < 10; i++) add(store, event(`t${i}`, `#${i}`));
    expect(scratchFolders().length).toBe(before.length + 1);

    let rows = 0;
    const { writeEncoded } = Object.getOwnPropertyDescriptors(BufferedFile.prototype);
    const failing = vi.spyOn(BufferedFile.prototype, 'writeEncoded').mockImplementation(function (this: BufferedFile, bytes: Uint8Array) {
      if (++rows === 4) throw new Error('disk full');
      (writeEncoded.value as (bytes: Uint8Array) => void).call(this, bytes);
    });
    const out = join(tempDir('timeline'), 'timeline.csv');
    await expect(store.writeTo(out, 'header\n')).rejects.toThrow('disk full');
    failing.mockRestore();
    const abandoned = store.sorted();
    abandoned.next(); // a reader that stops without finishing: its open runs are closed by dispose
    store.dispose();
    expect(scratchFolders()).toEqual(before);
  });

  it('a read carried on after dispose ends there, without reading the released in-memory run', () => {
    const store = new TimelineStore();
    for (let i = 0; i < 5; i++) add(store, event(`t${i}`, `#${i}`));
    const reading = store.sorted();
    expect(fields(reading.next().value!).description).toBe('#0');
    store.dispose();
    expect([...reading]).toEqual([]);
  });

  it('writes the timeline as a header and one rendered line per distinct event', async () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(2) });
    try {
      for (const d of ['b', 'a', 'b']) store.add(timelineLine('t1', `t1,${d}\n`));
      store.add(timelineLine('t0', 't0,z\n'));
      const out = join(tempDir('timeline'), 'timeline.csv');
      await store.writeTo(out, 'time,description\n', 0o600);
      expect(readFileSync(out, 'utf8')).toBe('time,description\nt0,z\nt1,b\nt1,a\n');
      expect(statSync(out).mode & 0o777).toBe(0o600);
    } finally {
      store.dispose();
    }
  });

  it('seals spilled runs: no event text in any run file, and the merge gives the order one run in memory gives', () => {
    // Long descriptions with multi-byte characters: a run spans several 64 KiB frames, lines and characters cut
    // across frame boundaries.
    const secret = (i: number) => `+41 79 555 ${String(i).padStart(4, '0')} écrit « rendez-vous » 😀 ${'x'.repeat(i % 700)}`;
    const events = Array.from({ length: 3000 }, (_, i) => event(`2024-01-${String((i * 7919) % 28 + 1).padStart(2, '0')}`, secret(i), i % 3 ? 'SMS' : 'Safari'));
    const before = scratchFolders();
    const spilling = new TimelineStore({ maxRunBytes: 300 * 1024 });
    const [folder] = scratchFolders().filter((f) => !before.includes(f));
    const inMemory = new TimelineStore({ maxRunBytes: Number.MAX_SAFE_INTEGER });
    try {
      for (const e of events) {
        add(spilling, e);
        add(inMemory, e);
      }
      expect(spilling.spilledRuns).toBeGreaterThanOrEqual(3);
      expect(inMemory.spilledRuns).toBe(0);
      const files = readdirSync(join(privateTempRoot(), folder!)).map((name) => readFileSync(join(privateTempRoot(), folder!, name)));
      expect(files.length).toBe(spilling.spilledRuns);
      expect(Math.max(...files.map((f) => f.length))).toBeGreaterThan(3 * 64 * 1024);
      for (const bytes of files) {
        for (const needle of ['+41 79 555', 'rendez-vous', 'écrit', '2024-01-', 'Safari', 'xxxxxxxx']) {
          expect(bytes.includes(Buffer.from(needle, 'utf8'))).toBe(false);
          expect(bytes.includes(Buffer.from(needle, 'utf16le'))).toBe(false);
        }
      }
      expect(readAll(spilling)).toEqual(readAll(inMemory));
      expect(spilling.count()).toBe(3000);
    } finally {
      spilling.dispose();
      inMemory.dispose();
    }
  });

  it('a spilled run changed on disk fails the read with a line naming the file, not wrong events', () => {
    const before = scratchFolders();
    const store = new TimelineStore({ maxRunBytes: 1 });
    try {
      add(store, event('t1', 'a'));
      add(store, event('t2', 'b'));
      const [folder] = scratchFolders().filter((f) => !before.includes(f));
      const path = join(privateTempRoot(), folder!, 'run-0.sealed');
      const bytes = readFileSync(path);
      bytes[20] = bytes[20]! ^ 1;
      writeFileSync(path, bytes);
      expect(() => readAll(store)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 0)`);
    } finally {
      store.dispose();
    }
  });

  it('says whether it holds any event without reading them', () => {
    const store = new TimelineStore({ maxRunBytes: boundForEvents(1) });
    try {
      expect(store.isEmpty).toBe(true);
      add(store, event('t1', 'a'));
      add(store, event('t1', 'b'));
      expect(store.isEmpty).toBe(false);
    } finally {
      store.dispose();
    }
  });
});

describe('compareCodePoints', () => {
  it('orders strings as SQLite orders TEXT: by code point, so characters above U+FFFF sort after U+E000–U+FFFF', () => {
    expect(['😀', '\uffff', 'b', '\ue000', 'a', ''].sort(compareCodePoints)).toEqual(['', 'a', 'b', '\ue000', '\uffff', '😀']);
    // A lone surrogate is its own value, below U+E000 and every pair.
    expect(['😀', '\ue000', '\ud83dx', '\ud7ff'].sort(compareCodePoints)).toEqual(['\ud7ff', '\ud83dx', '\ue000', '😀']);
    expect(compareCodePoints('2024-01-01', '2024-01-01')).toBe(0);
    expect(compareCodePoints('2024-01-01', '2024-01-01 00:00')).toBeLessThan(0);
  });
});
