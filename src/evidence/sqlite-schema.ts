/**
 * Only real tables are read from evidence databases. better-sqlite3 has no progress handler and no way to
 * interrupt a statement, so a query must never be able to run away: a view is a query of the database's
 * author (`CREATE VIEW message AS WITH RECURSIVE …` runs forever, a cross join of a few tables nearly so),
 * a virtual table runs module code, and a VIRTUAL generated column is an expression computed on every read
 * (`length(printf('%.*c', 100000000, 'x'))` costs close to a second a row). A SELECT on a plain table, by
 * contrast, is bounded by the rows stored. Triggers cannot run: they fire on INSERT, UPDATE and DELETE, never
 * on SELECT, and evidence is opened read-only. CHECK constraints and DEFAULT values are not evaluated on
 * read either; STORED generated columns are read as stored.
 *
 * So the connection handed to artifacts refuses any statement that names a view, a virtual table or a table
 * with computed columns, and `hasTable` answers for plain tables only: a hostile schema can make an
 * artifact fail, never hang.
 */
import { FormatError } from '../errors.js';
import type { SqliteDb } from './sqlite.js';

type RefusedKind = 'view' | 'virtual table';

export interface SchemaObjects {
  /** Plain tables (no computed columns), lower-cased (SQLite names are case-insensitive). */
  readonly tables: ReadonlySet<string>;
  /** Views, virtual tables and tables with computed columns, lower-cased name → why each is not read. */
  readonly refused: ReadonlyMap<string, string>;
  describeRefused(name: string): string | null;
}

/** A statement named a view or virtual table: refused before it runs. */
export class RefusedSchemaObjectError extends FormatError {}

export function schemaObjects(db: SqliteDb): SchemaObjects {
  const rows = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')").all() as { type: string; name: unknown; sql: unknown }[];
  const tables = new Set<string>();
  const refused = new Map<string, string>();
  for (const row of rows) {
    if (typeof row.name !== 'string') continue;
    const key = row.name.toLowerCase();
    if (row.type === 'view') refused.set(key, refusalText(row.name, 'view'));
    else if (typeof row.sql === 'string' && /^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(row.sql)) refused.set(key, refusalText(row.name, 'virtual table'));
    else if (typeof row.sql === 'string' && /\bAS\b/i.test(row.sql) && computedColumns(db, row.name).length > 0) {
      // Only a CREATE TABLE that contains AS can declare generated columns: the pragma is skipped for the rest.
      refused.set(key, `\`${row.name}\` has computed columns (${computedColumns(db, row.name).join(', ')}), evaluated on every read: not read`);
    } else tables.add(key);
  }
  return {
    tables,
    refused,
    describeRefused(name) {
      return refused.get(name.toLowerCase()) ?? null;
    },
  };
}

/** VIRTUAL generated columns (table_xinfo `hidden` 2); STORED ones (3) are read as stored. */
function computedColumns(db: SqliteDb, table: string): string[] {
  const cols = db.prepare(`PRAGMA table_xinfo("${table.replace(/"/g, '""')}")`).all() as { name: string; hidden: number }[];
  return cols.filter((c) => c.hidden === 2).map((c) => c.name);
}

function refusalText(name: string, kind: RefusedKind): string {
  return `\`${name}\` is a ${kind}, not a table: not read`;
}

/**
 * Identifiers a statement names: bare words and "quoted", `backquoted` or [bracketed] names; string literals
 * are skipped. Over-inclusive on purpose (column names and keywords come along): a name is refused only
 * when the database itself defines a view or virtual table by that name.
 */
export function identifiersIn(sql: string): string[] {
  const out: string[] = [];
  const token = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]|([A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)/g;
  for (const m of sql.matchAll(token)) {
    const name = m[1]?.replace(/""/g, '"') ?? m[2]?.replace(/``/g, '`') ?? m[3] ?? m[4];
    if (name !== undefined) out.push(name);
  }
  return out;
}

/**
 * The connection artifacts use: `prepare` first checks that the statement names no view or virtual table.
 * Every other method is the real one, bound to the real connection (better-sqlite3's native methods need it).
 */
export function guardSchemaObjects(db: SqliteDb, what: string, schema: () => SchemaObjects): SqliteDb {
  const prepare = (sql: string) => {
    const { refused } = schema();
    if (refused.size > 0) {
      for (const name of identifiersIn(sql)) {
        const why = refused.get(name.toLowerCase());
        if (why) throw new RefusedSchemaObjectError(what, why);
      }
    }
    return db.prepare(sql);
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
