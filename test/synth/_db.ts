/** Helpers for the synth tests: open a generated database from memory and fingerprint query results. */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdOf } from '../../src/evidence/ios-backup.js';

/**
 * A generated (or copied) database opened from its bytes: nothing is written next to the file. A WAL-mode
 * header (bytes 18–19 = 2) cannot be deserialised, so the in-memory image is marked rollback-mode; these files
 * have no -wal beside them, so nothing is lost.
 */
export function openBytes(path: string): Database.Database {
  const image = readFileSync(path);
  if (image[18] === 2 && image[19] === 2) image[18] = image[19] = 1;
  return new Database(image);
}

/** The database stored in a backup folder for (domain, relativePath). */
export function openFromBackup(backup: string, domain: string, relativePath: string): Database.Database {
  const id = fileIdOf(domain, relativePath);
  return openBytes(join(backup, id.slice(0, 2), id));
}

/** SHA-256 of every row a query returns, in order, with 64-bit integers and blobs kept exact. */
export function queryHash(db: Database.Database, sql: string): string {
  const h = createHash('sha256');
  for (const row of db.prepare(sql).raw().safeIntegers().iterate() as Iterable<unknown[]>) {
    h.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : Buffer.isBuffer(v) ? v.toString('base64') : v)));
    h.update('\n');
  }
  return h.digest('hex');
}

/** Every user table's rows, in rowid order: a fingerprint of the whole content, independent of page layout. */
export function contentHash(db: Database.Database): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return createHash('sha256')
    .update(tables.map((t) => `${t}:${queryHash(db, `SELECT * FROM "${t}"`)}`).join('\n'))
    .digest('hex');
}

export function count(db: Database.Database, table: string): number {
  return db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
}

export function columnsOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
}

/** Reads the text out of a message.attributedBody typedstream (NSString payload), as an independent check. */
export function typedstreamText(blob: Buffer): string {
  const marker = blob.indexOf(Buffer.from('NSString', 'latin1'));
  if (marker < 0) throw new Error('no NSString in typedstream');
  let at = marker + 'NSString'.length;
  const expected = Buffer.from('01948401 2b'.replace(/\s/g, ''), 'hex');
  if (!blob.subarray(at, at + expected.length).equals(expected)) throw new Error('unexpected bytes after NSString');
  at += expected.length;
  let length = blob[at]!;
  at += 1;
  if (length === 0x81) {
    length = blob.readInt16LE(at);
    at += 2;
  } else if (length === 0x82) {
    length = blob.readInt32LE(at);
    at += 4;
  }
  return blob.subarray(at, at + length).toString('utf8');
}
