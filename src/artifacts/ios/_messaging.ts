/**
 * Small pieces the messaging artifacts share (sms, sms_attachments, whatsapp, whatsapp_contacts,
 * interaction_c, calls, contacts): turning SQLite cells into JSON-able record values, finding links,
 * marking rows recovered from a WAL. How description values are spelled is each output's job (../describe.ts).
 */
import type { SqliteHandle } from '../../evidence/sqlite.js';
import { quoteIdent } from '../../evidence/sqlite.js';
import type { Locator } from '../artifact.js';

export { pyFloat } from './_plist_values.js';

/** A column value as a record keeps it: text, a number, or null. */
export type Cell = string | number | null;

/**
 * A SQLite value as a plain JSON-able value. Blobs become UTF-8 text (records hold no Buffers); integers read
 * with `safeIntegers` become numbers (above 2^53 they round, which is why timestamps are decoded from the raw
 * value before this).
 */
export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** Blobs MVT exports as base64 (attributedBody, payload_data, …). */
export function base64(v: unknown): string | null {
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('base64');
  return null;
}

/** Text of a column that may be stored as TEXT or as a UTF-8 BLOB (ZADDRESS, ContactsV2 names). */
export function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
}

/** MVT's `check_for_links`: `http(s)://` and every non-space character after it, case-insensitive. */
const LINK = /https?:\/\/\S+/gi;

export function findLinks(value: string | null | undefined): string[] {
  return value ? (value.match(LINK) ?? []) : [];
}

/** Order-preserving de-duplication (MVT uses a set, whose order varies between runs). */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Newlines shown as the two characters `\n`, so one message stays one timeline line. */
export function oneLine(s: string): string {
  return s.replace(/\n/g, '\\n');
}

export function digitsOf(s: string | null | undefined): string {
  return s ? s.replace(/\D/g, '') : '';
}

/**
 * Locators for rows of one table, flagging rows that exist only once the `-wal` is replayed (not yet
 * checkpointed into the main file: often the most recent messages).
 */
export function rowLocator(db: SqliteHandle, table: string): (rowid: number | null) => Locator {
  const walOnly = db.walApplied ? db.walOnlyRowids(table) : new Set<number>();
  return (rowid) => (rowid !== null && walOnly.has(rowid) ? { table, rowid, inWal: true } : { table, rowid });
}

/** `"t"."c"` when the table has the column, else `NULL`: one query that fits several schema generations. */
export function columnOr(db: SqliteHandle, table: string, column: string, alias: string): string {
  const expr = db.hasTable(table) && db.columns(table).has(column) ? `${quoteIdent(table)}.${quoteIdent(column)}` : 'NULL';
  return `${expr} AS ${quoteIdent(alias)}`;
}

/**
 * How the cells of a wide `SELECT *` (sms.db's `message` has ~90 columns) become record values, worked out
 * once per statement from its column names instead of once per row: rows are then read as arrays
 * (better-sqlite3's `raw(true)`, about half the cost of a row object) and no row is walked with Object.entries.
 *
 * The values it builds are those an object row would give: a name that repeats keeps its first position and its
 * last value (better-sqlite3 assigns columns in order), and names starting with `__` (query helpers such as the
 * rowid) are left out.
 */
export interface ColumnPlan {
  /** Every result column's name, in statement order. */
  readonly names: readonly string[];
  /** Index of the cell each kept name takes its value from (its last occurrence), in first-occurrence order. */
  readonly kept: readonly number[];
  /** Per entry of `kept`: the blob is exported as base64 (MVT's export of archived blobs) rather than as a cell. */
  readonly asBase64: readonly boolean[];
  /** Index of the cell each name's value comes from (its last occurrence); absent when the statement has no such column. */
  readonly at: ReadonlyMap<string, number>;
  /**
   * An object with every kept name, in order, given by definition: it lays down the chain of hidden classes the
   * records then follow, and holds it alive while the plan is used (see `seedShape`).
   */
  readonly shape: object;
}

export function planColumns(names: readonly string[], base64Columns: ReadonlySet<string>): ColumnPlan {
  const at = new Map<string, number>();
  names.forEach((name, i) => at.set(name, i));
  const kept: number[] = [];
  const asBase64: boolean[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (name.startsWith('__')) continue;
    kept.push(at.get(name)!);
    asBase64.push(base64Columns.has(name));
  }
  return { names, kept, asBase64, at, shape: seedShape(kept.map((i) => names[i]!)) };
}

/**
 * Keeps the records of a plan in V8's fast mode. V8 turns an object that gains more than about a dozen
 * properties through computed keys (`out[name] = v`) into a hash table, unless the hidden classes for those keys
 * already exist: then it follows them. Properties added by definition lay those classes down. With them, a
 * ~90-column message record is built in about three fifths of the time and stringified in about half (20,000
 * rows of the bench's sms.db, bench/README.md), and better-sqlite3's object rows of the same columns profit too.
 * This only changes speed, never a record's keys, values or order.
 */
function seedShape(keys: readonly string[]): object {
  const shape = {};
  for (const key of keys) Object.defineProperty(shape, key, { value: null, writable: true, enumerable: true, configurable: true });
  return shape;
}

/** The cell a plan names, or undefined when the statement has no such column (as an object row would give). */
export function cellOf(plan: ColumnPlan, values: readonly unknown[], name: string): unknown {
  const i = plan.at.get(name);
  return i === undefined ? undefined : values[i];
}

/** Every kept column as a JSON-able value, in the order an object row's entries would give them. */
export function columnValues(plan: ColumnPlan, values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { names, kept, asBase64 } = plan;
  for (let k = 0; k < kept.length; k++) {
    const i = kept[k]!;
    out[names[i]!] = asBase64[k] ? base64(values[i]) : cell(values[i]);
  }
  return out;
}
