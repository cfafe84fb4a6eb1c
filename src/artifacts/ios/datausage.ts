import type { SqliteHandle } from '../../evidence/sqlite.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type Locator, type Observable, type ParseContext, type Parsed, type TimelineEvent } from '../artifact.js';
import { at, num, readDatabases, str, type Row } from '../_read.js';
import { described, real } from '../describe.js';
import { binaryIndexOf, binaryOnDisk, type BinaryIndex } from './_binaries.js';

/**
 * One process's network use from DataUsage.sqlite (the NetBase schema, reference-spec §7.2.3): a
 * `ZLIVEUSAGE` row joined to the `ZPROCESS` row it points at, or a process with no live usage. A live row
 * whose process row is gone has `proc_id` null: spyware has deleted its process entry this way.
 */
export interface DatausageRecord {
  /** ZPROCESS.ZFIRSTTIMESTAMP: when the process first used the network. */
  readonly first_isodate: Moment | null;
  /** ZPROCESS.ZTIMESTAMP: its latest use. */
  readonly isodate: Moment | null;
  /** ZPROCESS.ZPROCNAME, often `<uuid or binary>/<bundle id>`. */
  readonly proc_name: string | null;
  /** ZPROCESS.ZBUNDLENAME */
  readonly bundle_id: string | null;
  /** ZPROCESS.Z_PK; null when the live row points at a process row that no longer exists. */
  readonly proc_id: number | null;
  /** ZLIVEUSAGE Wi-Fi and cellular bytes; Wi-Fi columns are gone on newer iOS (null then). */
  readonly wifi_in: number | null;
  readonly wifi_out: number | null;
  readonly wwan_in: number | null;
  readonly wwan_out: number | null;
  /** ZLIVEUSAGE.Z_PK */
  readonly live_id: number | null;
  /** ZLIVEUSAGE.ZHASPROCESS: the process row the live row points at. */
  readonly live_proc_id: number | null;
  /** ZLIVEUSAGE.ZTIMESTAMP, or `first_isodate` for a process without live usage. */
  readonly live_isodate: Moment | null;
  /**
   * On a filesystem dump only (absent from backups, so their outputs do not change), for the records MVT
   * searches a binary for (no bundle id, a live row, a process record): whether a file of that name is in the
   * dump; null when the dump has no system partition to look in (`_binaries.ts`).
   */
  readonly binary_on_disk?: boolean | null;
}

/** What MVT calls a live row whose process record is gone (its `check_manipulated` renames it so). */
export const manipulatedName = 'MANIPULATED [process record deleted]';

export function decodeDatausageRow(row: Row): DatausageRecord {
  const first = fromCocoa(num(row.ZFIRSTTIMESTAMP));
  return {
    first_isodate: first,
    isodate: fromCocoa(num(row.ZTIMESTAMP)),
    proc_name: str(row.ZPROCNAME),
    bundle_id: str(row.ZBUNDLENAME),
    proc_id: num(row.ZPROCESS_PK),
    wifi_in: num(row.ZWIFIIN),
    wifi_out: num(row.ZWIFIOUT),
    wwan_in: num(row.ZWWANIN),
    wwan_out: num(row.ZWWANOUT),
    live_id: num(row.ZLIVEUSAGE_PK),
    live_proc_id: num(row.ZHASPROCESS),
    live_isodate: fromCocoa(num(row.ZL_TIMESTAMP)) ?? first,
  };
}

/**
 * Live rows with their process (or none, when it was deleted), then processes that have no live row.
 * NOT EXISTS rather than MVT's `NOT IN (SELECT ZHASPROCESS …)`: one NULL ZHASPROCESS makes NOT IN false for
 * every process, which silently drops them all (docs/differences/system.md).
 */
export function netBaseQuery(db: SqliteHandle): string {
  const live = db.columns('ZLIVEUSAGE');
  // Newer iOS dropped the Wi-Fi counters; checked up front rather than by catching the failing query.
  const wifi = live.has('ZWIFIIN') && live.has('ZWIFIOUT') ? 'l.ZWIFIIN AS ZWIFIIN, l.ZWIFIOUT AS ZWIFIOUT' : 'NULL AS ZWIFIIN, NULL AS ZWIFIOUT';
  const processCols = 'p.ZFIRSTTIMESTAMP AS ZFIRSTTIMESTAMP, p.ZTIMESTAMP AS ZTIMESTAMP, p.ZPROCNAME AS ZPROCNAME, p.ZBUNDLENAME AS ZBUNDLENAME, p.Z_PK AS ZPROCESS_PK';
  return `
    SELECT 'ZLIVEUSAGE' AS _table, l.Z_PK AS _rowid, ${processCols}, ${wifi}, l.ZWWANIN AS ZWWANIN, l.ZWWANOUT AS ZWWANOUT,
           l.Z_PK AS ZLIVEUSAGE_PK, l.ZHASPROCESS AS ZHASPROCESS, l.ZTIMESTAMP AS ZL_TIMESTAMP
      FROM ZLIVEUSAGE l LEFT JOIN ZPROCESS p ON l.ZHASPROCESS = p.Z_PK
    UNION ALL
    SELECT 'ZPROCESS', p.Z_PK, ${processCols}, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM ZPROCESS p WHERE NOT EXISTS (SELECT 1 FROM ZLIVEUSAGE l WHERE l.ZHASPROCESS = p.Z_PK)
    ORDER BY 1, 2`;
}

/** MVT looks for a binary only for processes without a bundle id that have live usage (reference-spec §7.2.3). */
export function wantsBinary(r: DatausageRecord): boolean {
  return !r.bundle_id && r.live_proc_id !== null && r.proc_id !== null && r.proc_id !== 0;
}

/** The record with `binary_on_disk` set from the dump's file names, when MVT would have searched for it. */
export function withBinaryFact(r: DatausageRecord, index: BinaryIndex | null): DatausageRecord {
  if (index === null || !wantsBinary(r)) return r;
  return { ...r, binary_on_disk: binaryOnDisk(r.proc_name, index) };
}

/**
 * Reads every NetBase database the artifact's inputs name (DataUsage.sqlite, netusage.sqlite). On a dump the
 * file names are gathered once per run by the source (`fileNames`), shared by every artifact that asks.
 */
export async function* readNetBase(ctx: ParseContext): AsyncIterable<Parsed<DatausageRecord>> {
  const names = ctx.source.kind === 'ios-fs' && ctx.source.fileNames ? await ctx.source.fileNames() : null;
  const index = names ? binaryIndexOf(names) : null;
  yield* readDatabases(ctx, function* (db, file) {
    const walOnly = (table: string) => (db.walApplied ? db.walOnlyRowids(table) : new Set<number>());
    const recovered = { ZLIVEUSAGE: walOnly('ZLIVEUSAGE'), ZPROCESS: walOnly('ZPROCESS') };
    for (const row of db.db.prepare(netBaseQuery(db)).iterate() as Iterable<Row>) {
      const table = row._table === 'ZPROCESS' ? 'ZPROCESS' : 'ZLIVEUSAGE';
      const rowid = num(row._rowid);
      const locator: Locator = rowid !== null && recovered[table].has(rowid) ? { table, rowid, inWal: true } : { table, rowid };
      yield { record: withBinaryFact(decodeDatausageRow(row), index), source: at(file, locator) };
    }
  });
}

/** MVT checks the name only for rows whose process record exists (CRITICAL on a match). */
export function datausageObservables(r: DatausageRecord): Observable[] {
  return r.proc_id && r.proc_name ? [{ kind: 'process', value: r.proc_name, field: 'proc_name' }] : [];
}

export function datausageTimeline(r: DatausageRecord): TimelineEvent[] {
  const deleted = r.proc_id === null || r.proc_id === 0;
  const who = described`${deleted ? manipulatedName : r.proc_name} (Bundle ID: ${r.bundle_id}, ID: ${r.proc_id})`;
  const events: TimelineEvent[] = [
    { time: r.live_isodate, event: 'live_usage', description: described`${who} WWAN IN: ${real(r.wwan_in)}, WWAN OUT: ${real(r.wwan_out)}` },
  ];
  if (!deleted && r.live_proc_id !== null) {
    events.push({ time: r.first_isodate, event: 'first_usage', description: who });
    events.push({ time: r.isodate, event: 'current_usage', description: who });
  }
  return events;
}

export default defineArtifact<DatausageRecord>({
  id: 'ios.datausage',
  version: 1,
  title: 'Network use per process (DataUsage.sqlite)',
  mvt: { module: 'datausage', className: 'Datausage' },
  doc: 'DataUsage.sqlite counts the mobile data each process used, with first and last use; Pegasus process names (bh, roleaccountd, …) were found here, and entries whose process record was deleted are a trace of spyware covering its tracks.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'WirelessDomain', relativePath: 'Library/Databases/DataUsage.sqlite' }],
    'ios-fs': [{ by: 'device-glob', pattern: 'private/var/wireless/Library/Databases/DataUsage.sqlite' }],
  },
  requires: {
    ZPROCESS: ['Z_PK', 'ZFIRSTTIMESTAMP', 'ZTIMESTAMP', 'ZPROCNAME', 'ZBUNDLENAME'],
    ZLIVEUSAGE: ['Z_PK', 'ZHASPROCESS', 'ZTIMESTAMP', 'ZWWANIN', 'ZWWANOUT'],
  },
  parse: readNetBase,
  timeline: datausageTimeline,
  observables: datausageObservables,
});
