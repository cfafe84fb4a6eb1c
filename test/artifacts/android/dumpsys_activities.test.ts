import { describe, expect, it } from 'vitest';
import activities, { type DumpsysActivityRecord } from '../../../src/artifacts/android/dumpsys_activities.js';
import { decodeResolverTable } from '../../../src/formats/dumpsys-package.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const packages = () => mvtDumpsys('dumpsys_packages.txt').toString('utf8');

describe('android.dumpsys_activities', () => {
  it('MVT\'s dumpsys_packages.txt: 4 activities of the Non-Data Actions, the first com.samsung.android.app.social', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysActivityRecord>(activities, { package: packages() });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toHaveLength(4);
    expect(records[0]).toEqual({ intent: 'com.samsung.android.intent.SOCIAL_UPDATES_FEED_VIEW', package_name: 'com.samsung.android.app.social', component: 'com.samsung.android.app.social/.feed.FeedsActivity' });
    expect(records[3]!.package_name).toBe('com.google.android.gms');
  });

  it('the indicator com.google.android.gms: 1 CRITICAL', async () => {
    const findings = await checkDumpsys('android.dumpsys_activities', { package: packages() }, ['com.google.android.gms']);
    expect(findings.map((f) => [f.level, f.match?.observed])).toEqual([['critical', 'com.google.android.gms']]);
  });

  it('a table without Non-Data Actions gives nothing; the receiver table is not read as activities', () => {
    expect(decodeResolverTable('Activity Resolver Table:\n  Full MIME Types:\n      text/plain:\n        1 com.x/.A\n\n', 'Activity')).toEqual([]);
    expect(decodeResolverTable('Receiver Resolver Table:\n  Non-Data Actions:\n      a.B:\n        1 com.x/.R\n', 'Activity')).toEqual([]);
  });
});
