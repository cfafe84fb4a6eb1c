import { batteryDailyDecoder, type BatteryDailyRecord } from '../../formats/dumpsys-batterystats.js';
import { localWallClock } from '../../formats/dumpsys-time.js';
import { described } from '../describe.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsysLines } from './_dumpsys.js';

export type DumpsysBatteryDailyRecord = BatteryDailyRecord;

export default defineArtifact<DumpsysBatteryDailyRecord>({
  id: 'android.dumpsys_battery_daily',
  version: 1,
  title: 'App updates in the daily battery stats (dumpsys batterystats)',
  doc: 'App updates, uninstalls and downgrades recorded day by day in the battery statistics, which outlive the app: an app removed after use, or an app put back to an older, vulnerable version, leaves its trace here.',
  references: ['https://developer.android.com/tools/dumpsys#battery'],
  mvt: { module: 'dumpsys_battery_daily', className: 'DumpsysBatteryDaily' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsysLines(ctx, 'batterystats', batteryDailyDecoder),
  timeline(r) {
    const time = localWallClock(r.from);
    if (r.action === 'uninstall') return [{ time, event: 'battery_daily', description: described`Recorded uninstall of package ${r.package_name} (vers 0)` }];
    if (r.action === 'downgrade') return [{ time, event: 'battery_daily', description: described`Recorded downgrade of package ${r.package_name} from vers ${r.previous_vers ?? ''} to vers ${r.vers}` }];
    return [{ time, event: 'battery_daily', description: described`Recorded update of package ${r.package_name} with vers ${r.vers}` }];
  },
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
