import type { EvidenceFile } from '../../evidence/source.js';
import { isDict, type PlistValue } from '../../formats/plist.js';
import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { at, num, readPlists } from '../_read.js';

/**
 * One identity lookup from the IDS status cache: when the phone asked Apple whether an address or number
 * (`mailto:…`, `tel:…`) is reachable over iMessage, FaceTime or another Apple service. Attackers' iMessage
 * accounts show up here once they have contacted the phone.
 */
export interface IdStatusCacheRecord {
  /** The service that made the lookup (`com.apple.madrid` is iMessage). */
  readonly package: string;
  /** The looked-up identity; NUL characters are written as the text `\x00`, as MVT does. */
  readonly user: string;
  /** LookupDate (Cocoa seconds). */
  readonly isodate: Moment | null;
  /** IDStatus: 1 reachable, 2 not reachable. */
  readonly idstatus: number | null;
  /** How many lookups (across services and files) concern the same identity. */
  readonly occurrences: number;
}

type Draft = Omit<IdStatusCacheRecord, 'occurrences'>;

/** Pure decoder: service → identity → {LookupDate, IDStatus}; entries lacking either key are not lookups. */
export function decodeIdStatusCache(plist: PlistValue): { draft: Draft; key: string }[] {
  if (!isDict(plist)) return [];
  const out: { draft: Draft; key: string }[] = [];
  for (const [pkg, users] of Object.entries(plist)) {
    if (!isDict(users)) continue;
    for (const [rawUser, entry] of Object.entries(users)) {
      if (!isDict(entry) || !('LookupDate' in entry) || !('IDStatus' in entry)) continue;
      const user = rawUser.replace(/\0/g, '\\x00');
      const lookup = entry.LookupDate;
      out.push({
        draft: { package: pkg, user, isodate: lookup instanceof Date ? null : fromCocoa(num(lookup)), idstatus: num(entry.IDStatus) },
        key: `${pkg}/${rawUser}`,
      });
    }
  }
  return out;
}

export default defineArtifact<IdStatusCacheRecord>({
  id: 'ios.id_status_cache',
  version: 1,
  title: 'Apple ID lookups (IDS status cache)',
  mvt: { module: 'id_status_cache', className: 'IDStatusCache' },
  doc: 'The identity-services cache of addresses and numbers the phone looked up for iMessage, FaceTime and other Apple services; the Apple ID accounts used to deliver Pegasus exploits over iMessage were found here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'HomeDomain', relativePath: 'Library/Preferences/com.apple.identityservices.idstatuscache.plist' }],
    'ios-fs': [
      { by: 'device-glob', pattern: 'private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist' },
      { by: 'device-glob', pattern: 'private/var/mobile/Library/IdentityServices/idstatuscache.plist' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    // `occurrences` counts across every file read, so the (small) caches are read whole before yielding.
    const drafts: Parsed<Draft>[] = [];
    const read = readPlists<Draft>(ctx, function* (plist, file: EvidenceFile) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: 'idstatuscache.plist: expected a dictionary of services at the top level' });
        return;
      }
      for (const { draft, key } of decodeIdStatusCache(plist)) yield { record: draft, source: at(file, { key }) };
    });
    for await (const draft of read) drafts.push(draft);
    const counts = new Map<string, number>();
    for (const d of drafts) counts.set(d.record.user, (counts.get(d.record.user) ?? 0) + 1);
    for (const d of drafts) yield { record: { ...d.record, occurrences: counts.get(d.record.user)! }, source: d.source };
  },
  timeline: (r) => [{ time: r.isodate, event: 'lookup', description: `Lookup of ${r.user} within ${r.package} (Status ${r.idstatus ?? 'None'})` }],
  observables: (r): Observable[] => {
    if (!r.user.startsWith('mailto:')) return [];
    const email = r.user.slice('mailto:'.length).replace(/^'+|'+$/g, '');
    return email ? [{ kind: 'email', value: email, field: 'user' }] : [];
  },
});
