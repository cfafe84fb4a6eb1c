import Database from 'better-sqlite3';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { privateTempRoot } from '../../src/evidence/temp.js';
import { mvtIosBackup } from '../helpers/data.js';
import { sqliteBytes, sqliteWithWal, tempDir } from '../fixtures/ios-backup.js';

describe('openSqlite never touches evidence', () => {
  it('opens a WAL-mode image from memory by reading its main file as stored', () => {
    const data = readFileSync(join(mvtIosBackup(), 'Manifest.db'));
    expect(data[18]).toBe(2); // the MVT test manifest has a WAL-mode header and no -wal beside it
    const h = openSqlite({ kind: 'buffer', data }, 'Manifest.db');
    expect(h.db.prepare('SELECT count(*) FROM Files').pluck().get()).toBe(3721);
    expect(h.walApplied).toBe(false);
    h.close();
  });

  it('replays a -wal in memory, writing no file at all, and knows which rows exist only there', () => {
    const { db, wal } = sqliteWithWal(
      'CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)',
      (d) => d.prepare("INSERT INTO message (text) VALUES ('checkpointed')").run(),
      (d) => d.prepare("INSERT INTO message (text) VALUES ('only in the wal')").run(),
    );
    const before = readdirSync(privateTempRoot()).length;
    const h = openSqlite({ kind: 'buffer', data: db, wal }, 'sms.db');
    expect(h.walApplied).toBe(true);
    expect(h.db.prepare('SELECT text FROM message ORDER BY ROWID').pluck().all()).toEqual(['checkpointed', 'only in the wal']);
    expect([...h.walOnlyRowids('message')]).toEqual([2]);
    expect(readdirSync(privateTempRoot()).length).toBe(before);
    h.close();
  });

  it('opens a file with its sidecars without creating anything beside it', () => {
    const dir = tempDir('evidence');
    const path = join(dir, 'History.db');
    const live = new Database(path);
    live.pragma('journal_mode = WAL');
    live.pragma('wal_autocheckpoint = 0');
    live.exec('CREATE TABLE t (a)');
    live.prepare('INSERT INTO t VALUES (1)').run();
    const listing = readdirSync(dir).sort();
    expect(listing).toEqual(['History.db', 'History.db-shm', 'History.db-wal']);
    const hashes = listing.map((f) => readFileSync(join(dir, f)).toString('base64'));
    const h = openSqlite({ kind: 'file', path, wal: `${path}-wal`, shm: `${path}-shm` }, 'History.db');
    expect(h.db.prepare('SELECT a FROM t').pluck().all()).toEqual([1]);
    h.close();
    expect(readdirSync(dir).sort()).toEqual(listing);
    expect(listing.map((f) => readFileSync(join(dir, f)).toString('base64'))).toEqual(hashes);
    live.close();
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'sms.db: empty file (expected a SQLite database)'],
    ['a plist', Buffer.from('bplist00garbage'), 'sms.db: not a SQLite database (bad header)'],
  ])('rejects %s with a message naming the file', (_n, data, message) => {
    expect(() => openSqlite({ kind: 'buffer', data }, 'sms.db')).toThrow(FormatError);
    expect(() => openSqlite({ kind: 'buffer', data }, 'sms.db')).toThrow(message);
  });

  it('keeps the rows readable before a corrupted page, and reports the damage as SQLITE_CORRUPT', () => {
    const data = sqliteBytes('CREATE TABLE t (a TEXT)', (d) => {
      const ins = d.prepare('INSERT INTO t VALUES (?)');
      d.transaction(() => {
        for (let i = 0; i < 5000; i++) ins.run(`row ${i} ${'x'.repeat(50)}`);
      })();
    });
    const damaged = Buffer.from(data);
    damaged.fill(0xff, data.length / 2, data.length / 2 + 4096);
    const h = openSqlite({ kind: 'buffer', data: damaged }, 't.db');
    const rows: unknown[] = [];
    let code: unknown;
    try {
      for (const r of h.db.prepare('SELECT a FROM t').iterate()) rows.push(r);
    } catch (err) {
      code = (err as { code?: string }).code;
    }
    h.close();
    expect(code).toBe('SQLITE_CORRUPT');
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.length).toBeLessThan(5000);
  });
});

describe('a damaged database gives the same answer from memory and from a private copy', () => {
  it('cut after its first page: it opens, and its first query fails with SQLITE_CORRUPT (the caller names the file as damaged)', () => {
    const data = sqliteBytes('CREATE TABLE t (a TEXT)', (d) => {
      const ins = d.prepare('INSERT INTO t VALUES (?)');
      d.transaction(() => {
        for (let i = 0; i < 2000; i++) ins.run(`row ${i} ${'x'.repeat(50)}`);
      })();
    });
    const cut = data.subarray(0, 4096);
    const path = join(tempDir('cut-db'), 't.db');
    writeFileSync(path, cut);
    const codes = [openSqlite({ kind: 'buffer', data: cut }, 't.db'), openSqlite({ kind: 'file', path }, 't.db')].map((h) => {
      try {
        h.db.prepare('SELECT count(*) FROM t').pluck().get();
        return 'read';
      } catch (err) {
        return (err as { code?: string }).code;
      } finally {
        h.close();
      }
    });
    expect(codes).toEqual(['SQLITE_CORRUPT', 'SQLITE_CORRUPT']);
  });
});

describe('what an evidence connection holds in memory', () => {
  it('a 2 MiB page cache, held in memory or opened from a copy alike, not better-sqlite3\'s 16 MB default (which doubled an image)', () => {
    const fresh = new Database(':memory:');
    expect(fresh.pragma('cache_size', { simple: true })).toBe(-16000); // the default this bounds
    fresh.close();
    const manifest = join(mvtIosBackup(), 'Manifest.db');
    const image = openSqlite({ kind: 'buffer', data: readFileSync(manifest) }, 'Manifest.db');
    const copy = openSqlite({ kind: 'file', path: manifest }, 'Manifest.db');
    try {
      for (const h of [image, copy]) {
        expect(h.db.pragma('cache_size', { simple: true })).toBe(-2048);
        expect(h.db.prepare('SELECT count(*) FROM Files').pluck().get()).toBe(3721);
      }
      expect([image.db.memory, copy.db.memory]).toEqual([true, false]);
    } finally {
      image.close();
      copy.close();
    }
  });
});
