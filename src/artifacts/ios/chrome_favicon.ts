import type { Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { appContainerGlob, chromeMoment, rowSource } from './_browsers.js';

const FAVICONS = 'Library/Application Support/Google/Chrome/Default/Favicons';

/** One page → icon mapping in Chrome for iOS's Favicons database. */
export interface ChromeFaviconRecord {
  /** `icon_mapping.page_url`: the page that used the icon. */
  readonly url: string;
  /** `favicons.url` */
  readonly icon_url: string;
  /** `favicon_bitmaps.last_updated`, or `last_requested` when never updated; raw microseconds since 1601. */
  readonly timestamp: number | null;
  readonly isodate: Moment | null;
}

export function decodeChromeFavicon(row: Row): ChromeFaviconRecord {
  const updated = num(row.last_updated);
  const raw = updated ? row.last_updated : row.last_requested;
  return {
    url: str(row.page_url) ?? '',
    icon_url: str(row.icon_url) ?? '',
    timestamp: num(raw),
    isodate: chromeMoment(raw),
  };
}

const FAVICONS_SQL = `
  SELECT icon_mapping.id AS _rowid, icon_mapping.page_url AS page_url, favicons.url AS icon_url,
         favicon_bitmaps.last_updated AS last_updated, favicon_bitmaps.last_requested AS last_requested
  FROM icon_mapping
  JOIN favicon_bitmaps ON icon_mapping.icon_id = favicon_bitmaps.icon_id
  JOIN favicons ON icon_mapping.icon_id = favicons.id
  ORDER BY CASE WHEN favicon_bitmaps.last_updated THEN favicon_bitmaps.last_updated ELSE favicon_bitmaps.last_requested END,
           icon_mapping.id`;

export default defineArtifact<ChromeFaviconRecord>({
  id: 'ios.chrome_favicon',
  version: 1,
  title: 'Chrome favicons',
  mvt: { module: 'chrome_favicon', className: 'ChromeFavicon' },
  doc: 'Chrome for iOS caches the icon of every site it displayed, with the page that showed it; the entry can outlive the browsing history it came from.',
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'AppDomain-com.google.chrome.ios', relativePath: FAVICONS }],
    'ios-fs': [appContainerGlob(FAVICONS)],
  },
  requires: {
    icon_mapping: ['id', 'page_url', 'icon_id'],
    favicon_bitmaps: ['icon_id', 'last_updated', 'last_requested'],
    favicons: ['id', 'url'],
  },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      // Sorted by the same time the record shows (MVT sorts after reading); 64-bit integers as BigInt.
      for (const row of db.db.prepare(FAVICONS_SQL).safeIntegers(true).iterate() as Iterable<Row>) {
        yield { record: decodeChromeFavicon(row), source: rowSource(db, file, 'icon_mapping', num(row._rowid)) };
      }
    });
  },
  timeline: (r) => [{ time: r.isodate, event: 'new_favicon', description: `${r.icon_url} from ${r.url}` }],
  observables: (r) => [
    { kind: 'url', value: r.url, field: 'url' },
    { kind: 'url', value: r.icon_url, field: 'icon_url' },
  ],
});
