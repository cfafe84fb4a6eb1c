import { Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { rowSource } from './_browsers.js';
import { firefoxBrowserDb } from './_firefox.js';

/** One Firefox for iOS visit (browser.db `visits` joined to its `history` site). */
export interface FirefoxHistoryRecord {
  /** `visits.id` */
  readonly id: number | null;
  /** `visits.date` (microseconds since 1970) as a moment. */
  readonly isodate: Moment | null;
  readonly url: string;
  readonly title: string | null;
  /**
   * `visits.is_local`: 1 when the visit happened on this device, 0 when it came from Firefox Sync.
   * MVT names this field `i1000000s_local` (a typo); the MVT-compatible output maps it back.
   */
  readonly is_local: number | null;
  /** `visits.type`: how the page was reached (1 link, 2 typed, 3 bookmark, …). */
  readonly type: number | null;
}

export function fromFirefoxMicros(raw: unknown): Moment | null {
  const micros = num(raw);
  return micros ? Moment.fromUnixSeconds(micros / 1e6, 'unix_us', micros) : null;
}

export function decodeFirefoxVisit(row: Row): FirefoxHistoryRecord {
  return {
    id: num(row.id),
    isodate: fromFirefoxMicros(row.date),
    url: str(row.url) ?? '',
    title: str(row.title),
    is_local: num(row.is_local),
    type: num(row.type),
  };
}

const VISITS_SQL = `
  SELECT visits.id AS id, visits.date AS date, history.url AS url, history.title AS title,
         visits.is_local AS is_local, visits.type AS type
  FROM visits JOIN history ON visits.siteID = history.id
  ORDER BY visits.date, visits.id`;

export default defineArtifact<FirefoxHistoryRecord>({
  id: 'ios.firefox_history',
  version: 1,
  title: 'Firefox browsing history',
  mvt: { module: 'firefox_history', className: 'FirefoxHistory', renames: { is_local: 'i1000000s_local' } },
  doc: 'Firefox for iOS records every visit in browser.db; a link to an exploit server opened in Firefox leaves its visit here rather than in Safari.',
  inputs: firefoxBrowserDb,
  requires: { visits: ['id', 'siteID', 'date', 'is_local', 'type'], history: ['id', 'url', 'title'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      for (const row of db.db.prepare(VISITS_SQL).iterate() as Iterable<Row>) {
        const record = decodeFirefoxVisit(row);
        yield { record, source: rowSource(db, file, 'visits', record.id) };
      }
    });
  },
  timeline: (r) => [{ time: r.isodate, event: 'firefox_history', description: `Firefox visit with ID ${r.id} to URL: ${r.url}` }],
  observables: (r) => [{ kind: 'url', value: r.url, field: 'url' }],
});
