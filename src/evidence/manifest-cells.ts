/**
 * Manifest.db cells are typed by whoever wrote the database, not by its schema (SQLite stores any type in
 * any column). A cell of the wrong type must cost one row, named, never the whole manifest.
 */

/** How a cell reads in a message: "NULL", "text", "a number", "a blob". */
export function cellKind(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (Buffer.isBuffer(value)) return 'a blob';
  return typeof value;
}

/** Null when `value` is what the column must hold, else "`domain` is NULL, expected text". */
export function manifestCell(column: string, value: unknown, expected: 'text' | 'an integer'): string | null {
  const ok = expected === 'text' ? typeof value === 'string' : typeof value === 'number' && Number.isInteger(value);
  return ok ? null : `\`${column}\` is ${cellKind(value)}, expected ${expected}`;
}
