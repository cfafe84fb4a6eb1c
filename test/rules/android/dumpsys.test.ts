/**
 * The dumpsys heuristics as pure functions of one record: what fires (message, level, time) and what must not
 * (the innocent side). Their runs over MVT's files and the clean and planted phones are in
 * test/artifacts/android/dumpsys_*.test.ts and clean-phone.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { DumpsysAdbStateRecord } from '../../../src/artifacts/android/dumpsys_adb_state.js';
import type { DumpsysAppopsRecord } from '../../../src/artifacts/android/dumpsys_appops.js';
import type { DumpsysBatteryDailyRecord } from '../../../src/artifacts/android/dumpsys_battery_daily.js';
import type { DumpsysPackageRecord } from '../../../src/artifacts/android/dumpsys_packages.js';
import { keyOf } from '../../../src/formats/dumpsys-adb.js';
import { localWallClock } from '../../../src/formats/dumpsys-time.js';
import { fromDate } from '../../../src/formats/time.js';
import { androidRules } from '../../../src/rules/android/index.js';
import adbRules from '../../../src/rules/android/dumpsys_adb_state.js';
import appopsRules from '../../../src/rules/android/dumpsys_appops.js';
import batteryRules from '../../../src/rules/android/dumpsys_battery_daily.js';
import packageRules from '../../../src/rules/android/dumpsys_packages.js';
import type { ArtifactRule, RecordRule } from '../../../src/rules/rule.js';

const appopsRule = appopsRules[0] as RecordRule<DumpsysAppopsRecord>;
const adbRule = adbRules[0] as RecordRule<DumpsysAdbStateRecord>;
const [uninstallRule, downgradeRule] = batteryRules as RecordRule<DumpsysBatteryDailyRecord>[];
const rootRule = packageRules[0] as ArtifactRule<DumpsysPackageRecord>;

describe('dumpsys rules: metadata', () => {
  it('every dumpsys rule is registered, names its artifact, and explains why it matters and when it is innocent', () => {
    const ids = androidRules.filter((r) => r.artifact.startsWith('android.dumpsys_')).map((r) => [r.id, r.level]);
    expect(ids).toEqual([
      ['android.dumpsys_accessibility.service', 'medium'],
      ['android.dumpsys_appops.risky_permission', 'medium'],
      ['android.dumpsys_battery_daily.uninstall', 'medium'],
      ['android.dumpsys_battery_daily.downgrade', 'medium'],
      ['android.dumpsys_getprop.old_security_patch', 'medium'],
      ['android.dumpsys_packages.root_package', 'medium'],
      ['android.dumpsys_adb_state.trusted_key', 'low'],
    ]);
    for (const r of androidRules.filter((x) => x.artifact.startsWith('android.dumpsys_'))) {
      expect(r.id.startsWith(`${r.artifact}.`)).toBe(true);
      expect(r.why.length).toBeGreaterThan(80);
      expect(r.innocent.length).toBeGreaterThan(60);
    }
  });
});

describe('appops', () => {
  const entry = (access: string, when: string) => ({ access, type: 'fg-s', timestamp: localWallClock(when) });
  it('an ordinary app\'s camera and microphone use, and a REQUEST_INSTALL_PACKAGES refusal of nobody, raise nothing', () => {
    const record: DumpsysAppopsRecord = { package_name: 'com.whatsapp', uid: 'u0a231', permissions: [{ name: 'CAMERA', access: 'allow', entries: [entry('Access', '2024-04-30 19:02:11.402')] }] };
    expect(appopsRule.check(record)).toEqual([]);
  });

  it('REQUEST_INSTALL_PACKAGES: one hit per entry, oldest first, with its time', () => {
    const record: DumpsysAppopsRecord = {
      package_name: 'com.x',
      uid: 'u0a1',
      permissions: [{ name: 'REQUEST_INSTALL_PACKAGES', access: 'allow', entries: [entry('Access', '2024-05-02 10:00:00.000'), entry('Reject', '2024-05-01 10:00:00.000')] }],
    };
    expect(appopsRule.check(record).map((h) => [h.message, h.eventTime?.mvt()])).toEqual([
      ["Package 'com.x' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Reject' at 2024-05-01 10:00:00.000000", '2024-05-01 10:00:00.000000'],
      ["Package 'com.x' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Access' at 2024-05-02 10:00:00.000000", '2024-05-02 10:00:00.000000'],
    ]);
  });
});

describe('battery daily', () => {
  const rec = (action: DumpsysBatteryDailyRecord['action'], vers: string, previous?: string): DumpsysBatteryDailyRecord => ({ action, from: '2024-04-25', to: '2024-04-26', package_name: 'com.x', vers, ...(previous ? { previous_vers: previous } : {}) });
  it('an update raises nothing; an uninstall and a downgrade one MEDIUM each, at the period\'s first day', () => {
    expect([...uninstallRule!.check(rec('update', '12')), ...downgradeRule!.check(rec('update', '12'))]).toEqual([]);
    expect(uninstallRule!.check(rec('uninstall', '0')).map((h) => [h.message, h.eventTime?.mvt()])).toEqual([['Detected uninstall of package com.x (vers 0)', '2024-04-25 00:00:00.000000']]);
    expect(downgradeRule!.check(rec('downgrade', '9', '10')).map((h) => h.message)).toEqual(['Detected downgrade of package com.x from vers 10 to vers 9']);
  });
});

describe('root packages', () => {
  it('only the names of the rooting list, once each', () => {
    const pkg = (package_name: string) => ({ package_name }) as DumpsysPackageRecord;
    const hits = rootRule.check([pkg('com.whatsapp'), pkg('eu.chainfire.supersu'), pkg('eu.chainfire.supersu'), pkg('com.topjohnwu.magisk.fake')]);
    expect(hits.map((h) => h.hit.message)).toEqual(['Found an installed package related to rooting/jailbreaking: "eu.chainfire.supersu"']);
  });
});

describe('adb state', () => {
  const HOST = 'QUJDRA==';
  const state = (keys: ReturnType<typeof keyOf>[], acquisition: DumpsysAdbStateRecord['acquisition']): DumpsysAdbStateRecord => ({ values: {}, user_keys: keys, keystore: [], keystore_format: 'none', acquisition });
  const started = fromDate(new Date('2025-06-20T18:00:00Z'));

  it('outside an androidqf acquisition (a bugreport alone) nothing is compared, whatever the keys', () => {
    expect(adbRule.check(state([keyOf('QUJDRQ== other@host'), keyOf('%% bad')], null))).toEqual([]);
  });

  it('the acquiring computer\'s key, connected just now or without a time, raises nothing', () => {
    expect(adbRule.check(state([keyOf(`${HOST} helpline@laptop`)], { started, host_key: `${HOST} helpline@laptop\n` }))).toEqual([]);
    expect(adbRule.check(state([keyOf(`${HOST} helpline@laptop`, 1750438800000)], { started, host_key: HOST }))).toEqual([]);
  });

  it('a key listed in the keystore and in user_keys is one finding', () => {
    const record: DumpsysAdbStateRecord = { ...state([keyOf('QUJDRQ== other@host')], { started, host_key: HOST }), keystore: [keyOf('QUJDRQ== other@host', 1750266000000)] };
    expect(adbRule.check(record).map((h) => [h.message.split(':')[0], h.eventTime?.mvt()])).toEqual([['Found a trusted ADB host key different from the AndroidQF acquisition host', '2025-06-18 17:00:00.000000']]);
  });

  it('an acquisition key that is not base64 counts as none', () => {
    expect(adbRule.check(state([keyOf('QUJDRQ== other@host')], { started: null, host_key: '!!! host' })).map((h) => h.message.split(':')[0])).toEqual(['Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key']);
  });
});
