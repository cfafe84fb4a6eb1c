/** Uninstalls and downgrades in the daily battery stats (MVT DumpsysBatteryDaily, reference-spec §10.3). */
import type { DumpsysBatteryDailyRecord } from '../../artifacts/android/dumpsys_battery_daily.js';
import { localWallClock } from '../../formats/dumpsys-time.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<DumpsysBatteryDailyRecord>({
    id: 'android.dumpsys_battery_daily.uninstall',
    version: 1,
    artifact: 'android.dumpsys_battery_daily',
    level: 'medium',
    title: 'An app was uninstalled',
    why: 'The battery statistics keep a record of an uninstalled app for days. Spyware operators remove their app when they are done or fear discovery; a removal shortly before the check is worth a look, with the app\'s name.',
    innocent: 'People uninstall apps all the time. It matters only for an app that is unknown, suspicious, or named in indicators.',
    source: 'MVT DumpsysBatteryDaily heuristic (reference-spec §10.3)',
    scope: 'record',
    check: (r) => (r.action === 'uninstall' ? [{ message: `Detected uninstall of package ${r.package_name} (vers 0)`, eventTime: localWallClock(r.from) }] : []),
  }),
  defineRule<DumpsysBatteryDailyRecord>({
    id: 'android.dumpsys_battery_daily.downgrade',
    version: 1,
    artifact: 'android.dumpsys_battery_daily',
    level: 'medium',
    title: 'An app was put back to an older version',
    why: 'Android refuses to downgrade an app in normal use. A lower version after a higher one means someone with adb or system rights replaced it, for example with an old build that has a known hole, which some exploits need.',
    innocent: 'Developers and testers downgrade apps, and uninstalling updates of a system app to the factory version looks the same. Ask whether the owner rolled the app back.',
    source: 'MVT DumpsysBatteryDaily heuristic (reference-spec §10.3)',
    scope: 'record',
    check: (r) => (r.action === 'downgrade' ? [{ message: `Detected downgrade of package ${r.package_name} from vers ${r.previous_vers ?? ''} to vers ${r.vers}`, eventTime: localWallClock(r.from) }] : []),
  }),
];
