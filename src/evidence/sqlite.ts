/**
 * Opening SQLite evidence without touching it (stack-notes §1): even a read-only open of a WAL-mode database
 * creates or changes -wal/-shm beside it, and better-sqlite3 has no `immutable=1`. So evidence is either
 * deserialised from memory (no WAL to replay) or copied with its sidecars into a private temp folder and
 * opened there. The handle owns that copy and deletes it on close.
 *
 * In a sealed-scratch run (sealed-scratch.ts) there is no copy: every database, whatever its size up to
 * `maxSealedInMemoryBytes`, is deserialised from memory (its -wal replayed there), and SQLite's own temporary
 * tables and sorts are kept in memory too, so no page of the evidence reaches the temp folder.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../errors.js';
import { applyWal } from '../formats/sqlite-wal.js';
import { copyOpened, openRegular, readOpened } from './contained.js';
import { scratchIsSealed } from './sealed-scratch.js';
import { guardSchemaObjects, schemaObjects, type SchemaObjects } from './sqlite-schema.js';
import { privateTempDir, removeTempDir } from './temp.js';

export type SqliteDb = Database.Database;

export const sqliteLimits = {
  /** Above this size a database is read from a private temp file instead of held in memory. Tests lower it. */
  maxInMemoryBytes: 64 * 1024 * 1024,
  /**
   * In a sealed-scratch run, a database (with its -wal) up to this size is held in memory instead of copied to
   * temp; a larger one is refused with one line. Replaying a -wal or patching a WAL-mode header holds up to
   * three copies at once, so this is about a third of what a run may take. SQLite cannot take an image above
   * ~2 GiB whatever this says (better-sqlite3 copies it into one sqlite3_malloc64 block, capped by
   * SQLITE_MAX_ALLOCATION_SIZE = 2147483391). Tests lower it.
   */
  maxSealedInMemoryBytes: 1024 * 1024 * 1024,
  /**
   * SQLite's page cache of an evidence connection, in KiB. better-sqlite3 builds SQLite with a 16 MB default
   * (SQLITE_DEFAULT_CACHE_SIZE=-16000) per connection, and a parser's one pass over its tables fills it: for a
   * database held in memory that is a second copy of the image (a 14 MB sms.db cost 28 MB), for a temp copy on
   * disk 16 MB more than the OS's own file cache already holds. Evidence is read once, in scans and index
   * look-ups; 2 MiB keeps an index's upper pages hot at no measurable cost in time, and keeps memory flat
   * whatever the database's size (issue #8: a 100k-entry backup's peak RSS within 1.3x of a 10k one's).
   */
  pageCacheKiB: 2048,
  /**
   * A database a parser reads from a folder acquisition, stored in the clear and without a -wal, is opened from a
   * private copy whatever its size, not deserialised from memory: the copy costs the page cache above, an image
   * its size twice (the bytes read, then SQLite's own copy; the first is freed only when the GC gets to it, which
   * on a 100k-entry backup came after the 14 MB sms.db had added 37 MB to the peak RSS). Plaintext of encrypted
   * evidence and archive members (never extracted) stay in memory up to `maxInMemoryBytes`; a sealed-scratch run
   * never copies (sealed-scratch.ts). Tests turn it off to reach the in-memory path through a folder.
   */
  copyFromFolders: true,
};

/**
 * Whether a database (and -wal) of `bytes` is read into memory rather than copied to a private temp file: below
 * the in-memory limit, and always in a sealed-scratch run, where one past `maxSealedInMemoryBytes` is refused
 * (its plaintext may not be written to temp, and memory is bounded).
 */
export function keepInMemory(bytes: number, what: string): boolean {
  if (bytes <= sqliteLimits.maxInMemoryBytes) return true;
  if (!scratchIsSealed()) return false;
  if (bytes > sqliteLimits.maxSealedInMemoryBytes) {
    throw new FormatError(
      what,
      `${bytes} bytes: larger than the ${sqliteLimits.maxSealedInMemoryBytes} bytes a sealed-scratch run opens in memory (its plaintext is never written to temp): not read`,
    );
  }
  return true;
}

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
  /**
   * A database (and `-wal` beside it) already written into a private temp folder of ours: opened there, and the
   * folder removed on close. `copyOf`: the evidence file it is a copy of (no WAL), which worker threads may share.
   */
  | { kind: 'private-file'; dir: string; path: string; hasWal: boolean; copyOf?: string };

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
    if (keepInMemory(input.data.length + (input.wal?.length ?? 0), what)) {
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
    if (scratchIsSealed()) {
      // A caller's bug, not the evidence's: every source reads into memory in a sealed run (keepInMemory).
      removeTempDir(input.dir);
      throw new Error(`${what}: a database was written to temp during a sealed-scratch run`);
    }
    if (!hasSqliteHeader(input.path)) {
      removeTempDir(input.dir);
      throw new FormatError(what, 'not a SQLite database (bad header)');
    }
    // Row ids "only in the WAL" would need a second, WAL-less copy of a large database: not offered here.
    const handle = openCopy(input.dir, input.path, what, input.hasWal, null);
    return input.copyOf !== undefined && !input.hasWal ? held(handle, input.copyOf, input.path) : handle;
  }
  if (scratchIsSealed()) return openSqlite(readEvidence(input, what), what);
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
  if (!input.wal && !input.shm) return held(openCopy(dir, dbPath, what, false, null), original, dbPath);
  return openCopy(dir, dbPath, what, input.wal !== undefined, () => {
    // The main file as stored, without its WAL, beside the copy (so it goes when the folder does).
    const base = join(dir, 'base.db');
    copyEvidence(original, base, what);
    return boundPageCache(new Database(base, { readonly: true, fileMustExist: true }));
  });
}

/**
 * A sealed run's folder database: read into memory (bounded by `fstat` sizes and `keepInMemory`); the -shm
 * is not needed, the -wal is replayed in memory.
 */
function readEvidence(input: { path: string; wal?: string | undefined }, what: string): SqliteInput {
  const main = openRegular(input.path, what);
  let wal: ReturnType<typeof openRegular> | undefined;
  try {
    wal = input.wal ? openRegular(input.wal, `${what}-wal`) : undefined;
    keepInMemory(main.size + (wal?.size ?? 0), what);
    return { kind: 'buffer', data: readOpened(main), wal: wal ? readOpened(wal) : undefined };
  } finally {
    closeSync(main.fd);
    if (wal) closeSync(wal.fd);
  }
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
    const db = boundPageCache(new Database(image, { readonly: true }));
    // SQLite's temporary tables, indices and sorts go to unnamed files in TMPDIR by default (TEMP_STORE=1).
    if (scratchIsSealed()) db.pragma('temp_store = MEMORY');
    return db;
  } catch (err) {
    throw new FormatError(what, `cannot open SQLite image (${(err as Error).message})`, { cause: err });
  }
}

/** Our copy of `original` (no WAL), offered to worker threads while it is open. */
function held(handle: SqliteHandle, original: string, copy: string): SqliteHandle {
  heldCopies.set(original, copy);
  return { ...handle, close: () => (heldCopies.delete(original), handle.close()) };
}

/** Whether another thread's copy of this evidence database is at hand (`openSqlite` opens it instead of copying). */
export function sharedCopyOf(original: string): string | undefined {
  return sharedCopies.get(original);
}

/** Another thread's copy of `original` (no WAL), opened read-only; that thread removes it. */
function openSharedCopy(copy: string, original: string, what: string): SqliteHandle {
  let db: SqliteDb;
  try {
    db = boundPageCache(new Database(copy, { readonly: true, fileMustExist: true }));
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    throw new FormatError(what, `cannot open SQLite database (${(err as Error).message}; a copy of ${original})`, { cause: err });
  }
  return wrap(db, what, false, null);
}

/** See `sqliteLimits.pageCacheKiB`. A negative cache_size is in KiB, a positive one in pages. */
function boundPageCache(db: SqliteDb): SqliteDb {
  try {
    db.pragma(`cache_size = -${sqliteLimits.pageCacheKiB}`);
  } catch {
    // A pragma reads the schema: a damaged database fails here, and is reported by its caller's first query
    // (naming the file and what was expected), as it was before the cache was bounded.
  }
  return db;
}

function openCopy(dir: string, dbPath: string, what: string, hasWal: boolean, openBase: (() => SqliteDb) | null): SqliteHandle {
  let db: SqliteDb | undefined;
  try {
    db = boundPageCache(new Database(dbPath, { readonly: true, fileMustExist: true }));
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    // Damage inside a database that opens (cut after its first pages, noise after the header) is met by the
    // caller's first query, which names the file as damaged: as for a database held in memory (openImage).
    if (db && isCorruption(err)) return wrap(db, what, hasWal, hasWal ? openBase : null, () => removeTempDir(dir));
    db?.close();
    removeTempDir(dir);
    throw new FormatError(what, `cannot open SQLite database (${(err as Error).message})`, { cause: err });
  }
  return wrap(db, what, hasWal, hasWal ? openBase : null, () => removeTempDir(dir));
}

/** SQLITE_CORRUPT and its extended codes (better-sqlite3's SqliteError carries the name in `code`). */
function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_CORRUPT');
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
