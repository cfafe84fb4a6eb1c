/**
 * Opening SQLite evidence without touching it (stack-notes §1): even a read-only open of a WAL-mode database
 * creates or changes -wal/-shm beside it, and better-sqlite3 has no `immutable=1`. So evidence is either
 * deserialised from memory (no WAL to replay) or copied with its sidecars into a private temp folder and
 * opened there. The handle owns that copy and deletes it on close.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../errors.js';
import { applyWal } from '../formats/sqlite-wal.js';
import { copyOpened, openRegular } from './contained.js';
import { guardSchemaObjects, schemaObjects, type SchemaObjects } from './sqlite-schema.js';
import { privateTempDir, removeTempDir } from './temp.js';

export type SqliteDb = Database.Database;

export const sqliteLimits = {
  /** Above this size a database is read from a private temp file instead of held in memory. Tests lower it. */
  maxInMemoryBytes: 64 * 1024 * 1024,
};

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export interface SqliteHandle {
  readonly db: SqliteDb;
  /** Names what was opened, for messages: "sms.db (HomeDomain/Library/SMS/sms.db)". */
  readonly what: string;
  /** True when a -wal was replayed: some rows may exist only there. */
  readonly walApplied: boolean;
  /** True for a real table only: a view or virtual table under the name is not read (see `notATable`). */
  hasTable(table: string): boolean;
  /** Why `table` exists but is not read ("`message` is a view, not a table: not read"), or null. */
  notATable(table: string): string | null;
  columns(table: string): Set<string>;
  /** Row ids of `table` that exist only once the WAL is applied (empty when there was no WAL). */
  walOnlyRowids(table: string): Set<number>;
  close(): void;
}

export type SqliteInput =
  | { kind: 'buffer'; data: Buffer; wal?: Buffer | undefined }
  /** Real paths the source checked are inside the acquisition; copied (up to their fstat size) before opening. */
  | { kind: 'file'; path: string; wal?: string | undefined; shm?: string | undefined }
  /** A database (and `-wal` beside it) already written into a private temp folder of ours: opened there, and the folder removed on close. */
  | { kind: 'private-file'; dir: string; path: string; hasWal: boolean };

/**
 * Private copies of large evidence databases (above `maxInMemoryBytes`, without a WAL) this thread made and
 * still holds open, by the evidence path they copy: a `--jobs` pool hands them to its worker threads, which
 * open the same copy read-only instead of each copying the same 90 MB Manifest.db again.
 */
const heldCopies = new Map<string, string>();
/** In a worker thread: the main thread's copies (it removes them, when its own handles close at the end of the run). */
let sharedCopies: ReadonlyMap<string, string> = new Map();

export function sqliteCopiesToShare(): Readonly<Record<string, string>> {
  return Object.fromEntries(heldCopies);
}

export function useSharedSqliteCopies(copies: Readonly<Record<string, string>>): void {
  sharedCopies = new Map(Object.entries(copies));
}

export function isSqliteImage(head: Buffer): boolean {
  return head.length >= 16 && head.subarray(0, 16).equals(SQLITE_MAGIC);
}

export function openSqlite(input: SqliteInput, what: string): SqliteHandle {
  if (input.kind === 'buffer') {
    assertSqlite(input.data, what);
    if (input.data.length + (input.wal?.length ?? 0) <= sqliteLimits.maxInMemoryBytes) {
      if (input.wal === undefined) return wrap(openImage(input.data, what), what, false, null);
      // Replayed in memory (formats/sqlite-wal.ts): no copy of the evidence, decrypted or not, touches disk.
      const replay = applyWal(input.data, input.wal);
      const data = input.data;
      return wrap(openImage(replay.image, what), what, replay.framesApplied > 0, () => openImage(data, what));
    }
    const dir = privateTempDir('sqlite');
    const dbPath = join(dir, 'evidence.db');
    writeFileSync(dbPath, input.data, { mode: 0o600 });
    if (input.wal) writeFileSync(`${dbPath}-wal`, input.wal, { mode: 0o600 });
    const data = input.data;
    return openCopy(dir, dbPath, what, input.wal !== undefined, () => openImage(data, what));
  }
  if (input.kind === 'private-file') {
    if (!hasSqliteHeader(input.path)) {
      removeTempDir(input.dir);
      throw new FormatError(what, 'not a SQLite database (bad header)');
    }
    // Row ids "only in the WAL" would need a second, WAL-less copy of a large database: not offered here.
    return openCopy(input.dir, input.path, what, input.hasWal, null);
  }
  const shared = input.wal || input.shm ? undefined : sharedCopies.get(input.path);
  if (shared !== undefined) return openSharedCopy(shared, input.path, what);
  const dir = privateTempDir('sqlite');
  const dbPath = join(dir, 'evidence.db');
  try {
    copyEvidence(input.path, dbPath, what);
    if (input.wal) copyEvidence(input.wal, `${dbPath}-wal`, `${what}-wal`);
    if (input.shm) copyEvidence(input.shm, `${dbPath}-shm`, `${what}-shm`);
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
  if (!hasSqliteHeader(dbPath)) {
    removeTempDir(dir);
    throw new FormatError(what, 'not a SQLite database (bad header)');
  }
  const original = input.path;
  if (!input.wal && !input.shm) {
    const handle = openCopy(dir, dbPath, what, false, null);
    heldCopies.set(original, dbPath);
    return { ...handle, close: () => (heldCopies.delete(original), handle.close()) };
  }
  return openCopy(dir, dbPath, what, input.wal !== undefined, () => {
    // The main file as stored, without its WAL, beside the copy (so it goes when the folder does).
    const base = join(dir, 'base.db');
    copyEvidence(original, base, what);
    return new Database(base, { readonly: true, fileMustExist: true });
  });
}

/** A bounded copy: never more than the size `fstat` gave when the file was opened. */
function copyEvidence(src: string, dest: string, what: string): void {
  const opened = openRegular(src, what);
  try {
    copyOpened(opened, dest);
  } finally {
    closeSync(opened.fd);
  }
}

function hasSqliteHeader(path: string): boolean {
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return isSqliteImage(head);
}

function assertSqlite(data: Buffer, what: string): void {
  if (data.length === 0) throw new FormatError(what, 'empty file (expected a SQLite database)');
  if (!isSqliteImage(data)) throw new FormatError(what, 'not a SQLite database (bad header)');
}

/**
 * A WAL-mode header (bytes 18/19 = 2) makes a deserialised image refuse to prepare statements;
 * patching them to 1 (rollback journal) reads the main file as stored.
 */
function openImage(data: Buffer, what: string): SqliteDb {
  let image = data;
  if (data[18] === 2 || data[19] === 2) {
    image = Buffer.from(data);
    image[18] = 1;
    image[19] = 1;
  }
  // A header followed by noise, or a file cut after its first page, opens fine and fails on the first read:
  // callers meet that on their first query (schema checks report it as a damaged database, naming the file).
  try {
    return new Database(image, { readonly: true });
  } catch (err) {
    throw new FormatError(what, `cannot open SQLite image (${(err as Error).message})`, { cause: err });
  }
}

/** Another thread's copy of `original` (no WAL), opened read-only; that thread removes it. */
function openSharedCopy(copy: string, original: string, what: string): SqliteHandle {
  let db: SqliteDb;
  try {
    db = new Database(copy, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw new FormatError(what, `cannot open SQLite database (${(err as Error).message}; a copy of ${original})`, { cause: err });
  }
  return wrap(db, what, false, null);
}

function openCopy(dir: string, dbPath: string, what: string, hasWal: boolean, openBase: (() => SqliteDb) | null): SqliteHandle {
  let db: SqliteDb;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    removeTempDir(dir);
    throw new FormatError(what, `cannot open SQLite database (${(err as Error).message})`, { cause: err });
  }
  return wrap(db, what, hasWal, hasWal ? openBase : null, () => removeTempDir(dir));
}

function wrap(
  db: SqliteDb,
  what: string,
  walApplied: boolean,
  openBase: (() => SqliteDb) | null,
  onClose?: () => void,
): SqliteHandle {
  const columnCache = new Map<string, Set<string>>();
  let base: SqliteDb | null | undefined;
  const walOnly = new Map<string, Set<number>>();
  let objects: SchemaObjects | undefined;
  const schema = () => (objects ??= schemaObjects(db));
  return {
    // Artifacts get a connection that refuses statements naming a view or virtual table (sqlite-schema.ts).
    db: guardSchemaObjects(db, what, schema),
    what,
    walApplied,
    hasTable(table) {
      return schema().tables.has(table.toLowerCase());
    },
    notATable(table) {
      return schema().describeRefused(table);
    },
    columns(table) {
      let cols = columnCache.get(table);
      if (!cols) {
        const rows = db.prepare(`PRAGMA table_info(${quoteIdent(table)})`).all() as { name: string }[];
        cols = new Set(rows.map((r) => r.name));
        columnCache.set(table, cols);
      }
      return cols;
    },
    walOnlyRowids(table) {
      if (!openBase || !schema().tables.has(table.toLowerCase())) return new Set();
      let ids = walOnly.get(table);
      if (ids) return ids;
      if (base === undefined) {
        try {
          base = openBase();
        } catch {
          base = null;
        }
      }
      const all = db.prepare(`SELECT rowid AS id FROM ${quoteIdent(table)}`).pluck().all() as number[];
      let before = new Set<number>();
      if (base) {
        try {
          before = new Set(base.prepare(`SELECT rowid AS id FROM ${quoteIdent(table)}`).pluck().all() as number[]);
        } catch {
          // The table itself may exist only in the WAL.
        }
      }
      ids = new Set(all.filter((id) => !before.has(id)));
      walOnly.set(table, ids);
      return ids;
    },
    close() {
      try {
        db.close();
        base?.close();
      } finally {
        onClose?.();
      }
    },
  };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
