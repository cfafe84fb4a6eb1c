import type { EvidenceFile } from '../../evidence/source.js';
import { isDict, type PlistDict } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainDict, plistMoment, type PlainDict, type PlainValue } from './_plist_values.js';

/** The system group container where iOS keeps the installed profiles (one `profile-<hash>.stub` each). */
export const profilesDomain = 'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles';

/** The configuration-profiles group container on a dump. */
const profilesContainers = 'private/var/containers/Shared/SystemGroup/*';

/** The backup's own names, or on a dump the path below the group container, which is what the backup domain holds. */
function whereInContainer(file: EvidenceFile): { file_id: string | null; relative_path: string; domain: string } {
  const b = file.ref.backup;
  if (b) return { file_id: b.fileId, relative_path: b.relativePath, domain: b.domain };
  const path = file.devicePath?.replace(/^\//, '') ?? file.ref.storedPath;
  const inside = /^private\/var\/containers\/Shared\/SystemGroup\/[^/]+\/(.*)$/.exec(path);
  return { file_id: null, relative_path: inside ? inside[1]! : path, domain: profilesDomain };
}

/**
 * An installed configuration profile (MDM enrolment, VPN, certificates, restrictions, …): the whole plist,
 * with dates as Moments and every data value (SignerCerts, PERSISTENT_REF, push token hashes, …) in base64.
 */
export interface ConfigurationProfileRecord {
  /** The backup's file id; null on a filesystem dump. */
  readonly file_id: string | null;
  /** The path inside the configuration-profiles group container (the domain's root). */
  readonly relative_path: string;
  readonly domain: string;
  readonly plist: PlainDict;
  /** The profile's InstallDate. */
  readonly install_date: Moment | null;
}

export function decodeConfigurationProfile(plist: PlistDict, where: { file_id: string | null; relative_path: string; domain: string }): ConfigurationProfileRecord {
  return { ...where, plist: plainDict(plist), install_date: plistMoment(plist.InstallDate) };
}

function text(v: PlainValue | undefined): string {
  return v === undefined || v === null ? 'None' : typeof v === 'string' ? v : JSON.stringify(v);
}

export function profileTimeline(r: ConfigurationProfileRecord): TimelineEvent[] {
  if (!r.install_date) return [];
  const p = r.plist;
  return [
    {
      time: r.install_date,
      event: 'configuration_profile_install',
      description: `${text(p.PayloadType)} installed: ${text(p.PayloadUUID)} - ${text(p.PayloadDisplayName)}: ${text(p.PayloadDescription)}`,
    },
  ];
}

/** The first payload's type: `com.apple.notificationsettings` is what the MEDIUM rule looks for. */
export function firstPayloadType(r: ConfigurationProfileRecord): string | null {
  const content = r.plist.PayloadContent;
  const first = Array.isArray(content) ? content[0] : undefined;
  return first && typeof first === 'object' && !Array.isArray(first) && 'PayloadType' in first && typeof first.PayloadType === 'string' ? first.PayloadType : null;
}

export default defineArtifact<ConfigurationProfileRecord>({
  id: 'ios.configuration_profiles',
  version: 1,
  title: 'Installed configuration profiles',
  mvt: { module: 'configuration_profiles', className: 'ConfigurationProfiles' },
  doc: 'Configuration profiles installed on the phone (MDM enrolment, VPN, root certificates, restrictions); a profile can route traffic, trust an attacker\'s certificate or change settings, and some spyware campaigns installed their own.',
  inputs: {
    // MVT takes every file of the container whose name starts with `profile-`; iOS keeps them in
    // Library/ConfigurationProfiles, and the shallower and deeper patterns cover other layouts.
    'ios-backup': ['profile-*', '*/profile-*', '*/*/profile-*', '*/*/*/profile-*'].map((relativePath) => ({ by: 'backup-domain-glob' as const, domain: profilesDomain, relativePath })),
    // The same container on a dump: named after the group on iOS 15, a UUID before.
    'ios-fs': [{ by: 'device-glob', pattern: `${profilesContainers}/Library/ConfigurationProfiles/profile-*` }],
  },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      const where = whereInContainer(file);
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: `${where.relative_path}: expected a configuration profile dictionary at the top level` });
        return;
      }
      yield { record: decodeConfigurationProfile(plist, where), source: at(file, { whole: true }) };
    });
  },
  timeline: profileTimeline,
  observables: (r) => (typeof r.plist.PayloadUUID === 'string' && r.plist.PayloadUUID ? [{ kind: 'profile_id', value: r.plist.PayloadUUID, field: 'plist.PayloadUUID' }] : []),
});
