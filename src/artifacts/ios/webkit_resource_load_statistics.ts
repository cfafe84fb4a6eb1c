import { Moment, fromUnix } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { num, readDatabases, str, type Row } from '../_read.js';
import { appContainerGlob, rowSource } from './_browsers.js';

/**
 * One domain WebKit saw load resources (ObservedDomains in an app's ResourceLoadStatistics/observations.db).
 * Every app that embeds a web view keeps its own store, so the backup domain says which app it was.
 */
export interface WebkitResourceLoadStatisticsRecord {
  readonly domain_id: number | null;
  readonly registrable_domain: string;
  /** `lastSeen`, raw Unix seconds. */
  readonly last_seen: number | null;
  readonly had_user_interaction: boolean;
  readonly last_seen_isodate: Moment | null;
  /** Backup domain of the app (`AppDomain-com.google.chrome.ios`); "" on a full dump. */
  readonly domain: string;
  /** Path of the observations.db: backup relative path, or the device path on a full dump. */
  readonly path: string;
  /** Present when the column exists; -1 means never. */
  readonly most_recent_user_interaction_time?: number | null;
  /** Present only for a value ≥ 0. */
  readonly most_recent_user_interaction_time_isodate?: Moment | null;
  readonly most_recent_web_push_interaction_time?: number | null;
  readonly most_recent_web_push_interaction_time_isodate?: Moment | null;
}

const OPTIONAL_TIME_COLUMNS = ['mostRecentUserInteractionTime', 'mostRecentWebPushInteractionTime'] as const;

/** An optional time column: absent from older schemas; -1 is WebKit's "never" and gets no date. */
function optionalTime(row: Row, column: string): { value: number | null; isodate?: Moment } | undefined {
  if (!(column in row)) return undefined;
  const value = num(row[column]);
  // Only negatives are dropped: 0 renders as the epoch, as MVT does.
  return value !== null && value >= 0 ? { value, isodate: Moment.fromUnixSeconds(value) ?? undefined } : { value };
}

/** `where` is the backup domain and path of the database (domain "" on a full dump). */
export function decodeObservedDomain(row: Row, where: { domain: string; path: string }): WebkitResourceLoadStatisticsRecord {
  const lastSeen = num(row.lastSeen);
  const user = optionalTime(row, 'mostRecentUserInteractionTime');
  const push = optionalTime(row, 'mostRecentWebPushInteractionTime');
  return {
    domain_id: num(row.domainID),
    registrable_domain: str(row.registrableDomain) ?? '',
    last_seen: lastSeen,
    had_user_interaction: Boolean(num(row.hadUserInteraction)),
    last_seen_isodate: fromUnix(lastSeen),
    domain: where.domain,
    path: where.path,
    ...(user && { most_recent_user_interaction_time: user.value }),
    ...(user?.isodate && { most_recent_user_interaction_time_isodate: user.isodate }),
    ...(push && { most_recent_web_push_interaction_time: push.value }),
    ...(push?.isodate && { most_recent_web_push_interaction_time_isodate: push.isodate }),
  };
}

export default defineArtifact<WebkitResourceLoadStatisticsRecord>({
  id: 'ios.webkit_resource_load_statistics',
  version: 1,
  title: 'WebKit resource load statistics',
  mvt: { module: 'webkit_resource_load_statistics', className: 'WebkitResourceLoadStatistics' },
  doc: 'Each app with a web view keeps observations.db, WebKit’s list of every site that loaded content in it and when it was last seen; a spyware domain here shows which app loaded it, even when that app keeps no history of its own.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup-any-domain', relativePath: 'Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db' }],
    'ios-fs': [
      appContainerGlob('Library/WebKit/WebsiteData/ResourceLoadStatistics/observations.db'),
      appContainerGlob('SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/observations.db'),
    ],
  },
  inputMode: 'all',
  requires: { ObservedDomains: ['domainID', 'registrableDomain', 'lastSeen', 'hadUserInteraction'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const cols = db.columns('ObservedDomains');
      const optional = OPTIONAL_TIME_COLUMNS.filter((c) => cols.has(c));
      const select = ['domainID', 'registrableDomain', 'lastSeen', 'hadUserInteraction', ...optional].join(', ');
      const where = file.ref.backup
        ? { domain: file.ref.backup.domain, path: file.ref.backup.relativePath }
        : { domain: '', path: file.ref.storedPath };
      for (const row of db.db.prepare(`SELECT ${select} FROM ObservedDomains ORDER BY domainID`).iterate() as Iterable<Row>) {
        const record = decodeObservedDomain(row, where);
        yield { record, source: rowSource(db, file, 'ObservedDomains', record.domain_id) };
      }
    });
  },
  timeline: (r) => [
    {
      time: r.last_seen_isodate,
      event: 'visit',
      description: `Webkit resource loaded from ${r.registrable_domain}${r.domain ? ` by app in domain ${r.domain}` : ''}`,
    },
  ],
  observables: (r) => (r.registrable_domain ? [{ kind: 'domain', value: r.registrable_domain, field: 'registrable_domain' }] : []),
});
