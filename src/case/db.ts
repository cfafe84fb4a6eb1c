/**
 * The one module that knows which SQL engine backs a case. Everything else in src/case/ talks to `CaseDb`, a
 * small subset of better-sqlite3's API (prepare/run/get/all/iterate, exec, transactions).
 *
 * Scratch data never reaches disk as a side file: temporary tables and sorts stay in memory
 * (`temp_store = MEMORY`), and the rollback journal is the only file beside the database while a transaction
 * is open (no WAL, whose -wal/-shm files outlive the transaction).
 *
 * An encrypted case (`case.db.age`, sealed.ts) is never a database file: its image is decrypted into an
 * in-memory database (journal in memory too), and each commit writes the whole image back sealed. So no page,
 * journal or temp file of it reaches the disk in plaintext; the cost is memory (the case's size) and a full
 * re-encryption per committed command, which a case pays once per check or recheck.
 */
import Database from 'better-sqlite3';
import { UserError, errorMessage } from '../errors.js';
import { readSealed, sealedVersion, writeSealed, type CaseSeal } from './sealed.js';

export type SqlValue = string | number | bigint | null | Buffer;
export type Row = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  iterate(...params: SqlValue[]): IterableIterator<Row>;
}

/**
 * The case database. In an encrypted case, what reaches the disk is what a transaction commits (`commit`,
 * `transaction`): a write outside a transaction stays in memory and is lost at `close`.
 */
export interface CaseDb {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: () => T): T;
  begin(): void;
  commit(): void;
  rollback(): void;
  readonly inTransaction: boolean;
  close(): void;
}

/** Opens an existing database file (the caller creates it empty, with the file mode it wants). */
export function openCaseDb(path: string): CaseDb {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    db.close();
    throw err;
  }
  return wrap(db, () => {});
}

/**
 * Opens the encrypted case file `path` (or, with `create`, a new empty one, written at the first commit) as
 * an in-memory database; every commit seals the whole image back to `path`.
 */
export function openSealedCaseDb(path: string, seal: CaseSeal, opts: { readonly create?: boolean } = {}): CaseDb {
  // The version this command started from (none for a new case): a commit over another's is refused.
  let version = opts.create === true ? null : sealedVersion(path, seal);
  let db: Database.Database;
  if (opts.create === true) {
    db = new Database(':memory:');
  } else {
    const image = readSealed(path, seal);
    try {
      // better-sqlite3 deserializes a Buffer into a writable in-memory database (its own copy).
      db = new Database(image);
    } finally {
      image.fill(0);
    }
  }
  try {
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  const save = () => {
    const now = sealedVersion(path, seal);
    if (now === null ? version !== null : version === null || !now.equals(version)) {
      throw new UserError('output', `${path}: the encrypted case was changed by another command while this one ran; what this one added was not saved (run it again)`);
    }
    const image = db.serialize();
    try {
      version = writeSealed(path, seal, image);
    } catch (err) {
      // The previous version is still whole: the scratch file is removed, nothing was renamed.
      throw new UserError('output', `${path}: cannot write the encrypted case (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); it keeps its previous version`, { cause: err });
    } finally {
      image.fill(0);
    }
  };
  return wrap(db, save);
}

/**
 * A plain case database's image (the bytes of a database file), read through the engine under its write lock
 * (a command writing the case at that moment makes this wait, then fail, rather than be lost).
 */
export function caseDbImage(path: string): Buffer {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.exec('BEGIN IMMEDIATE');
    const image = db.serialize();
    db.exec('ROLLBACK');
    return image;
  } finally {
    db.close();
  }
}

/** `caseDbImage` of an encrypted case: its plaintext, in memory. */
export function sealedCaseDbImage(path: string, seal: CaseSeal): Buffer {
  const image = readSealed(path, seal);
  try {
    // Checked as a database before anything is written from it.
    const db = new Database(image, { readonly: true });
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } finally {
      db.close();
    }
  } catch (err) {
    image.fill(0);
    throw err;
  }
  return image;
}

/** Seals a database image to `path` (as a commit of an encrypted case does). */
export function sealCaseDbImage(path: string, seal: CaseSeal, image: Uint8Array): void {
  void writeSealed(path, seal, image);
}

/** `afterCommit` runs once a transaction is committed (it seals the image of an encrypted case). */
function wrap(db: Database.Database, afterCommit: () => void): CaseDb {
  return {
    exec: (sql) => void db.exec(sql),
    prepare(sql) {
      const stmt = db.prepare<SqlValue[], Row>(sql);
      return {
        run: (...params) => stmt.run(...params),
        get: (...params) => stmt.get(...params),
        all: (...params) => stmt.all(...params),
        iterate: (...params) => stmt.iterate(...params),
      };
    },
    transaction: <T>(fn: () => T): T => {
      const result = db.transaction(fn)();
      if (!db.inTransaction) afterCommit(); // a nested transaction is a savepoint: nothing is committed yet
      return result;
    },
    begin: () => void db.exec('BEGIN'),
    commit: () => {
      db.exec('COMMIT');
      afterCommit();
    },
    rollback: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => db.close(),
  };
}
