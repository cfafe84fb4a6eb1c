import { isDict, type PlistValue } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainValue, plistMoment, type PlainValue } from './_plist_values.js';

/**
 * One configuration-profile operation from MCProfileEvents.plist: which process installed, removed or
 * changed which profile, and when. Other keys of the event are kept, lower-cased, as MVT does.
 */
export type ProfileEventRecord = {
  readonly profile_id: string;
  readonly timestamp: Moment | null;
  /** `install`, `remove`, … ("" when absent, as MVT). */
  readonly operation: PlainValue;
  /** The process that did it (`profiled`, `MCInstall…`, "" when absent). */
  readonly process: PlainValue;
} & { readonly [key: string]: PlainValue };

/** `ProfileEvents` is a list of one-key dictionaries: profile id → event. */
export function decodeProfileEvents(plist: PlistValue): { record: ProfileEventRecord; key: string }[] {
  const events = isDict(plist) ? plist.ProfileEvents : undefined;
  if (!Array.isArray(events)) return [];
  const out: { record: ProfileEventRecord; key: string }[] = [];
  events.forEach((item, index) => {
    if (!isDict(item)) return;
    for (const [profileId, event] of Object.entries(item)) {
      if (!isDict(event)) continue;
      const record: Record<string, PlainValue> = { profile_id: profileId, timestamp: null, operation: '', process: '' };
      for (const [k, v] of Object.entries(event)) {
        const key = k.toLowerCase();
        record[key] = key === 'timestamp' ? plistMoment(v) : plainValue(v);
      }
      out.push({ record: record as ProfileEventRecord, key: `ProfileEvents/${index}/${profileId}` });
    }
  });
  return out;
}

export const profileEventText = (v: PlainValue): string => (v === null ? 'None' : typeof v === 'string' ? v : JSON.stringify(v));

export default defineArtifact<ProfileEventRecord>({
  id: 'ios.profile_events',
  version: 1,
  title: 'Configuration profile events',
  mvt: { module: 'profile_events', className: 'ProfileEvents' },
  doc: 'The log of configuration profiles being installed and removed, with the process that did it; a profile installed and removed again around the time of an infection is a trace worth examining.',
  inputs: {
    'ios-backup': [{ by: 'backup-any-domain', relativePath: 'Library/ConfigurationProfiles/MCProfileEvents.plist' }],
    'ios-fs': [
      // The system group container (named after the group on iOS 15, a UUID before), then the pre-container home.
      { by: 'device-glob', pattern: 'private/var/containers/Shared/SystemGroup/*/Library/ConfigurationProfiles/MCProfileEvents.plist' },
      { by: 'device-glob', pattern: 'private/var/mobile/Library/ConfigurationProfiles/MCProfileEvents.plist' },
    ],
    'ios-sysdiagnose': [{ by: 'path-glob', pattern: 'logs/MCState/Shared/MCProfileEvents.plist' }],
  },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: 'MCProfileEvents.plist: expected a dictionary with ProfileEvents at the top level' });
        return;
      }
      for (const { record, key } of decodeProfileEvents(plist)) yield { record, source: at(file, { key }) };
    });
  },
  timeline: (r) => [
    { time: r.timestamp, event: 'profile_operation', description: `Process ${profileEventText(r.process)} started operation ${profileEventText(r.operation)} of profile ${r.profile_id}` },
  ],
  observables: (r) => {
    const out: Observable[] = [{ kind: 'profile_id', value: r.profile_id, field: 'profile_id' }];
    if (typeof r.process === 'string' && r.process) out.unshift({ kind: 'process', value: r.process, field: 'process' });
    return out;
  },
});
