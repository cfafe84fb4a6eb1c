import { describe, expect, it } from 'vitest';
import batteryHistory, { type DumpsysBatteryHistoryRecord } from '../../../src/artifacts/android/dumpsys_battery_history.js';
import { decodeBatteryHistory } from '../../../src/formats/dumpsys-batterystats.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

describe('android.dumpsys_battery_history', () => {
  it('MVT\'s file: 5 events, a job started and ended, WhatsApp in and out of the foreground, the launcher', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysBatteryHistoryRecord>(batteryHistory, { batterystats: mvtDumpsys('dumpsys_battery.txt') });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records.map((r) => [r.event, r.uid, r.package_name])).toEqual([
      ['start_job', 'u0a94', 'com.samsung.android.app.reminder'],
      ['end_job', 'u0a94', 'com.samsung.android.app.reminder'],
      ['start_top', 'u0a280', 'com.whatsapp'],
      ['end_top', 'u0a280', 'com.whatsapp'],
      ['start_top', 'u0a44', 'com.sec.android.app.launcher'],
    ]);
    expect(records[0]).toEqual({ time_elapsed: '+47s645ms', event: 'start_job', uid: 'u0a94', package_name: 'com.samsung.android.app.reminder', service: 'com.samsung.android.app.reminder/.data.alarmregister.RegisterAlarmJobService' });
  });

  it('the indicator com.samsung.android.app.reminder: 2 CRITICAL (start and end of its job)', async () => {
    const findings = await checkDumpsys('android.dumpsys_battery_history', { batterystats: mvtDumpsys('dumpsys_battery.txt') }, ['com.samsung.android.app.reminder']);
    expect(findings.map((f) => f.level)).toEqual(['critical', 'critical']);
  });

  it('absolute times (month-day and clock) are kept whole; wake-up alarms need a component', () => {
    const text = [
      '07-15 20:27:39.431 (2) 100 +job=u0a123:"com.example/.ExampleJob"',
      '07-15 20:27:40.000 (2) 100 -job=u0a123:"com.example/.ExampleJob"',
      '07-15 20:27:41.000 (2) 100 +running +wake_lock=u0a9:"*walarm*:com.alarm/.Tick"',
      '07-15 20:27:42.000 (2) 100 +running +wake_lock=u0a9:"*walarm*:not_a_component"',
      '',
      '07-15 20:27:43.000 (2) 100 +job=u0a1:"com.after.blank/.Job"',
    ].join('\n');
    expect(decodeBatteryHistory(text)).toEqual([
      { time_elapsed: '07-15 20:27:39.431', event: 'start_job', uid: 'u0a123', package_name: 'com.example', service: 'com.example/.ExampleJob' },
      { time_elapsed: '07-15 20:27:40.000', event: 'end_job', uid: 'u0a123', package_name: 'com.example', service: 'com.example/.ExampleJob' },
      { time_elapsed: '07-15 20:27:41.000', event: 'wake', uid: 'u0a9', package_name: 'com.alarm', service: 'com.alarm/.Tick' },
    ]);
  });

  it('androidqf\'s dumpsys.txt: 6 events', async () => {
    const { coverage } = await parseAqf<DumpsysBatteryHistoryRecord>(batteryHistory, mvtAndroidqf());
    expect(coverage).toMatchObject({ state: 'parsed', records: 6, issues: [] });
  });
});
