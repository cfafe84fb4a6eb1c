import { readFileSync } from 'node:fs';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import idStatusCache, { type IdStatusCacheRecord } from '../../../src/artifacts/ios/id_status_cache.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';

const at = { domain: 'HomeDomain', relativePath: 'Library/Preferences/com.apple.identityservices.idstatuscache.plist' };
const sample = () => readFileSync(shared('samples', 'plaso', 'test_data', 'ios', 'com.apple.identityservices.idstatuscache.plist'));
const view = (r: IdStatusCacheRecord) => ({ ...r, isodate: r.isodate?.mvt() ?? null });

describe('ios.id_status_cache on the MVT test backup', () => {
  it('is missing: the backup does not hold the cache (MVT: no output)', async () => {
    const { records, coverage } = await parseBackup<IdStatusCacheRecord>(idStatusCache, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('ios.id_status_cache on the plaso sample (a real iOS 14 cache)', () => {
  it('reads the 40 lookups across services, counting how often each identity was looked up', async () => {
    const { records, items, coverage, timeline } = await parseBackup<IdStatusCacheRecord>(idStatusCache, buildBackup([{ ...at, data: sample() }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(40);
    expect(view(records[0]!)).toEqual({
      package: 'com.apple.private.alloy.icloudpairing',
      user: 'mailto:thisisdfir@gmail.com',
      isodate: '2021-02-17 21:42:43.186637',
      idstatus: 1,
      occurrences: 4,
    });
    expect(items[0]!.source.at).toEqual({ key: 'com.apple.private.alloy.icloudpairing/mailto:thisisdfir@gmail.com' });
    expect(view(records[1]!)).toEqual({ package: 'com.apple.madrid', user: 'tel:+19198887386', isodate: '2021-02-19 19:16:47.372722', idstatus: 1, occurrences: 5 });
    expect(records.filter((r) => r.user === 'tel:+19192895850').map((r) => r.occurrences)).toEqual([3, 3, 3]);
    // Services with no lookups (facetime.audio, sms, …) and CacheVersion (an integer) give no records.
    expect(new Set(records.map((r) => r.package)).size).toBe(11);
    expect(timeline[1]).toMatchObject({ event: 'lookup', description: 'Lookup of tel:+19198887386 within com.apple.madrid (Status 1)' });
    expect(timeline[1]!.time?.mvt()).toBe('2021-02-19 19:16:47.372722');
  });

  it('offers the address of each mailto: lookup as an email observable', async () => {
    const { observables } = await parseBackup<IdStatusCacheRecord>(idStatusCache, buildBackup([{ ...at, data: sample() }]));
    expect(observables).toHaveLength(8);
    expect(new Set(observables.map((o) => o.value))).toEqual(new Set(['thisisdfir@gmail.com', 'joshua.hickman1@me.com', 'thisisdfirtwo@gmail.com', 'joshuahickman957@gmail.com']));
    expect(observables[0]).toEqual({ kind: 'email', value: 'thisisdfir@gmail.com', field: 'user' });
  });
});

describe('ios.id_status_cache on built caches', () => {
  it('writes NUL characters as the text \\x00, skips entries without LookupDate or IDStatus, and trims quotes from addresses', async () => {
    const data = Buffer.from(
      buildBinary({
        'com.apple.madrid': {
          'tel:+1555\u0000\u00001234': { LookupDate: 700000000.5, IDStatus: 2 },
          "mailto:'attacker@example.org'": { LookupDate: 700000001, IDStatus: 1 },
          'tel:+15550000000': { IDStatus: 1 },
        },
      }),
    );
    const { records, observables } = await parseBackup<IdStatusCacheRecord>(idStatusCache, buildBackup([{ ...at, data }]));
    expect(records.map(view)).toEqual([
      { package: 'com.apple.madrid', user: 'tel:+1555\\x00\\x001234', isodate: '2023-03-08 20:26:40.500000', idstatus: 2, occurrences: 1 },
      { package: 'com.apple.madrid', user: "mailto:'attacker@example.org'", isodate: '2023-03-08 20:26:41.000000', idstatus: 1, occurrences: 1 },
    ]);
    expect(observables).toEqual([{ kind: 'email', value: 'attacker@example.org', field: 'user' }]);
  });

  it('fails with a message naming the file when the plist is corrupted', async () => {
    const { records, coverage } = await parseBackup<IdStatusCacheRecord>(idStatusCache, buildBackup([{ ...at, data: sample().subarray(0, 600) }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual(['bad-plist']);
    expect(coverage.reason).toContain('HomeDomain/Library/Preferences/com.apple.identityservices.idstatuscache.plist');
  });
});
