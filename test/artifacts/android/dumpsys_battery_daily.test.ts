import { describe, expect, it } from 'vitest';
import batteryDaily, { type DumpsysBatteryDailyRecord } from '../../../src/artifacts/android/dumpsys_battery_daily.js';
import { decodeBatteryDaily } from '../../../src/formats/dumpsys-batterystats.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

/** Daily periods, newest first as dumpsys prints them: [from, to, [package, vers][]]. */
function daily(periods: [string, string, [string, string][]][]): string {
  return ['Daily stats:', ...periods.flatMap(([from, to, updates]) => [`  Daily from ${from}-00-00-00 to ${to}-00-00-00:`, '    Package changes:', ...updates.map(([p, v]) => `      Update ${p} vers=${v}`)])].join('\n');
}

const check = (text: string, appIds: string[] = []) => checkDumpsys('android.dumpsys_battery_daily', { batterystats: text }, appIds);

describe('android.dumpsys_battery_daily', () => {
  it('MVT\'s file: 3 updates (repeated lines of one period count once), dated by their period', async () => {
    const { records, coverage, timeline } = await parseDumpsysSections<DumpsysBatteryDailyRecord>(batteryDaily, { batterystats: mvtDumpsys('dumpsys_battery.txt') });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toEqual([
      { action: 'update', from: '2022-08-16', to: '2022-08-17', package_name: 'com.facebook.katana', vers: '315814651' },
      { action: 'update', from: '2022-08-16', to: '2022-08-17', package_name: 'com.facebook.services', vers: '385230290' },
      { action: 'update', from: '2022-08-16', to: '2022-08-17', package_name: 'com.facebook.system', vers: '385230279' },
    ]);
    expect([timeline[0]!.time!.mvt(), timeline[0]!.event, pythonDescription(timeline[0]!.description)]).toEqual(['2022-08-16 00:00:00.000000', 'battery_daily', 'Recorded update of package com.facebook.katana with vers 315814651']);
  });

  it('the indicator com.facebook.system: 1 CRITICAL', async () => {
    const findings = await check(mvtDumpsys('dumpsys_battery.txt').toString('utf8'), ['com.facebook.system']);
    expect(findings.map((f) => [f.level, f.match?.observed])).toEqual([['critical', 'com.facebook.system']]);
  });

  it('an uninstall (vers 0) and a downgrade (10 then 9) are MEDIUM each, at their period\'s first day', async () => {
    const text = daily([
      ['2022-08-17', '2022-08-18', [['com.example.app', '9']]],
      ['2022-08-16', '2022-08-17', [['com.example.removed', '0']]],
      ['2022-08-15', '2022-08-16', [['com.example.app', '10']]],
    ]);
    expect(decodeBatteryDaily(text)).toHaveLength(3);
    expect(decodeBatteryDaily(text)[2]).toEqual({ action: 'downgrade', from: '2022-08-17', to: '2022-08-18', package_name: 'com.example.app', vers: '9', previous_vers: '10' });
    const findings = await check(text);
    expect(findings.map((f) => [f.level, f.message, f.eventTime?.mvt()])).toEqual([
      ['medium', 'Detected uninstall of package com.example.removed (vers 0)', '2022-08-16 00:00:00.000000'],
      ['medium', 'Detected downgrade of package com.example.app from vers 10 to vers 9', '2022-08-17 00:00:00.000000'],
    ]);
  });

  it('versions are compared in date order, not file order: 102 (newest) listed before 101 is two updates', async () => {
    const text = daily([
      ['2026-01-10', '2026-01-11', [['com.x', '102']]],
      ['2026-01-05', '2026-01-06', [['com.x', '101']]],
    ]);
    expect(decodeBatteryDaily(text).map((r) => r.action)).toEqual(['update', 'update']);
    expect(await check(text)).toEqual([]);
  });

  it('101 newer than 102 is a downgrade at 2026-01-10', async () => {
    const text = daily([
      ['2026-01-10', '2026-01-11', [['com.x', '101']]],
      ['2026-01-05', '2026-01-06', [['com.x', '102']]],
    ]);
    expect((await check(text)).map((f) => [f.message, f.eventTime?.mvt()])).toEqual([['Detected downgrade of package com.x from vers 102 to vers 101', '2026-01-10 00:00:00.000000']]);
  });

  it('a reinstall after an uninstall is no downgrade: one uninstall finding only', async () => {
    const text = daily([
      ['2026-01-15', '2026-01-16', [['com.x', '10']]],
      ['2026-01-10', '2026-01-11', [['com.x', '0']]],
      ['2026-01-05', '2026-01-06', [['com.x', '102']]],
    ]);
    expect((await check(text)).map((f) => [f.message, f.eventTime?.mvt()])).toEqual([['Detected uninstall of package com.x (vers 0)', '2026-01-10 00:00:00.000000']]);
  });
});
