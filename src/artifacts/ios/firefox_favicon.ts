import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { rowSource } from './_browsers.js';
import { firefoxBrowserDb } from './_firefox.js';

/** One favicon Firefox for iOS stored for a site it showed (browser.db `favicons` via `favicon_sites`). */
export interface FirefoxFaviconRecord {
  /** `favicons.id` */
  readonly id: number | null;
  /** `favicons.url`: the icon's URL. */
  readonly url: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly type: number | null;
  /** `favicons.date`, Unix seconds. */
  readonly isodate: Moment | null;
  readonly history_id: number | null;
  /** `history.url`: the page that showed the icon. */
  readonly history_url: string;
}

export function decodeFirefoxFavicon(row: Row): FirefoxFaviconRecord {
  return {
    id: num(row.id),
    url: str(row.url) ?? '',
    width: num(row.width),
    height: num(row.height),
    type: num(row.type),
    isodate: fromUnix(num(row.date)),
    history_id: num(row.history_id),
    history_url: str(row.history_url) ?? '',
  };
}

const FAVICONS_SQL = `
  SELECT favicons.id AS id, favicons.url AS url, favicons.width AS width, favicons.height AS height,
         favicons.type AS type, favicons.date AS date, history.id AS history_id, history.url AS history_url
  FROM favicons
  JOIN favicon_sites ON favicon_sites.faviconID = favicons.id
  JOIN history ON favicon_sites.siteID = history.id
  ORDER BY favicons.date, favicons.id, history.id`;

export default defineArtifact<FirefoxFaviconRecord>({
  id: 'ios.firefox_favicon',
  version: 1,
  title: 'Firefox favicons',
  mvt: { module: 'firefox_favicon', className: 'FirefoxFavicon' },
  doc: 'Firefox for iOS stores the icon of the sites it displayed with the page that used it; the entry can outlive the browsing history it came from.',
  inputs: firefoxBrowserDb,
  requires: { favicons: ['id', 'url', 'width', 'height', 'type', 'date'], favicon_sites: ['siteID', 'faviconID'], history: ['id', 'url'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      for (const row of db.db.prepare(FAVICONS_SQL).iterate() as Iterable<Row>) {
        const record = decodeFirefoxFavicon(row);
        yield { record, source: rowSource(db, file, 'favicons', record.id) };
      }
    });
  },
  // MVT names this event `firefox_history` too; kept so timelines compare line for line.
  timeline: (r) => [{ time: r.isodate, event: 'firefox_history', description: `Firefox favicon ${r.url} when visiting ${r.history_url}` }],
  observables: (r) => [
    { kind: 'url', value: r.url, field: 'url' },
    { kind: 'url', value: r.history_url, field: 'history_url' },
  ],
});
