import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { at, num, readDatabases, str, type Row } from '../_read.js';
import { described } from '../describe.js';

/**
 * A favicon Safari fetched for a page (`Favicons.db`, reference-spec §7.2.6): the page and icon URLs and when.
 * Safari keeps these after the history is cleared, and fetched icons of pages it refused (`rejected`) too.
 */
export interface SafariFaviconRecord {
  /** page_url.url, or rejected_resources.page_url */
  readonly url: string | null;
  /** icon_info.url, or rejected_resources.icon_url */
  readonly icon_url: string | null;
  /** Seconds since 2001 as stored. */
  readonly timestamp: number | null;
  readonly isodate: Moment | null;
  readonly type: 'valid' | 'rejected';
  /** Which Favicons.db, as a path from the dump's root. */
  readonly safari_favicon_db_path: string;
}

export function decodeFaviconRow(row: Row, db: string): SafariFaviconRecord {
  const timestamp = num(row.timestamp);
  return { url: str(row.url), icon_url: str(row.icon_url), timestamp, isodate: fromCocoa(timestamp), type: row.type === 'rejected' ? 'rejected' : 'valid', safari_favicon_db_path: db };
}

/** Both kinds in one pass, by time as MVT sorts them; `rejected_resources` is read only where the store has it. */
export function faviconQuery(hasRejected: boolean): string {
  const valid = `SELECT 'valid' AS type, 'icon_info' AS _table, icon_info.rowid AS _rowid, page_url.url AS url, icon_info.url AS icon_url, icon_info.timestamp AS timestamp
    FROM page_url JOIN icon_info ON page_url.uuid = icon_info.uuid`;
  const rejected = `SELECT 'rejected', 'rejected_resources', rowid, page_url, icon_url, timestamp FROM rejected_resources`;
  return `${valid}${hasRejected ? ` UNION ALL ${rejected}` : ''} ORDER BY timestamp, _table, _rowid`;
}

export function safariFaviconTimeline(r: SafariFaviconRecord): TimelineEvent[] {
  return [{ time: r.isodate, event: 'safari_favicon', description: described`Safari favicon from ${r.url} with icon URL ${r.icon_url} (${r.type})` }];
}

export default defineArtifact<SafariFaviconRecord>({
  id: 'ios.safari_favicon',
  version: 1,
  title: 'Safari favicons (Favicons.db)',
  mvt: { module: 'safari_favicon', className: 'SafariFavicon' },
  doc: 'Safari stores the icon of every page it shows, with the page URL and when, in a database of its own that clearing the history leaves alone: a visit to an exploit page can remain here after it is gone from History.db.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-fs': [
      { by: 'device-glob', pattern: 'private/var/mobile/Library/Image Cache/Favicons/Favicons.db' },
      // Where iOS 15 keeps it: Safari's data container.
      { by: 'device-glob', pattern: 'private/var/mobile/Containers/Data/Application/*/Library/Image Cache/Favicons/Favicons.db' },
    ],
  },
  inputMode: 'all',
  requires: { page_url: ['uuid', 'url'], icon_info: ['uuid', 'url', 'timestamp'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const path = file.devicePath?.replace(/^\//, '') ?? file.ref.storedPath;
      const rejected = db.hasTable('rejected_resources') && ['page_url', 'icon_url', 'timestamp'].every((c) => db.columns('rejected_resources').has(c));
      for (const row of db.db.prepare(faviconQuery(rejected)).iterate() as Iterable<Row>) {
        yield { record: decodeFaviconRow(row, path), source: at(file, { table: String(row._table), rowid: num(row._rowid) }) };
      }
    });
  },
  timeline: safariFaviconTimeline,
  // MVT checks the page URL, and the icon URL only when the page did not match; both are places Safari loaded.
  observables: (r) => [
    ...(r.url ? [{ kind: 'url' as const, value: r.url, field: 'url' }] : []),
    ...(r.icon_url && r.icon_url !== r.url ? [{ kind: 'url' as const, value: r.icon_url, field: 'icon_url' }] : []),
  ],
});
