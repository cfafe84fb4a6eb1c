import { describe, expect, it } from 'vitest';
import receivers, { type DumpsysReceiverRecord } from '../../../src/artifacts/android/dumpsys_receivers.js';
import { decodeResolverTable } from '../../../src/formats/dumpsys-package.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const packages = () => mvtDumpsys('dumpsys_packages.txt').toString('utf8');

describe('android.dumpsys_receivers', () => {
  it('MVT\'s dumpsys_packages.txt: 4 intents, the first SHOW_NOTIFICATION → com.android.storagemanager', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysReceiverRecord>(receivers, { package: packages() });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(new Set(records.map((r) => r.intent)).size).toBe(4);
    expect(records[0]).toEqual({ intent: 'com.android.storagemanager.automatic.SHOW_NOTIFICATION', package_name: 'com.android.storagemanager', component: 'com.android.storagemanager/.automatic.NotificationController' });
  });

  it('a mis-indented action (15 spaces) and a mis-indented first action both open their intent', () => {
    const table = (actionLine: string) => `Receiver Resolver Table:\n  Non-Data Actions:\n${actionLine}\n        8a1b2c3 com.psycatgames.nhiegame/.ReplacedReceiver\n\n`;
    for (const line of ['               android.intent.action.MY_PACKAGE_REPLACED:', 'android.intent.action.MY_PACKAGE_REPLACED:']) {
      expect(decodeResolverTable(table(line), 'Receiver')).toEqual([{ intent: 'android.intent.action.MY_PACKAGE_REPLACED', package_name: 'com.psycatgames.nhiegame', component: 'com.psycatgames.nhiegame/.ReplacedReceiver' }]);
    }
  });

  it('an indicator matches the exact package only: com.android.services, not com.android.services.x', async () => {
    const text = 'Receiver Resolver Table:\n  Non-Data Actions:\n      android.provider.Telephony.SMS_RECEIVED:\n        1 com.android.services/.Sms\n        2 com.android.services.x/.Sms\n\n';
    const findings = await checkDumpsys('android.dumpsys_receivers', { package: text }, ['com.android.services']);
    expect(findings.map((f) => [f.level, (f.record as DumpsysReceiverRecord).component])).toEqual([['critical', 'com.android.services/.Sms']]);
  });

  it('reads androidqf\'s dumpsys.txt: 8 receivers', async () => {
    const { records, coverage } = await parseAqf<DumpsysReceiverRecord>(receivers, mvtAndroidqf());
    expect(coverage).toMatchObject({ state: 'parsed', records: 8, issues: [] });
    expect(records.every((r) => r.component.startsWith(`${r.package_name}/`))).toBe(true);
  });
});
