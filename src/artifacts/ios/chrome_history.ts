import type { Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { appContainerGlob, chromeMoment, rowSource } from './_browsers.js';

const HISTORY = 'Library/Application Support/Google/Chrome/Default/History';

/** One Chrome for iOS visit (History `visits` joined to its `urls` row). */
export interface ChromeHistoryRecord {
  /** `urls.id` */
  readonly id: number | null;
  readonly url: string;
  /** `visits.id` */
  readonly visit_id: number | null;
  /**
   * `visits.visit_time`, raw microseconds since 1601. Above 2^53, so this number may be off by 1 µs;
   * `isodate` is computed from the exact 64-bit value.
   */
  readonly timestamp: number | null;
  readonly isodate: Moment | null;
  /** `visits.from_visit`: the visit this one was reached from (0 = none). */
  readonly redirect_source: number | null;
}

export function decodeChromeVisit(row: Row): ChromeHistoryRecord {
  return {
    id: num(row.id),
    url: str(row.url) ?? '',
    visit_id: num(row.visit_id),
    timestamp: num(row.visit_time),
    isodate: chromeMoment(row.visit_time),
    redirect_source: num(row.from_visit),
  };
}

const VISITS_SQL = `
  SELECT urls.id AS id, urls.url AS url, visits.id AS visit_id, visits.visit_time AS visit_time, visits.from_visit AS from_visit
  FROM urls JOIN visits ON visits.url = urls.id
  ORDER BY visits.visit_time, visits.id`;

export default defineArtifact<ChromeHistoryRecord>({
  id: 'ios.chrome_history',
  version: 1,
  title: 'Chrome browsing history',
  mvt: { module: 'chrome_history', className: 'ChromeHistory' },
  doc: 'Chrome for iOS keeps its own History database of visited pages; a link to an exploit server opened in Chrome leaves its visit here rather than in Safari.',
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'AppDomain-com.google.chrome.ios', relativePath: HISTORY }],
    'ios-fs': [appContainerGlob(HISTORY)],
  },
  requires: { urls: ['id', 'url'], visits: ['id', 'url', 'visit_time', 'from_visit'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      // 64-bit integers as BigInt: Chrome's microsecond times do not fit a double exactly.
      const stmt = db.db.prepare(VISITS_SQL).safeIntegers(true);
      for (const row of stmt.iterate() as Iterable<Row>) {
        const record = decodeChromeVisit(row);
        yield { record, source: rowSource(db, file, 'visits', record.visit_id) };
      }
    });
  },
  timeline: (r) => [
    { time: r.isodate, event: 'visit', description: `${r.id} - ${r.url} (visit ID: ${r.visit_id}, redirect source: ${r.redirect_source})` },
  ],
  observables: (r) => [{ kind: 'url', value: r.url, field: 'url' }],
});
