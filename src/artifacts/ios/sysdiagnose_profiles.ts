import { isDict, type PlistDict, type PlistValue } from '../../formats/plist.js';
import type { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainDict, plistMoment, type PlainDict } from './_plist_values.js';
import { fileName } from './_sysdiagnose.js';

/**
 * An installed configuration profile as the sysdiagnose copies it (logs/MCState/Shared/profile-<hash>.stub): the
 * profile's own plist without secrets, with who it is from and what its payloads configure.
 */
export interface SysdiagnoseProfileRecord {
  /** `profile-<hash>.stub` */
  readonly stub: string;
  readonly identifier: string | null;
  readonly uuid: string | null;
  readonly display_name: string | null;
  readonly organization: string | null;
  readonly description: string | null;
  readonly install_date: Moment | null;
  /** PayloadType of each entry of PayloadContent, in order (`com.apple.wifi.managed`, `com.apple.vpn.managed`, …). */
  readonly payload_types: string[];
  /** The whole stub, dates as Moments and data as base64. */
  readonly plist: PlainDict;
}

const str = (v: PlistValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function decodeProfileStub(stub: string, plist: PlistDict): SysdiagnoseProfileRecord {
  const content = Array.isArray(plist.PayloadContent) ? plist.PayloadContent : [];
  return {
    stub,
    identifier: str(plist.PayloadIdentifier),
    uuid: str(plist.PayloadUUID),
    display_name: str(plist.PayloadDisplayName),
    organization: str(plist.PayloadOrganization),
    description: str(plist.PayloadDescription),
    install_date: plistMoment(plist.InstallDate),
    payload_types: content.flatMap((p) => (isDict(p) && typeof p.PayloadType === 'string' ? [p.PayloadType] : [])),
    plist: plainDict(plist),
  };
}

export default defineArtifact<SysdiagnoseProfileRecord>({
  id: 'ios.sysdiagnose_profiles',
  version: 1,
  title: 'Installed configuration profiles (sysdiagnose MCState stubs)',
  doc: 'The configuration profiles installed when the sysdiagnose was taken (MDM enrolment, VPN, root certificates, restrictions): a profile can route traffic, trust an attacker\'s certificate or hide notifications, and its identifier can match an indicator.',
  references: ['https://github.com/EC-DIGIT-CSIRC/sysdiagnose'],
  inputs: { 'ios-sysdiagnose': [{ by: 'path-glob', pattern: 'logs/MCState/Shared/profile-*.stub' }] },
  inputMode: 'all',
  async *parse(ctx) {
    // iOS leaves some stubs empty; an empty file says nothing, so it is neither a record nor an issue.
    const files = (await ctx.findInputs()).filter((f) => f.size !== 0);
    const only: typeof ctx = { ...ctx, findInputs: () => Promise.resolve(files) };
    yield* readPlists(only, function* (plist, file) {
      const name = fileName(file);
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: `${name}: expected a profile dictionary at the top level` });
        return;
      }
      yield { record: decodeProfileStub(name, plist), source: at(file, { whole: true }) };
    });
  },
  timeline: (r) =>
    r.install_date ? [{ time: r.install_date, event: 'configuration_profile_install', description: `Profile ${r.display_name ?? r.identifier ?? r.stub} (${r.identifier ?? 'no identifier'}) installed: ${r.payload_types.join(', ') || 'no payloads'}` }] : [],
  observables: (r) => {
    const out: Observable[] = [];
    if (r.uuid) out.push({ kind: 'profile_id', value: r.uuid, field: 'uuid' });
    if (r.identifier) out.push({ kind: 'profile_id', value: r.identifier, field: 'identifier' });
    return out;
  },
});
