import { refKey } from '../../evidence/source.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { rowSource, safariInputs } from './_browsers.js';

/**
 * One Safari visit (History.db `history_visits` joined to its `history_items` URL). A visit that was
 * redirected carries the destination visit, looked up in the same database, so the fast-redirect rule
 * (src/rules/ios/safari_history.ts) needs nothing but the record.
 */
export interface SafariHistoryRecord {
  /** `history_items.id` */
  readonly id: number | null;
  readonly url: string;
  /** `history_visits.id` */
  readonly visit_id: number | null;
  /** `history_visits.visit_time`, raw Cocoa seconds. */
  readonly timestamp: number | null;
  readonly isodate: Moment | null;
  /** `history_visits.redirect_source` / `redirect_destination`: ids of other visits in the same database. */
  readonly redirect_source: number | null;
  readonly redirect_destination: number | null;
  /** URL and time of the `redirect_destination` visit (null when there is none, or it was deleted). */
  readonly redirect_destination_url: string | null;
  readonly redirect_destination_time: Moment | null;
  /** Which History.db: `domain/relativePath` in a backup, the device path in a full dump. */
  readonly safari_history_db: string;
}

export function decodeSafariVisit(row: Row, db: string): SafariHistoryRecord {
  const visitTime = num(row.visit_time);
  return {
    id: num(row.id),
    url: str(row.url) ?? '',
    visit_id: num(row.visit_id),
    timestamp: visitTime,
    isodate: fromCocoa(visitTime),
    redirect_source: num(row.redirect_source),
    redirect_destination: num(row.redirect_destination),
    redirect_destination_url: str(row.redirect_destination_url),
    redirect_destination_time: fromCocoa(num(row.redirect_destination_time)),
    safari_history_db: db,
  };
}

// The destination is joined here, per database: visit ids restart in every profile's History.db, so a lookup
// across databases would pair unrelated visits (MVT scopes it the same way).
const VISITS_SQL = `
  SELECT history_items.id AS id, history_items.url AS url,
         history_visits.id AS visit_id, history_visits.visit_time AS visit_time,
         history_visits.redirect_source AS redirect_source, history_visits.redirect_destination AS redirect_destination,
         dest_items.url AS redirect_destination_url, dest.visit_time AS redirect_destination_time
  FROM history_items
  JOIN history_visits ON history_visits.history_item = history_items.id
  LEFT JOIN history_visits AS dest ON dest.id = history_visits.redirect_destination
  LEFT JOIN history_items AS dest_items ON dest_items.id = dest.history_item
  ORDER BY history_visits.visit_time, history_visits.id`;

export default defineArtifact<SafariHistoryRecord>({
  id: 'ios.safari_history',
  version: 1,
  title: 'Safari browsing history',
  mvt: { module: 'safari_history', className: 'SafariHistory', storedPathField: 'safari_history_db' },
  doc: 'History.db (and one per Safari profile) lists every page Safari loaded, with the redirects between them; a visit to an attacker domain, or an instant HTTP redirect to another domain (network injection), is a trace of an exploit attempt.',
  references: [
    'https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/',
    'https://citizenlab.ca/2020/12/the-great-ipwn-journalists-hacked-with-suspected-nso-group-imessage-zero-click-exploit/',
  ],
  inputs: safariInputs('History.db'),
  inputMode: 'all',
  requires: {
    history_items: ['id', 'url'],
    history_visits: ['id', 'history_item', 'visit_time', 'redirect_source', 'redirect_destination'],
  },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const which = refKey(file.ref);
      for (const row of db.db.prepare(VISITS_SQL).iterate() as Iterable<Row>) {
        const record = decodeSafariVisit(row, which);
        yield { record, source: rowSource(db, file, 'history_visits', record.visit_id) };
      }
    });
  },
  timeline: (r) => [{ time: r.isodate, event: 'safari_history', description: `Safari visit to ${r.url} (ID: ${r.id}, Visit ID: ${r.visit_id})` }],
  observables: (r) => [{ kind: 'url', value: r.url, field: 'url' }],
});
