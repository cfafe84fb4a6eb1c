/**
 * applyWal against SQLite itself: every scenario is replayed both by applyWal (in memory) and by SQLite
 * (a private copy of the database and its -wal opened with better-sqlite3), and the two must read the same.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { applyWal } from '../../src/formats/sqlite-wal.js';
import { sqliteWithWal, tempDir } from '../fixtures/ios-backup.js';

type Db = Database.Database;

const PAGE = 4096;
const FRAME = 24 + PAGE;
const schema = 'CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT, handle_id INTEGER); CREATE INDEX message_handle ON message(handle_id);';

/** Every table's rows in rowid order: what "reads the same" means here. */
function dump(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const t of tables) out[t] = db.prepare(`SELECT rowid AS _rowid, * FROM "${t}" ORDER BY rowid`).all();
  return out;
}

/** SQLite's own replay: the pair copied into a fresh folder and opened there (it creates a -shm beside the copy). */
function sqliteReplay(db: Buffer, wal: Buffer): Record<string, unknown[]> {
  const dir = tempDir('walref');
  writeFileSync(join(dir, 'x.db'), db);
  writeFileSync(join(dir, 'x.db-wal'), wal);
  const conn = new Database(join(dir, 'x.db'), { readonly: true, fileMustExist: true });
  try {
    return dump(conn);
  } finally {
    conn.close();
  }
}

function ourReplay(db: Buffer, wal: Buffer): { rows: Record<string, unknown[]>; replay: ReturnType<typeof applyWal> } {
  const replay = applyWal(db, wal);
  const conn = new Database(replay.image, { readonly: true });
  try {
    return { rows: dump(conn), replay };
  } finally {
    conn.close();
  }
}

const texts = (rows: Record<string, unknown[]>): string[] => (rows.message as { text: string }[]).map((r) => r.text);

/**
 * A WAL-mode database after `transactions`, each its own commit, all after the last checkpoint. The bytes are
 * copied while the connection is open, so nothing is checkpointed into the main file.
 */
function walAfter(main: (db: Db) => void, transactions: ((db: Db) => void)[]): { db: Buffer; wal: Buffer; walSizes: number[] } {
  const path = join(tempDir('wal'), 'db.sqlite');
  const conn = new Database(path);
  conn.pragma('journal_mode = WAL');
  conn.pragma('wal_autocheckpoint = 0');
  conn.exec(schema);
  main(conn);
  conn.pragma('wal_checkpoint(TRUNCATE)');
  const walSizes: number[] = [];
  for (const tx of transactions) {
    conn.transaction(() => tx(conn))();
    walSizes.push(readFileSync(`${path}-wal`).length);
  }
  const bytes = { db: readFileSync(path), wal: readFileSync(`${path}-wal`), walSizes };
  conn.close();
  return bytes;
}

const insert = (from: number, to: number, label = 'msg') => (db: Db) => {
  const stmt = db.prepare('INSERT INTO message (ROWID, text, handle_id) VALUES (?, ?, ?)');
  for (let i = from; i <= to; i++) stmt.run(i, `${label} ${i} ${'x'.repeat(40)}`, i % 7);
};

describe('applyWal', () => {
  it('replays rows that exist only in the WAL, as SQLite reads them', () => {
    const { db, wal } = sqliteWithWal(schema, insert(1, 3), insert(4, 5, 'wal-only'));
    // Without the WAL, the main file alone has the first three messages.
    const before = openSqlite({ kind: 'buffer', data: db }, 'db');
    expect(before.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(3);
    before.close();

    const { rows, replay } = ourReplay(db, wal);
    expect(texts(rows).map((t) => t.split(' ').slice(0, 2).join(' '))).toEqual(['msg 1', 'msg 2', 'msg 3', 'wal-only 4', 'wal-only 5']);
    expect(rows).toEqual(sqliteReplay(db, wal));
    expect(replay.framesApplied).toBe((wal.length - 32) / FRAME);
    // The new rows touch the table's leaf page and its index's, nothing else (sqlite_master is page 1).
    expect(replay.pages).toEqual([2, 3]);
    expect(replay.note).toBeUndefined();
    // The image opens as a rollback-journal database.
    expect([replay.image[18], replay.image[19]]).toEqual([1, 1]);
    // The evidence buffers are not modified.
    expect(db[18]).toBe(2);
  });

  it('replays several transactions in order, later frames of a page winning', () => {
    const { db, wal } = walAfter(insert(1, 10), [
      insert(11, 20, 'tx1'),
      (c) => c.prepare("UPDATE message SET text = 'edited in tx2' WHERE ROWID = 12").run(),
      insert(21, 400, 'tx3'), // several pages: the database grows
    ]);
    const { rows, replay } = ourReplay(db, wal);
    expect(rows).toEqual(sqliteReplay(db, wal));
    expect(rows.message).toHaveLength(400);
    expect((rows.message as { text: string }[])[11]!.text).toBe('edited in tx2');
    expect(replay.image.length).toBeGreaterThan(db.length);
    expect(replay.image.length % PAGE).toBe(0);
    expect(replay.pages.length).toBeGreaterThan(3);
    expect(replay.pages).toEqual([...new Set(replay.pages)].sort((a, b) => a - b));
  });

  it('removes rows deleted in the WAL', () => {
    const { db, wal } = walAfter(insert(1, 50), [(c) => c.prepare('DELETE FROM message WHERE ROWID % 2 = 0').run(), insert(51, 52, 'after')]);
    const { rows } = ourReplay(db, wal);
    expect(rows).toEqual(sqliteReplay(db, wal));
    expect((rows.message as { _rowid: number }[]).map((r) => r._rowid)).toEqual([...Array.from({ length: 25 }, (_, i) => 2 * i + 1), 51, 52]);
  });

  it('truncates the image to the size of the last commit (a VACUUM that shrinks the database)', () => {
    const { db, wal } = walAfter(insert(1, 2_000), [(c) => c.prepare('DELETE FROM message WHERE ROWID > 10').run()]);
    // VACUUM cannot run inside a transaction: append it as its own commit on a reopened copy.
    const dir = tempDir('vacuum');
    writeFileSync(join(dir, 'v.db'), db);
    writeFileSync(join(dir, 'v.db-wal'), wal);
    const conn = new Database(join(dir, 'v.db'));
    conn.pragma('wal_autocheckpoint = 0');
    conn.exec('VACUUM');
    const vacuumed = { db: readFileSync(join(dir, 'v.db')), wal: readFileSync(join(dir, 'v.db-wal')) };
    conn.close();

    const { rows, replay } = ourReplay(vacuumed.db, vacuumed.wal);
    expect(rows).toEqual(sqliteReplay(vacuumed.db, vacuumed.wal));
    expect(rows.message).toHaveLength(10);
    expect(replay.image.length).toBeLessThan(vacuumed.db.length);
    // The in-header page count agrees with the image size.
    expect(replay.image.readUInt32BE(28) * PAGE).toBe(replay.image.length);
  });

  it('a torn last frame: only the transactions committed before it apply', () => {
    const { db, wal, walSizes } = walAfter(insert(1, 5), [insert(6, 8, 'committed'), insert(9, 9, 'torn')]);
    const torn = wal.subarray(0, walSizes[1]! - 1000); // the last transaction's commit frame lost its tail
    const { rows, replay } = ourReplay(db, torn);
    expect(rows).toEqual(sqliteReplay(db, torn));
    expect(texts(rows).map((t) => t.split(' ')[0])).toEqual(['msg', 'msg', 'msg', 'msg', 'msg', 'committed', 'committed', 'committed']);
    expect(replay.framesApplied).toBe((walSizes[0]! - 32) / FRAME);
    expect(replay.note).toMatch(/partial frame of \d+ bytes at the end ignored \(torn write\)/);
  });

  it('frames of a transaction that never committed are ignored and reported', () => {
    const { db, wal, walSizes } = walAfter(insert(1, 5), [insert(6, 6, 'committed'), insert(7, 300, 'uncommitted')]);
    // Drop only the commit frame of the second transaction: its other frames remain, uncommitted.
    const uncommitted = wal.subarray(0, walSizes[1]! - FRAME);
    const ignored = (uncommitted.length - walSizes[0]!) / FRAME;
    expect(ignored).toBeGreaterThan(0);
    const { rows, replay } = ourReplay(db, uncommitted);
    expect(rows).toEqual(sqliteReplay(db, uncommitted));
    expect(rows.message).toHaveLength(6);
    expect(replay.note).toBe(`${ignored} frame(s) after the last commit ignored (an uncommitted transaction)`);
  });

  it('a WAL holding only an uncommitted transaction applies nothing', () => {
    const { db, wal } = walAfter(insert(1, 5), [insert(6, 300, 'uncommitted')]);
    const replay = applyWal(db, wal.subarray(0, wal.length - FRAME));
    expect(replay.image).toBe(db);
    expect(replay.note).toBe(`no committed transaction in the WAL (${(wal.length - 32) / FRAME - 1} valid frame(s), none a commit)`);
  });

  it('a stale WAL (frames from an earlier generation, salts differ from the header) applies nothing', () => {
    // Generation 1: two transactions. Generation 2 (after a checkpoint): the header gets new salts.
    const path = join(tempDir('stale'), 'db.sqlite');
    const conn = new Database(path);
    conn.pragma('journal_mode = WAL');
    conn.pragma('wal_autocheckpoint = 0');
    conn.exec(schema);
    insert(1, 3)(conn);
    conn.pragma('wal_checkpoint(TRUNCATE)');
    insert(4, 200, 'gen1')(conn);
    const gen1 = readFileSync(`${path}-wal`);
    conn.pragma('wal_checkpoint(RESTART)');
    insert(201, 201, 'gen2')(conn);
    const gen2 = readFileSync(`${path}-wal`);
    const main = readFileSync(path);
    conn.close();
    expect(gen2.readUInt32BE(16)).not.toBe(gen1.readUInt32BE(16));

    // Generation 2's header in front of generation 1's frames: no frame matches the header's salts.
    const stale = Buffer.concat([gen2.subarray(0, 32), gen1.subarray(32)]);
    const replay = applyWal(main, stale);
    expect(replay.image).toBe(main);
    expect(replay.framesApplied).toBe(0);
    expect(replay.pages).toEqual([]);
    expect(replay.note).toBe('the WAL frames belong to an earlier WAL generation (salts differ from the header): nothing to replay');
    const stillThere = sqliteReplay(main, stale);
    const ours = new Database(Buffer.from(main).fill(1, 18, 20), { readonly: true });
    expect(dump(ours)).toEqual(stillThere);
    ours.close();

    // The real generation-2 WAL: its first frame is new, the frames after it are left over from generation 1
    // (salts differ) and are ignored, silently, as SQLite does.
    const { rows, replay: r2 } = ourReplay(main, gen2);
    expect(rows).toEqual(sqliteReplay(main, gen2));
    expect(texts(rows).at(-1)).toMatch(/^gen2 201/);
    expect(r2.framesApplied).toBeLessThan((gen2.length - 32) / FRAME);
    expect(r2.note).toBeUndefined();
  });

  it('reads WALs written with big-endian checksums (magic 0x377f0683), as a big-endian machine writes them', () => {
    const { db, wal } = walAfter(insert(1, 3), [insert(4, 40, 'be'), insert(41, 41, 'be')]);
    const bigEndian = reencodeChecksums(wal, true);
    expect(bigEndian.readUInt32BE(0)).toBe(0x377f0683);
    const sqlite = sqliteReplay(db, bigEndian);
    expect(sqlite.message).toHaveLength(41); // SQLite accepts the re-encoded WAL
    expect(ourReplay(db, bigEndian).rows).toEqual(sqlite);
  });

  it('a checksum error in a frame stops the replay there, keeping earlier commits', () => {
    const { db, wal, walSizes } = walAfter(insert(1, 5), [insert(6, 6, 'first'), insert(7, 7, 'second')]);
    const damaged = Buffer.from(wal);
    const at = walSizes[0]! + 24 + 100; // inside the page of the second transaction's first frame
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0xff, at);
    const { rows, replay } = ourReplay(db, damaged);
    expect(rows).toEqual(sqliteReplay(db, damaged));
    expect(rows.message).toHaveLength(6);
    expect(replay.note).toBe('replay stopped at an invalid frame (checksum)');
  });

  it.each([
    ['an empty WAL', () => Buffer.alloc(0), 'empty WAL'],
    ['a truncated header', (w: Buffer) => w.subarray(0, 20), 'WAL header truncated (20 of 32 bytes)'],
    ['not a WAL', (w: Buffer) => Buffer.concat([Buffer.from('SQLite format 3\0'), w.subarray(16)]), 'not a SQLite WAL (magic 0x53514c69 at offset 0)'],
    ['a damaged header checksum', (w: Buffer) => Buffer.from(w).fill(0, 24, 28), 'WAL header checksum mismatch at offset 24 (SQLite ignores such a WAL)'],
    ['a header with no frames', (w: Buffer) => w.subarray(0, 32), 'the WAL holds no frames'],
    ['an unknown format version', (w: Buffer) => Buffer.from(w).fill(9, 4, 8), 'unsupported WAL format version 151587081 at offset 4 (expected 3007000)'],
    ['a bad page size', (w: Buffer) => Buffer.from(w).fill(0, 8, 12), 'invalid WAL page size 0 at offset 8'],
  ])('%s leaves the image unchanged and says why', (_name, damage, note) => {
    const { db, wal } = sqliteWithWal(schema, insert(1, 3), insert(4, 5));
    const replay = applyWal(db, damage(wal));
    expect(replay).toEqual({ image: db, framesApplied: 0, pages: [], note });
    expect(replay.image).toBe(db);
  });

  it('a WAL whose page size differs from the database page size is ignored', () => {
    const { db, wal } = sqliteWithWal(schema, insert(1, 3), insert(4, 5));
    const other = Buffer.from(db);
    other.writeUInt16BE(1024, 16);
    expect(applyWal(other, wal).note).toBe('WAL page size 4096 differs from the database page size 1024');
  });
});

describe('applyWal: the image is bounded by what the inputs hold (issue 7)', () => {
  /** The WAL with its last frame's "database size in pages" replaced, checksums recomputed as SQLite would. */
  const claiming = (wal: Buffer, pages: number): Buffer => {
    const out = Buffer.from(wal);
    out.writeUInt32BE(pages, 32 + ((wal.length - 32) / FRAME - 1) * FRAME + 4);
    return reencodeChecksums(out, false);
  };
  /** One committed frame for page `pgno`, appended with a valid checksum. */
  const withFrameFor = (wal: Buffer, pgno: number): Buffer => {
    const frame = Buffer.alloc(FRAME);
    frame.writeUInt32BE(pgno, 0);
    frame.writeUInt32BE(pgno, 4);
    wal.copy(frame, 8, 16, 24); // the header's salts
    return reencodeChecksums(Buffer.concat([wal, frame]), false);
  };

  const fixture = () => {
    const { db, wal } = sqliteWithWal(schema, insert(1, 3), insert(4, 5, 'wal-only'));
    const mainPages = db.length / PAGE;
    const walPages = new Set(Array.from({ length: (wal.length - 32) / FRAME }, (_v, i) => wal.readUInt32BE(32 + i * FRAME))).size;
    return { db, wal, justified: mainPages + walPages, mainPages, walPages };
  };

  it("a commit frame claiming exactly the main file's pages plus the WAL's distinct pages gets that image", () => {
    const { db, wal, justified } = fixture();
    const atBound = claiming(wal, justified);
    const { rows, replay } = ourReplay(db, atBound);
    expect(replay.image.length).toBe(justified * PAGE);
    expect(replay.note).toBeUndefined();
    expect(rows).toEqual(sqliteReplay(db, atBound));
  });

  it('one page more is capped at that size, says why, and reads as SQLite reads it', () => {
    const { db, wal, justified, mainPages, walPages } = fixture();
    const over = claiming(wal, justified + 1);
    const { rows, replay } = ourReplay(db, over);
    expect(replay.image.length).toBe(justified * PAGE);
    expect(replay.note).toBe(
      `the last commit frame claims ${justified + 1} pages but the database file (${mainPages}) and the committed WAL frames (${walPages} distinct pages) justify at most ${justified}: image capped at ${justified} pages`,
    );
    expect(texts(rows)).toHaveLength(5);
    expect(rows).toEqual(sqliteReplay(db, over));
  });

  it('a commit frame claiming 500,000 pages (2 GB) gives an image of the justified size, at once', () => {
    const { db, wal, justified } = fixture();
    const started = performance.now();
    const replay = applyWal(db, claiming(wal, 500_000));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(replay.image.length).toBe(justified * PAGE);
    expect(replay.note).toMatch(/^the last commit frame claims 500000 pages .* image capped at \d+ pages$/);
  });

  it('a lone committed frame for page 4,000,000,000 is ignored rather than allocating 16 TB', () => {
    const { db, wal, mainPages, walPages } = fixture();
    const { rows, replay } = ourReplay(db, withFrameFor(wal, 4_000_000_000));
    const justified = mainPages + walPages + 1;
    expect(replay.image.length).toBe(justified * PAGE);
    expect(replay.note).toBe(
      `the last commit frame claims 4000000000 pages but the database file (${mainPages}) and the committed WAL frames (${walPages + 1} distinct pages) justify at most ${justified}: image capped at ${justified} pages, 1 frame(s) for pages past it ignored`,
    );
    expect(texts(rows)).toHaveLength(5);
  });
});

/**
 * Rewrites a WAL with the other checksum byte order (SQLite's algorithm, fileformat2 §4.4). Written here, apart
 * from the code under test, and validated by SQLite accepting the result.
 */
function reencodeChecksums(wal: Buffer, bigEndian: boolean): Buffer {
  const out = Buffer.from(wal);
  out.writeUInt32BE(bigEndian ? 0x377f0683 : 0x377f0682, 0);
  const word = (i: number) => (bigEndian ? out.readUInt32BE(i) : out.readUInt32LE(i));
  let s0 = 0;
  let s1 = 0;
  const add = (from: number, to: number) => {
    for (let i = from; i < to; i += 8) {
      s0 = (s0 + word(i) + s1) >>> 0;
      s1 = (s1 + word(i + 4) + s0) >>> 0;
    }
  };
  add(0, 24);
  out.writeUInt32BE(s0, 24);
  out.writeUInt32BE(s1, 28);
  const pageSize = out.readUInt32BE(8);
  for (let at = 32; at + 24 + pageSize <= out.length; at += 24 + pageSize) {
    if (out.readUInt32BE(at + 8) !== out.readUInt32BE(16) || out.readUInt32BE(at + 12) !== out.readUInt32BE(20)) break;
    add(at, at + 8);
    add(at + 24, at + 24 + pageSize);
    out.writeUInt32BE(s0, at + 16);
    out.writeUInt32BE(s1, at + 20);
  }
  return out;
}
