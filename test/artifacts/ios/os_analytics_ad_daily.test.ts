import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import addaily, { type OsAnalyticsAdDailyRecord } from '../../../src/artifacts/ios/os_analytics_ad_daily.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const at = { domain: 'HomeDomain', relativePath: 'Library/Preferences/com.apple.osanalytics.addaily.plist' };
const day = new Date(Date.UTC(2021, 6, 14, 0, 0, 0));

function addailyPlist(baseline: Record<string, unknown>): Buffer {
  return Buffer.from(buildBinary({ netUsageBaseline: baseline, lastAppUsageDate: day } as unknown as Parameters<typeof buildBinary>[0]));
}

const view = (r: OsAnalyticsAdDailyRecord) => ({ ...r, ts: r.ts?.mvt() ?? null });

describe('ios.os_analytics_ad_daily on the MVT test backup', () => {
  it('is missing: the backup does not hold the plist', async () => {
    const { records, coverage } = await parseBackup<OsAnalyticsAdDailyRecord>(addaily, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('ios.os_analytics_ad_daily on a built plist', () => {
  it('gives one record per process baseline, with its timeline row and the process as an observable', async () => {
    const data = addailyPlist({ 'com.apple.mobilesafari': [day, 1000, 200, 30, 4], roleaccountd: [day, 0, 0, 5120, 2048] });
    const { records, items, timeline, observables, coverage } = await parseBackup<OsAnalyticsAdDailyRecord>(addaily, buildBackup([{ ...at, data }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map(view)).toEqual([
      { package: 'com.apple.mobilesafari', ts: '2021-07-14 00:00:00.000000', wifi_in: 1000, wifi_out: 200, wwan_in: 30, wwan_out: 4 },
      { package: 'roleaccountd', ts: '2021-07-14 00:00:00.000000', wifi_in: 0, wifi_out: 0, wwan_in: 5120, wwan_out: 2048 },
    ]);
    expect(items[1]!.source.at).toEqual({ key: 'netUsageBaseline/roleaccountd' });
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])[1]).toEqual([
      '2021-07-14 00:00:00.000000',
      'osanalytics_addaily',
      'roleaccountd WIFI IN: 0, WIFI OUT: 0 - WWAN IN: 5120, WWAN OUT: 2048',
    ]);
    expect(observables[1]).toEqual({ kind: 'process', value: 'roleaccountd', field: 'package' });
  });

  it('skips a malformed baseline with an issue and keeps the others', async () => {
    const data = addailyPlist({ good: [day, 1, 2, 3, 4], bad: 'not a list' });
    const { records, coverage } = await parseBackup<OsAnalyticsAdDailyRecord>(addaily, buildBackup([{ ...at, data }]));
    expect(records.map((r) => r.package)).toEqual(['good']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => [i.code, i.message])).toEqual([
      ['row-skipped', 'com.apple.osanalytics.addaily.plist: netUsageBaseline entry "bad" is not a [date, wifi in, wifi out, wwan in, wwan out] list'],
    ]);
  });

  it('is empty, without issues, when the plist has no netUsageBaseline', async () => {
    const data = Buffer.from(buildBinary({ lastAppUsageDate: day }));
    const { records, coverage } = await parseBackup<OsAnalyticsAdDailyRecord>(addaily, buildBackup([{ ...at, data }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('empty');
    expect(coverage.issues).toEqual([]);
  });

  it('fails with a message naming the file when the plist is not a plist', async () => {
    const { coverage } = await parseBackup<OsAnalyticsAdDailyRecord>(addaily, buildBackup([{ ...at, data: Buffer.from('hello') }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toBe('HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist: not a property list (expected "bplist00" or an XML plist)');
  });
});
