import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import profiles, { profilesDomain, type ConfigurationProfileRecord } from '../../../src/artifacts/ios/configuration_profiles.js';
import { fileIdOf } from '../../../src/evidence/ios-backup.js';
import { Moment } from '../../../src/formats/time.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const stubPath = 'Library/ConfigurationProfiles/profile-3f1c0a9e4b7d.stub';

/** A profile stub as iOS stores it: payload metadata, signer certificates and payload content with persistent refs. */
function profileStub(): Buffer {
  return Buffer.from(
    buildBinary({
      PayloadType: 'Configuration',
      PayloadUUID: '6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5',
      PayloadIdentifier: 'com.example.notifications',
      PayloadDisplayName: 'Notification Helper',
      PayloadDescription: 'Keeps things quiet',
      InstallDate: new Date(Date.UTC(2021, 5, 1, 8, 30, 0)),
      SignerCerts: [Buffer.from('cert-der-bytes')],
      PayloadContent: [{ PayloadType: 'com.apple.notificationsettings', PERSISTENT_REF: Buffer.from([1, 2, 3]), NotificationSettings: [{ BundleIdentifier: 'com.apple.MobileSMS', ShowInLockScreen: false }] }],
    }),
  );
}

describe('ios.configuration_profiles on the MVT test backup', () => {
  it('finds no profile (MVT: 0 records)', async () => {
    const { records, coverage } = await parseBackup<ConfigurationProfileRecord>(profiles, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('ios.configuration_profiles on a built backup', () => {
  const backup = () =>
    buildBackup([
      { domain: profilesDomain, relativePath: stubPath, data: profileStub() },
      // Same folder, not profiles: MCProfileEvents.plist is the profile_events artifact's, the other is no `profile-` file.
      { domain: profilesDomain, relativePath: 'Library/ConfigurationProfiles/MCProfileEvents.plist', data: Buffer.from(buildBinary({ ProfileEvents: [] })) },
      { domain: profilesDomain, relativePath: 'Library/ConfigurationProfiles/PayloadManifest.plist', data: Buffer.from(buildBinary({})) },
      // A profile-named file in another domain is not read.
      { domain: 'HomeDomain', relativePath: 'Library/profile-elsewhere.stub', data: profileStub() },
    ]);

  it('reads each profile-* file of the profiles container whole, with data values in base64', async () => {
    const { records, items, coverage } = await parseBackup<ConfigurationProfileRecord>(profiles, backup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.install_date).toBeInstanceOf(Moment);
    expect((r.plist.InstallDate as Moment).mvt()).toBe('2021-06-01 08:30:00.000000');
    expect({ ...r, install_date: r.install_date!.mvt(), plist: { ...r.plist, InstallDate: 'checked above' } }).toEqual({
      file_id: fileIdOf(profilesDomain, stubPath),
      relative_path: stubPath,
      domain: profilesDomain,
      install_date: '2021-06-01 08:30:00.000000',
      plist: {
        PayloadType: 'Configuration',
        PayloadUUID: '6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5',
        PayloadIdentifier: 'com.example.notifications',
        PayloadDisplayName: 'Notification Helper',
        PayloadDescription: 'Keeps things quiet',
        InstallDate: 'checked above',
        SignerCerts: [Buffer.from('cert-der-bytes').toString('base64')],
        PayloadContent: [{ PayloadType: 'com.apple.notificationsettings', PERSISTENT_REF: 'AQID', NotificationSettings: [{ BundleIdentifier: 'com.apple.MobileSMS', ShowInLockScreen: false }] }],
      },
    });
    expect(items[0]!.source.at).toEqual({ whole: true });
  });

  it('dates the install in the timeline and offers the profile UUID as an observable', async () => {
    const { timeline, observables } = await parseBackup<ConfigurationProfileRecord>(profiles, backup());
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2021-06-01 08:30:00.000000', 'configuration_profile_install', 'Configuration installed: 6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5 - Notification Helper: Keeps things quiet'],
    ]);
    expect(observables).toEqual([{ kind: 'profile_id', value: '6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5', field: 'plist.PayloadUUID' }]);
  });

  it('reports a corrupted profile file, naming it, and still reads the others', async () => {
    const b = buildBackup([
      { domain: profilesDomain, relativePath: stubPath, data: profileStub() },
      { domain: profilesDomain, relativePath: 'Library/ConfigurationProfiles/profile-broken.stub', data: profileStub().subarray(0, 60) },
    ]);
    const { records, coverage } = await parseBackup<ConfigurationProfileRecord>(profiles, b);
    expect(records.map((r) => r.relative_path)).toEqual([stubPath]);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.issues[0]!.message).toContain(`${profilesDomain}/Library/ConfigurationProfiles/profile-broken.stub`);
  });
});

describe('ios.configuration_profiles on a filesystem dump', () => {
  const container = 'private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles';

  it('reads the profiles of the group container (iOS 15 names it after the group), and none of its other plists', async () => {
    const root = buildDump({
      [`${container}/${stubPath}`]: profileStub(),
      [`${container}/Library/ConfigurationProfiles/ClientTruth.plist`]: Buffer.from(buildBinary({ Truth: true })),
      [`${container}/Library/ConfigurationProfiles/PayloadManifest.plist`]: Buffer.from(buildBinary({})),
    });
    const { records, coverage, observables } = await parseDump<ConfigurationProfileRecord>(profiles, root);
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ file_id: null, relative_path: stubPath, domain: profilesDomain, plist: { PayloadUUID: '6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5', SignerCerts: ['Y2VydC1kZXItYnl0ZXM='] } });
    expect(records[0]!.install_date?.mvt()).toBe('2021-06-01 08:30:00.000000');
    expect(observables).toEqual([{ kind: 'profile_id', value: '6E1F2C3D-4B5A-4C6D-8E7F-90A1B2C3D4E5', field: 'plist.PayloadUUID' }]);
  });

  it('reads a container named by UUID (older iOS) and names a damaged profile by its path in the container', async () => {
    const root = buildDump({ 'private/var/containers/Shared/SystemGroup/7A1B2C3D-0000-4000-A000-000000000001/Library/ConfigurationProfiles/profile-bad.stub': 'not a plist' });
    const { records, coverage } = await parseDump<ConfigurationProfileRecord>(profiles, root);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]!.code).toBe('bad-plist');
    expect(coverage.reason).toContain('profile-bad.stub');
  });
});
