/**
 * The plumbing every parser shares: open each input, hand rows or a decoded plist to a pure decoder,
 * close in `finally`, and turn corruption into an issue that keeps the rows read so far.
 */
import type { EvidenceFile } from '../evidence/source.js';
import type { SqliteHandle } from '../evidence/sqlite.js';
import { RefusedSchemaObjectError } from '../evidence/sqlite-schema.js';
import { FormatError, errorMessage } from '../errors.js';
import { parsePlist, type PlistValue } from '../formats/plist.js';
import type { Locator, ParseContext, Parsed } from './artifact.js';

export async function* readDatabases<R>(
  ctx: ParseContext,
  read: (db: SqliteHandle, file: EvidenceFile) => Iterable<Parsed<R>>,
): AsyncIterable<Parsed<R>> {
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const handle = await ctx.openDatabase(file);
    if (!handle) continue;
    try {
      yield* guardSqlite(read(handle, file), ctx, file, handle.what);
    } finally {
      handle.close();
    }
  }
}

/** Keeps the rows already read when SQLite reports damage part-way (better-sqlite3 throws mid-iteration). */
function* guardSqlite<R>(rows: Iterable<Parsed<R>>, ctx: ParseContext, file: EvidenceFile, what: string): Iterable<Parsed<R>> {
  try {
    for (const row of rows) {
      if (ctx.signal.aborted) return;
      yield row;
    }
  } catch (err) {
    if (err instanceof RefusedSchemaObjectError) {
      // A query named a view or virtual table (a join the `requires` check does not cover): refused before it ran.
      ctx.warn({ code: 'not-a-table', file, message: err.message });
      return;
    }
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      ctx.warn({ code: 'corrupted', file, message: `${what}: database is damaged (${errorMessage(err)}); records read before the damage are kept` });
      return;
    }
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      ctx.warn({ code: 'bad-sqlite', file, message: `${what}: ${errorMessage(err)}` });
      return;
    }
    throw err;
  }
}

export async function* readPlists<R>(
  ctx: ParseContext,
  read: (plist: PlistValue, file: EvidenceFile) => Iterable<Parsed<R>>,
): AsyncIterable<Parsed<R>> {
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const what = file.ref.backup ? file.ref.backup.relativePath.split('/').pop()! : file.ref.storedPath;
    let plist: PlistValue;
    try {
      plist = parsePlist(await ctx.source.read(file), what);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      ctx.warn({ code: 'bad-plist', file, message: `${describe(file)}: ${err.message.replace(`${what}: `, '')}` });
      continue;
    }
    yield* read(plist, file);
  }
}

function describe(file: EvidenceFile): string {
  const b = file.ref.backup;
  return b ? `${b.domain}/${b.relativePath}` : file.ref.storedPath;
}

export function at(file: EvidenceFile, locator: Locator) {
  return { file, at: locator };
}

/** Rows from `SELECT …` as typed objects; SQLite gives loose types, so decoders narrow each field. */
export type Row = Record<string, unknown>;

export function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Backup-relative and filesystem specs for the usual "HomeDomain file, or the same path on a full dump". */
export function homeFile(relativePath: string) {
  return {
    'ios-backup': [{ by: 'backup', domain: 'HomeDomain', relativePath }],
    'ios-fs': [{ by: 'device-glob', pattern: `private/var/mobile/${relativePath}` }],
  } as const;
}
