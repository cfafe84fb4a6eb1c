import type { EvidenceFile } from '../../evidence/source.js';
import type { SqliteHandle } from '../../evidence/sqlite.js';
import { FormatError } from '../../errors.js';
import { isDict, parsePlist, type PlistValue } from '../../formats/plist.js';
import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type ParseContext, type TimelineEvent } from '../artifact.js';
import { at, num, readDatabases, type Row } from '../_read.js';
import type { Description, Shown } from '../describe.js';
import { settleObservables, textObservables } from './_observables.js';

/**
 * One event of a security framework's analytics store (`/private/var/Keychains/Analytics/*.db`, reference-spec
 * §7.2.4): the keys of its `data` plist, as MVT flattens them, plus when it was logged and which database it is
 * in. Keychain, CloudKit, trust and networking failures land here, and name the processes and hosts involved.
 */
export interface AnalyticsRecord {
  /** The row's `timestamp` (Unix seconds); null when the row has none. */
  readonly isodate: Moment | null;
  /** The database's file name (`ckks_analytics.db`). */
  readonly artifact: string;
  readonly [key: string]: PlistValue | Moment | null;
}

/** The tables MVT reads; `all_events` is absent from older stores. */
const eventTables = ['hard_failures', 'soft_failures', 'all_events'] as const;

/** A row with neither a time nor data says nothing (MVT skips it too); null then. Throws FormatError for a bad plist. */
export function decodeAnalyticsRow(row: Row, artifact: string, what: string): AnalyticsRecord | null {
  const isodate = fromUnix(num(row.timestamp));
  const raw = row.data;
  const bytes = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' && raw !== '' ? Buffer.from(raw, 'utf8') : null;
  if (bytes === null || bytes.length === 0) return isodate === null ? null : { isodate, artifact };
  const data = parsePlist(bytes, what);
  if (!isDict(data)) throw new FormatError(what, 'data is not a dictionary');
  return { ...data, isodate, artifact };
}

export function analyticsQuery(db: SqliteHandle): string {
  const tables = eventTables.filter((t) => db.hasTable(t) && ['timestamp', 'data'].every((c) => db.columns(t).has(c)));
  return `${tables.map((t) => `SELECT '${t}' AS _table, rowid AS _rowid, timestamp, data FROM ${t}`).join(' UNION ALL ')} ORDER BY timestamp, _table, _rowid`;
}

/** Scalar values of the event as `key: value`, for a timeline line (MVT prints Python's `str()` of the whole record). */
export function analyticsTimeline(r: AnalyticsRecord): TimelineEvent[] {
  const parts: string[] = [''];
  const values: Shown[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (key === 'isodate' || key === 'artifact') continue;
    if (!(typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')) continue;
    parts[parts.length - 1] += `${values.length === 0 ? '' : ', '}${key}: `;
    values.push(value);
    parts.push('');
  }
  const description: Description = { parts, values };
  return [{ time: r.isodate, event: r.artifact, description }];
}

/**
 * MVT checks every string value as a process name and as a URL. These values are written down by a framework,
 * not run or visited, so both are mentions; hosts come through the shared free-text reader.
 */
export function analyticsObservables(r: AnalyticsRecord): Observable[] {
  const out: Observable[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (key === 'artifact' || typeof value !== 'string' || value === '') continue;
    out.push({ kind: 'process', value, field: key, role: 'mention' });
    out.push(...textObservables(value, key, { httpLinks: 'mention' }));
  }
  return settleObservables(out);
}

function* readAnalyticsDb(ctx: ParseContext, db: SqliteHandle, file: EvidenceFile) {
  const name = file.ref.storedPath.slice(file.ref.storedPath.lastIndexOf('/') + 1);
  let bad = 0;
  let firstBad = '';
  for (const row of db.db.prepare(analyticsQuery(db)).iterate() as Iterable<Row>) {
    const where = `${name} ${String(row._table)} row ${String(row._rowid)}`;
    let record: AnalyticsRecord | null;
    try {
      record = decodeAnalyticsRow(row, name, where);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      if (bad++ === 0) firstBad = err.message;
      continue;
    }
    if (record !== null) yield { record, source: at(file, { table: String(row._table), rowid: num(row._rowid) }) };
  }
  if (bad > 0) ctx.warn({ code: 'row-skipped', file, message: `${name}: ${bad} row(s) with unreadable data skipped, the first: ${firstBad}` });
}

export default defineArtifact<AnalyticsRecord>({
  id: 'ios.analytics',
  version: 1,
  title: 'Security analytics events (Keychains/Analytics)',
  mvt: { module: 'analytics', className: 'Analytics' },
  doc: 'The keychain, CloudKit, trust and networking frameworks log their failures and events in small SQLite stores under /private/var/Keychains/Analytics; the events name processes and hosts, so a spyware process or domain can appear in them.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: { 'ios-fs': [{ by: 'device-glob', pattern: 'private/var/Keychains/Analytics/*.db' }] },
  inputMode: 'all',
  requires: { hard_failures: ['timestamp', 'data'], soft_failures: ['timestamp', 'data'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, (db, file) => readAnalyticsDb(ctx, db, file));
  },
  timeline: analyticsTimeline,
  observables: analyticsObservables,
});
