import { isDict, type PlistDict } from '../../formats/plist.js';
import { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type TimelineEvent } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainValue, plistMoment, type PlainValue } from './_plist_values.js';

/** The clients.plist keys holding Cocoa timestamps (reference-spec §7.3.9), in timeline order. */
export const locationdTimeKeys = [
  'ConsumptionPeriodBegin',
  'ReceivingLocationInformationTimeStopped',
  'VisitTimeStopped',
  'LocationTimeStopped',
  'BackgroundLocationTimeStopped',
  'SignificantTimeStopped',
  'NonPersistentSignificantTimeStopped',
  'FenceTimeStopped',
  'BeaconRegionTimeStopped',
] as const;

/**
 * One app, daemon or bundle that asked locationd for the phone's location: the plist entry as stored
 * (`BundleId`, `Executable`, `BundlePath`, `Registered`, `Authorization`, …, `ClientStorageToken` in base64),
 * its timestamps as Moments, plus `package`, the entry's key without its trailing `:`.
 */
export type LocationdClientRecord = { readonly package: string } & { readonly [key: string]: PlainValue };

export function decodeLocationdClient(key: string, entry: PlistDict): LocationdClientRecord {
  const fields: Record<string, PlainValue> = {};
  for (const [k, v] of Object.entries(entry)) {
    fields[k] = (locationdTimeKeys as readonly string[]).includes(k) ? plistMoment(v) : plainValue(v);
  }
  return { ...fields, package: key.replace(/:+$/, '') };
}

export function locationdTimeline(r: LocationdClientRecord): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const key of locationdTimeKeys) {
    const t = r[key];
    if (t instanceof Moment) events.push({ time: t, event: key, description: `${key} from ${r.package}` });
  }
  return events;
}

/**
 * MVT raises HIGH (not CRITICAL) on every match here: a client entry names a binary or bundle that asked
 * for location, which is a mention of it rather than proof that it ran.
 */
export function locationdObservables(r: LocationdClientRecord): Observable[] {
  const out: Observable[] = [];
  const process = r.package.split('/').pop();
  if (process) out.push({ kind: 'process', value: process, field: 'package', role: 'mention' });
  if (typeof r.BundleId === 'string' && r.BundleId) out.push({ kind: 'process', value: r.BundleId, field: 'BundleId', role: 'mention' });
  for (const field of ['BundlePath', 'Executable', 'Registered'] as const) {
    const v = r[field];
    if (typeof v === 'string' && v) out.push({ kind: 'file_path', value: v, field, role: 'mention' });
  }
  return out;
}

export default defineArtifact<LocationdClientRecord>({
  id: 'ios.locationd_clients',
  version: 1,
  title: 'Location clients (locationd clients.plist)',
  mvt: { module: 'locationd_clients', className: 'LocationdClients' },
  doc: 'Every app, daemon and bundle that asked locationd for the phone\'s location, with when it last did; Pegasus processes (bh, roleaccountd, …) and their paths were found here.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: {
    'ios-backup': [{ by: 'backup', domain: 'RootDomain', relativePath: 'Library/Caches/locationd/clients.plist' }],
    'ios-fs': [
      { by: 'device-glob', pattern: 'private/var/mobile/Library/Caches/locationd/clients.plist' },
      { by: 'device-glob', pattern: 'private/var/root/Library/Caches/locationd/clients.plist' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: 'clients.plist: expected a dictionary of location clients at the top level' });
        return;
      }
      for (const [key, entry] of Object.entries(plist)) {
        if (isDict(entry)) yield { record: decodeLocationdClient(key, entry), source: at(file, { key }) };
      }
    });
  },
  timeline: locationdTimeline,
  observables: locationdObservables,
});
