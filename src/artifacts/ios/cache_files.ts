import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import { fromDate, type Moment } from '../../formats/time.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { at, num, readDatabases, str, type Row } from '../_read.js';
import { described } from '../describe.js';

/**
 * One response cached by an app's URL loading system (`Cache.db`, table `cfurl_cache_response`,
 * reference-spec §7.2.1): which URL the app fetched and when. A cached exploit-server or C2 URL survives the
 * browser history being cleared.
 */
export interface CacheFileRecord {
  /** entry_ID */
  readonly entry_id: number | null;
  readonly version: number | null;
  readonly hash_value: number | null;
  readonly storage_policy: number | null;
  /** request_key: the URL requested. */
  readonly url: string | null;
  /** time_stamp, stored as `YYYY-MM-DD HH:MM:SS` UTC text (SQLite's CURRENT_TIMESTAMP); null when unreadable. */
  readonly isodate: Moment | null;
  /** The database, as a path from the dump's root (MVT adds it to matched records only; here every record has it). */
  readonly cache_file: string;
}

/**
 * Where iOS keeps them: under `Library/Caches/<bundle id>/` (one or two folders down) of the user's home, of
 * root's home, and of every app, extension, app-group and system container. MVT walks the whole dump for the
 * name instead; these patterns find 151 of the 152 `Cache.db` of the clean iOS 15.3.1 image (the one left sits
 * ten folders down inside one app's own cache) without a walk, and a tar.gz reads them in its one pass.
 */
const homes = [
  'private/var/mobile',
  'private/var/root',
  'private/var/mobile/Containers/Data/Application/*',
  'private/var/mobile/Containers/Data/PluginKitPlugin/*',
  'private/var/mobile/Containers/Shared/AppGroup/*',
  'private/var/containers/Data/System/*',
  'private/var/containers/Shared/SystemGroup/*',
];
export const cacheDbPatterns: readonly string[] = [
  ...homes.flatMap((home) => ['Cache.db', '*/Cache.db', '*/*/Cache.db'].map((tail) => `${home}/Library/Caches/${tail}`)),
  'private/var/mobile/Library/Mail/RemoteContentURLCache/Cache.db',
];

const TABLE = 'cfurl_cache_response';
const COLUMNS = ['entry_ID', 'version', 'hash_value', 'storage_policy', 'request_key', 'time_stamp'] as const;

/** `2021-12-03 19:33:13` (UTC) → a Moment; anything else → null. */
export function cacheTimestamp(text: string | null): Moment | null {
  if (text === null || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) return null;
  return fromDate(new Date(`${text.replace(' ', 'T')}Z`));
}

export function decodeCacheRow(row: Row, cacheFile: string): CacheFileRecord {
  return {
    entry_id: num(row.entry_ID),
    version: num(row.version),
    hash_value: num(row.hash_value),
    storage_policy: num(row.storage_policy),
    url: str(row.request_key),
    isodate: cacheTimestamp(str(row.time_stamp)),
    cache_file: cacheFile,
  };
}

export function cacheFileTimeline(r: CacheFileRecord): TimelineEvent[] {
  return [{ time: r.isodate, event: 'cache_response', description: described`${r.cache_file} recorded visit to URL ${r.url}` }];
}

const pathOf = (file: EvidenceFile) => file.devicePath?.replace(/^\//, '') ?? file.ref.storedPath;

export default defineArtifact<CacheFileRecord>({
  id: 'ios.cache_files',
  version: 1,
  title: 'URLs cached by apps (Cache.db)',
  mvt: { module: 'cache_files', className: 'CacheFiles', shape: 'by-path' },
  doc: 'Every app that loads web content through Apple\'s URL loading system keeps a Cache.db of the responses it fetched; an exploit or command-and-control URL fetched by an app, or by a process posing as one, stays here after the browser history is cleared.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: { 'ios-fs': cacheDbPatterns.map((pattern): FileSpec => ({ by: 'device-glob', pattern })) },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      // A Cache.db of another kind (no response table) is not one of these: skipped without an issue, as MVT does.
      if (!db.hasTable(TABLE)) return;
      const have = db.columns(TABLE);
      const lacking = COLUMNS.filter((c) => !have.has(c));
      if (lacking.length > 0) {
        ctx.warn({ code: 'missing-column', file, message: `${pathOf(file)}: table ${TABLE} lacks column(s) ${lacking.join(', ')}` });
        return;
      }
      const cacheFile = pathOf(file);
      for (const row of db.db.prepare(`SELECT rowid AS _rowid, ${COLUMNS.join(', ')} FROM ${TABLE} ORDER BY rowid`).iterate() as Iterable<Row>) {
        yield { record: decodeCacheRow(row, cacheFile), source: at(file, { table: TABLE, rowid: num(row._rowid) }) };
      }
    });
  },
  timeline: cacheFileTimeline,
  observables: (r) => (r.url ? [{ kind: 'url', value: r.url, field: 'url' }] : []),
});
