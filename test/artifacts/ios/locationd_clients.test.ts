import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import locationd, { type LocationdClientRecord } from '../../../src/artifacts/ios/locationd_clients.js';
import { Moment } from '../../../src/formats/time.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const at = { domain: 'RootDomain', relativePath: 'Library/Caches/locationd/clients.plist' };
const bhKey = 'com.apple.locationd.executable-/private/var/db/com.apple.xpc.roleaccountd.staging/bh:';

/** A clients.plist shaped like iOS 14's: an app, a daemon by executable path, a system bundle, and a non-entry key. */
function clientsPlist(): Buffer {
  return Buffer.from(
    buildBinary({
      'com.apple.Maps': {
        BundleId: 'com.apple.Maps',
        Authorization: 2,
        Whitelisted: false,
        LocationTimeStopped: 650000000.5,
        ConsumptionPeriodBegin: 640000000,
        ClientStorageToken: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
      },
      [bhKey]: {
        Executable: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh',
        Registered: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh',
        SignificantTimeStopped: 650000100,
      },
      'com.apple.locationd.bundle-/System/Library/LocationBundles/Siri.bundle': {
        BundlePath: '/System/Library/LocationBundles/Siri.bundle',
        Registered: true,
      },
      Version: 3,
    }),
  );
}

describe('ios.locationd_clients on the MVT test backup', () => {
  it('is missing: the backup does not hold clients.plist', async () => {
    const { records, coverage } = await parseBackup<LocationdClientRecord>(locationd, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('ios.locationd_clients on a built clients.plist', () => {
  it('gives one record per client entry with its timestamps as Moments and the storage token in base64', async () => {
    const { records, items, coverage } = await parseBackup<LocationdClientRecord>(locationd, buildBackup([{ ...at, data: clientsPlist() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(3);
    const maps = records[0]!;
    expect(maps.LocationTimeStopped).toBeInstanceOf(Moment);
    expect({ ...maps, LocationTimeStopped: (maps.LocationTimeStopped as Moment).mvt(), ConsumptionPeriodBegin: (maps.ConsumptionPeriodBegin as Moment).mvt() }).toEqual({
      BundleId: 'com.apple.Maps',
      Authorization: 2,
      Whitelisted: false,
      LocationTimeStopped: '2021-08-07 03:33:20.500000',
      ConsumptionPeriodBegin: '2021-04-13 09:46:40.000000',
      ClientStorageToken: '3q2+7w==',
      package: 'com.apple.Maps',
    });
    expect(records[1]).toMatchObject({ package: 'com.apple.locationd.executable-/private/var/db/com.apple.xpc.roleaccountd.staging/bh', Executable: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh' });
    expect(items[1]!.source.at).toEqual({ key: bhKey });
  });

  it('gives one timeline row per timestamp key, named after it', async () => {
    const { timeline } = await parseBackup<LocationdClientRecord>(locationd, buildBackup([{ ...at, data: clientsPlist() }]));
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2021-04-13 09:46:40.000000', 'ConsumptionPeriodBegin', 'ConsumptionPeriodBegin from com.apple.Maps'],
      ['2021-08-07 03:33:20.500000', 'LocationTimeStopped', 'LocationTimeStopped from com.apple.Maps'],
      ['2021-08-07 03:35:00.000000', 'SignificantTimeStopped', 'SignificantTimeStopped from com.apple.locationd.executable-/private/var/db/com.apple.xpc.roleaccountd.staging/bh'],
    ]);
  });

  it('offers process names and paths as mentions (MVT raises HIGH on all of them); a boolean Registered is not a path', async () => {
    const { observables } = await parseBackup<LocationdClientRecord>(locationd, buildBackup([{ ...at, data: clientsPlist() }]));
    expect(observables).toEqual([
      { kind: 'process', value: 'com.apple.Maps', field: 'package', role: 'mention' },
      { kind: 'process', value: 'com.apple.Maps', field: 'BundleId', role: 'mention' },
      { kind: 'process', value: 'bh', field: 'package', role: 'mention' },
      { kind: 'file_path', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', field: 'Executable', role: 'mention' },
      { kind: 'file_path', value: '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', field: 'Registered', role: 'mention' },
      { kind: 'process', value: 'Siri.bundle', field: 'package', role: 'mention' },
      { kind: 'file_path', value: '/System/Library/LocationBundles/Siri.bundle', field: 'BundlePath', role: 'mention' },
    ]);
  });

  it('fails with a message naming the file when the plist is corrupted', async () => {
    const { records, coverage } = await parseBackup<LocationdClientRecord>(locationd, buildBackup([{ ...at, data: clientsPlist().subarray(0, 100) }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.reason).toContain('RootDomain/Library/Caches/locationd/clients.plist');
  });
});
