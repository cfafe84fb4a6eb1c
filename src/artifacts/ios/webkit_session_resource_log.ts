import { describeFile } from '../../evidence/source.js';
import { isDict, type PlistDict, type PlistValue } from '../../formats/plist.js';
import { fromDate, fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { readPlists } from '../_read.js';
import { appContainerGlob } from './_browsers.js';

/** One member of a WebKit domain set: `{origin, count}` before WebKit's model version 15, `{domain}` after. */
export interface WebkitDomainEntry {
  readonly origin?: string;
  readonly domain?: string;
  readonly count?: number;
}

/**
 * One `browsingStatistics` item of full_browsing_session_resourceLog.plist: a site WebKit classified as a
 * possible tracker, with the sites that redirected to it, that it redirected to, and that embedded it.
 */
export interface WebkitSessionResourceLogRecord {
  /** `PrevalentResourceOrigin` (`PrevalentResourceDomain` in newer WebKit); "" when absent. */
  readonly origin: string;
  /** `topFrameUniqueRedirectsFrom`: sites whose top frame redirected to origin. */
  readonly redirect_source: WebkitDomainEntry[];
  /** `topFrameUniqueRedirectsTo`: sites origin redirected the top frame to. */
  readonly redirect_destination: WebkitDomainEntry[];
  /** `subframeUnderTopFrameOrigins` (`…Domains` in newer WebKit). */
  readonly subframe_under_origin: WebkitDomainEntry[];
  /** `subresourceUnderTopFrameOrigins` (`…Domains` in newer WebKit). */
  readonly subresource_under_origin: WebkitDomainEntry[];
  /** `hadUserInteraction`; null when absent. */
  readonly user_interaction: boolean | null;
  readonly most_recent_interaction: Moment | null;
  readonly last_seen: Moment | null;
}

/** WebKit renamed these keys in its model version 15; MVT reads only the old names. */
const KEYS = {
  origin: ['PrevalentResourceOrigin', 'PrevalentResourceDomain'],
  redirect_source: ['topFrameUniqueRedirectsFrom'],
  redirect_destination: ['topFrameUniqueRedirectsTo'],
  subframe_under_origin: ['subframeUnderTopFrameOrigins', 'subframeUnderTopFrameDomains'],
  subresource_under_origin: ['subresourceUnderTopFrameOrigins', 'subresourceUnderTopFrameDomains'],
} as const;

function first(item: PlistDict, keys: readonly string[]): PlistValue | undefined {
  for (const k of keys) if (k in item) return item[k];
  return undefined;
}

function domainEntries(v: PlistValue | undefined): WebkitDomainEntry[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isDict).map((e) => ({
    ...(typeof e.origin === 'string' && { origin: e.origin }),
    ...(typeof e.domain === 'string' && { domain: e.domain }),
    ...((typeof e.count === 'number' || typeof e.count === 'bigint') && { count: Number(e.count) }),
  }));
}

/** WebKit writes its WallTime as a double of Unix seconds. */
function wallTime(v: PlistValue | undefined): Moment | null {
  if (v instanceof Date) return fromDate(v);
  return typeof v === 'number' || typeof v === 'bigint' ? fromUnix(v) : null;
}

export function decodeBrowsingStatistic(item: PlistDict): WebkitSessionResourceLogRecord {
  const origin = first(item, KEYS.origin);
  const interaction = item.hadUserInteraction;
  return {
    origin: typeof origin === 'string' ? origin : '',
    redirect_source: domainEntries(first(item, KEYS.redirect_source)),
    redirect_destination: domainEntries(first(item, KEYS.redirect_destination)),
    subframe_under_origin: domainEntries(first(item, KEYS.subframe_under_origin)),
    subresource_under_origin: domainEntries(first(item, KEYS.subresource_under_origin)),
    user_interaction: typeof interaction === 'boolean' ? interaction : null,
    most_recent_interaction: wallTime(item.mostRecentUserInteraction),
    last_seen: wallTime(item.lastSeen),
  };
}

const LIST_FIELDS = ['redirect_source', 'redirect_destination', 'subframe_under_origin', 'subresource_under_origin'] as const;

export default defineArtifact<WebkitSessionResourceLogRecord>({
  id: 'ios.webkit_session_resource_log',
  version: 1,
  title: 'WebKit session resource log',
  mvt: { module: 'webkit_session_resource_log', className: 'WebkitSessionResourceLog', shape: 'by-path' },
  doc: 'full_browsing_session_resourceLog.plist records, per app web view, sites WebKit suspected of tracking and the redirect chains that led to and from them; an exploit delivery chain (shortener → redirector → exploit server) can show up here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup-any-domain', relativePath: 'Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist' }],
    'ios-fs': [
      appContainerGlob('SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/full_browsing_session_resourceLog.plist'),
      appContainerGlob('Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist'),
      { by: 'device-glob', pattern: 'private/var/mobile/Library/WebClips/*/Storage/full_browsing_session_resourceLog.plist' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      const items = isDict(plist) ? plist.browsingStatistics : undefined;
      if (items === undefined && isDict(plist)) return; // no statistics recorded in this session
      if (!Array.isArray(items)) {
        ctx.warn({ code: 'unsupported-schema', file, message: `${describeFile(file)}: expected a dictionary with a browsingStatistics array` });
        return;
      }
      for (const [i, item] of items.entries()) {
        if (!isDict(item)) {
          ctx.warn({ code: 'row-skipped', file, message: `${describeFile(file)}: browsingStatistics[${i}] is not a dictionary` });
          continue;
        }
        yield { record: decodeBrowsingStatistic(item), source: { file, at: { key: `browsingStatistics[${i}]` } } };
      }
    });
  },
  observables: (r) => {
    const out: Observable[] = [];
    const seen = new Set<string>();
    const add = (value: string | undefined, field: string) => {
      if (!value || seen.has(`${field}\0${value}`)) return;
      seen.add(`${field}\0${value}`);
      out.push({ kind: 'domain', value, field });
    };
    add(r.origin, 'origin');
    for (const field of LIST_FIELDS) {
      for (const e of r[field]) {
        add(e.origin, field);
        add(e.domain, field);
      }
    }
    return out;
  },
});
