/**
 * Plumbing shared by the synthetic database writers: a scratch SQLite file opened for fast filling, batched
 * transactions, plants scheduled among time-ordered rows, and the clocks that spread rows over a period.
 */
import Database from 'better-sqlite3';
import type { Period } from './ios-content.js';
import type { Random } from './random.js';

export const COCOA_OFFSET_S = 978_307_200;
export const BATCH_ROWS = 5_000;


export function openNew(path: string): Database.Database {
  const db = new Database(path);
  // A scratch file we own: no journal needed while filling it; the header keeps rollback mode (as iOS 14 files).
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Rows are consistent by construction; a redirect chain names the next visit's id before that row exists.
  db.pragma('foreign_keys = OFF');
  return db;
}

export function inTransaction(db: Database.Database, fn: () => void): void {
  db.exec('BEGIN');
  try {
    fn();
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/** Runs `fn(i)` for i in [0, n) in transactions of BATCH_ROWS rows. */
export function batched(db: Database.Database, n: number, fn: (i: number) => void): void {
  for (let start = 0; start < n; start += BATCH_ROWS) {
    inTransaction(db, () => {
      for (let i = start; i < Math.min(n, start + BATCH_ROWS); i++) fn(i);
    });
  }
}

export interface Scheduled<P> {
  readonly plant: P;
  /** Unix seconds. */
  readonly at: number;
}

/** Plants in time order; those without a time go to the middle of the period, a minute apart. */
export function schedule<P extends { at?: Date }>(plants: readonly P[], period: Period): Scheduled<P>[] {
  const mid = (period.start.getTime() + period.end.getTime()) / 2000;
  return plants.map((plant, i) => ({ plant, at: plant.at ? plant.at.getTime() / 1000 : mid + 60 * i })).sort((a, b) => a.at - b.at);
}

/** Ordinary rows `i` at `clock(i)`, with each plant inserted as soon as its time is reached. */
export function streamRows<P>(
  db: Database.Database,
  n: number,
  plants: readonly Scheduled<P>[],
  clock: (i: number) => number,
  row: (i: number, at: number) => void,
  plant: (p: P, at: number) => void,
): void {
  let p = 0;
  batched(db, n, (i) => {
    const at = clock(i);
    for (; p < plants.length && plants[p]!.at <= at; p++) plant(plants[p]!.plant, plants[p]!.at);
    row(i, at);
  });
  inTransaction(db, () => {
    for (; p < plants.length; p++) plant(plants[p]!.plant, plants[p]!.at);
  });
}

/** Row i of n, spread over the period in increasing order with some jitter (Unix seconds). */
export function makeClock(period: Period, n: number, rng: Random): (i: number) => number {
  return (i) => unixIn(period, (i + 0.1 + 0.8 * rng.next()) / Math.max(1, n));
}

export function unixIn(period: Period, fraction: number): number {
  const start = period.start.getTime() / 1000;
  const end = period.end.getTime() / 1000;
  return start + (end - start) * fraction;
}

export function toCocoa(d: Date): number {
  return d.getTime() / 1000 - COCOA_OFFSET_S;
}

export function toCocoaFromUnix(unixSeconds: number): number {
  return unixSeconds - COCOA_OFFSET_S;
}
