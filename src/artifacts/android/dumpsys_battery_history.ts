import { batteryHistoryDecoder, type BatteryHistoryRecord } from '../../formats/dumpsys-batterystats.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsysLines } from './_dumpsys.js';

export type DumpsysBatteryHistoryRecord = BatteryHistoryRecord;

export default defineArtifact<DumpsysBatteryHistoryRecord>({
  id: 'android.dumpsys_battery_history',
  version: 1,
  title: 'Battery history (dumpsys batterystats)',
  doc: 'The recent battery history: jobs, wake-up alarms and apps coming to the foreground, each with its app: which apps were running lately, also ones since removed.',
  references: ['https://developer.android.com/topic/performance/power/setup-battery-historian'],
  mvt: { module: 'dumpsys_battery_history', className: 'DumpsysBatteryHistory' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsysLines(ctx, 'batterystats', batteryHistoryDecoder),
  observables: (r) => (r.package_name ? [{ kind: 'app_id', value: r.package_name, field: 'package_name' }] : []),
});
