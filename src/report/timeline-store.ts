/**
 * Timeline events from every artifact, kept on disk in a private scratch database so that sorting a
 * multi-million-row timeline needs bounded memory. Identical rows collapse, as in MVT's timeline.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { privateTempDir, removeTempDir } from '../evidence/temp.js';
import { BufferedFile } from './buffered-file.js';

export interface StoredEvent {
  readonly sortKey: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
  /** The rendered timestamp ('' when the event has none). */
  readonly time: string;
}

/** Rows per INSERT statement: one call into SQLite per batch instead of per event. */
const ROWS_PER_INSERT = 200;
const INSERTS_PER_TRANSACTION = 50;
/** Longest stretch of writing between two turns of the event loop (signals are handled in between). */
const TURN_EVERY_MS = 25;

export class TimelineStore {
  private readonly dir = privateTempDir('timeline');
  private readonly db = new Database(join(this.dir, 'timeline.db'));
  private readonly insertMany: Database.Statement;
  private readonly insertOne: Database.Statement;
  private pending: (string | number)[] = [];
  private inserts = 0;
  private seq = 0;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`CREATE TABLE events (sort_key TEXT NOT NULL, seq INTEGER NOT NULL, artifact TEXT NOT NULL, event TEXT NOT NULL, description TEXT NOT NULL, time TEXT NOT NULL,
      UNIQUE (sort_key, artifact, event, description))`);
    const row = '(?, ?, ?, ?, ?, ?)';
    this.insertMany = this.db.prepare(`INSERT OR IGNORE INTO events VALUES ${Array(ROWS_PER_INSERT).fill(row).join(', ')}`);
    this.insertOne = this.db.prepare(`INSERT OR IGNORE INTO events VALUES ${row}`);
    this.db.exec('BEGIN');
  }

  add(e: StoredEvent): void {
    this.pending.push(e.sortKey, this.seq++, e.artifact, e.event, e.description, e.time);
    if (this.pending.length === ROWS_PER_INSERT * 6) {
      this.insertMany.run(this.pending);
      this.pending = [];
      if (++this.inserts % INSERTS_PER_TRANSACTION === 0) this.db.exec('COMMIT; BEGIN');
    }
  }

  private flushPending(): void {
    for (let i = 0; i < this.pending.length; i += 6) this.insertOne.run(this.pending.slice(i, i + 6));
    this.pending = [];
  }

  /** Events sorted by time (events without one first), then in arrival order. */
  *sorted(): IterableIterator<StoredEvent> {
    this.flushPending();
    this.db.exec('COMMIT');
    this.db.exec('CREATE INDEX IF NOT EXISTS events_order ON events (sort_key, seq)');
    const rows = this.db.prepare('SELECT sort_key AS sortKey, artifact, event, description, time FROM events ORDER BY sort_key, seq').iterate();
    yield* rows as IterableIterator<StoredEvent>;
    this.db.exec('BEGIN');
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

  count(): number {
    this.flushPending();
    return (this.db.prepare('SELECT count(*) FROM events').pluck().get() as number) ?? 0;
  }

  dispose(): void {
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      this.db.close();
    } finally {
      removeTempDir(this.dir);
    }
  }
}
