import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import profiles, { type SysdiagnoseProfileRecord } from '../../../src/artifacts/ios/sysdiagnose_profiles.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import rules from '../../../src/rules/ios/sysdiagnose_profiles.js';
import type { SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import type { SysdiagnoseFile } from '../../../src/synth/sysdiagnose-files.js';
import { parseMcState, spyProfile } from './_sysdiagnose-tree.js';

const notification = rules[0] as RecordRule<SysdiagnoseProfileRecord>;

const parse = <R>(artifact: typeof profiles, plants: readonly SysdiagnosePlant[] = [], extra: readonly SysdiagnoseFile[] = []) => parseMcState<R>(artifact, plants, extra);

describe('ios.sysdiagnose_profiles', () => {
  it('reads the ordinary phone\'s one Wi-Fi profile, raising nothing', async () => {
    const { records, coverage, observables } = await parse<SysdiagnoseProfileRecord>(profiles);
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ identifier: 'org.eduroam.wifi.profile', display_name: 'eduroam', payload_types: ['com.apple.wifi.managed'], organization: null });
    expect(records[0]!.install_date?.iso()).toBe('2023-12-11T16:04:05.000000Z');
    expect(records[0]!.stub).toMatch(/^profile-[0-9a-f]{64}\.stub$/);
    expect(observables.map((o) => o.field)).toEqual(['uuid', 'identifier']);
    expect(records.flatMap((r) => notification.check(r))).toEqual([]);
  });

  it('flags a profile whose first payload sets notifications (MEDIUM, MVT\'s message), and offers its ids', async () => {
    const { records, observables } = await parse<SysdiagnoseProfileRecord>(profiles, [spyProfile]);
    const planted = records.find((r) => r.identifier === 'com.example.notify')!;
    expect(notification.level).toBe('medium');
    expect(notification.check(planted)).toEqual([{ message: 'Found a potentially suspicious configuration profile "Security Update" with payload type com.apple.notificationsettings', eventTime: planted.install_date }]);
    expect(observables).toContainEqual({ kind: 'profile_id', value: 'A1B2C3D4-0000-4000-8000-000000000001', field: 'uuid' });
  });

  it('skips empty stubs silently and names a damaged or wrong-shaped one', async () => {
    const { records, coverage } = await parse<SysdiagnoseProfileRecord>(profiles, [], [
      { path: 'logs/MCState/Shared/profile-empty.stub', data: '' },
      { path: 'logs/MCState/Shared/profile-broken.stub', data: Buffer.from('bplist00\x00\x01garbage') },
      { path: 'logs/MCState/Shared/profile-list.stub', data: Buffer.from(buildBinary(['not', 'a', 'dict'])) },
    ]);
    expect(records).toHaveLength(1);
    expect(coverage.issues.map((i) => i.message)).toHaveLength(2);
    expect(coverage.issues[0]!.message).toMatch(/^logs\/MCState\/Shared\/profile-broken\.stub: /);
    expect(coverage.issues[1]!.message).toBe('profile-list.stub: expected a profile dictionary at the top level');
  });
});
