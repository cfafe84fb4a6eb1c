/**
 * The one module that knows which SQL engine backs a case. Everything else in src/case/ talks to `CaseDb`, a
 * small subset of better-sqlite3's API (prepare/run/get/all/iterate, exec, transactions), so issue #12 can
 * swap the engine (better-sqlite3-multiple-ciphers with a key, or another store) here alone.
 *
 * Scratch data never reaches disk as a side file: temporary tables and sorts stay in memory
 * (`temp_store = MEMORY`), and the rollback journal is the only file beside the database while a transaction
 * is open (no WAL, whose -wal/-shm files outlive the transaction).
 */
import Database from 'better-sqlite3';

export type SqlValue = string | number | bigint | null | Buffer;
export type Row = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  iterate(...params: SqlValue[]): IterableIterator<Row>;
}

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
  return wrap(db);
}

function wrap(db: Database.Database): CaseDb {
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
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    begin: () => void db.exec('BEGIN'),
    commit: () => void db.exec('COMMIT'),
    rollback: () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => db.close(),
  };
}
