/**
 * Timeline events from every artifact, kept on disk in a private scratch database so that sorting a
 * multi-million-row timeline needs bounded memory. Identical rows collapse, as in MVT's timeline.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { privateTempDir, removeTempDir } from '../evidence/temp.js';

export interface StoredEvent {
  readonly sortKey: string;
  readonly artifact: string;
  readonly event: string;
  readonly description: string;
  /** The rendered timestamp ('' when the event has none). */
  readonly time: string;
}

const BATCH = 10_000;

export class TimelineStore {
  private readonly dir = privateTempDir('timeline');
  private readonly db = new Database(join(this.dir, 'timeline.db'));
  private readonly insert: Database.Statement;
  private pending = 0;
  private seq = 0;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`CREATE TABLE events (sort_key TEXT NOT NULL, seq INTEGER NOT NULL, artifact TEXT NOT NULL, event TEXT NOT NULL, description TEXT NOT NULL, time TEXT NOT NULL,
      UNIQUE (sort_key, artifact, event, description))`);
    this.insert = this.db.prepare('INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?)');
    this.db.exec('BEGIN');
  }

  add(e: StoredEvent): void {
    this.insert.run(e.sortKey, this.seq++, e.artifact, e.event, e.description, e.time);
    if (++this.pending >= BATCH) {
      this.db.exec('COMMIT; BEGIN');
      this.pending = 0;
    }
  }

  /** Events sorted by time (events without one first), then in arrival order. */
  *sorted(): IterableIterator<StoredEvent> {
    this.db.exec('COMMIT');
    this.pending = 0;
    this.db.exec('CREATE INDEX events_order ON events (sort_key, seq)');
    const rows = this.db.prepare('SELECT sort_key AS sortKey, artifact, event, description, time FROM events ORDER BY sort_key, seq').iterate();
    yield* rows as IterableIterator<StoredEvent>;
    this.db.exec('BEGIN');
  }

  count(): number {
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
