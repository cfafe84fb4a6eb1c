import { decodeResolverTable, type ResolverEntry } from '../../formats/dumpsys-package.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

/** One activity answering an intent action (`component` is MVT's `activity`). */
export type DumpsysActivityRecord = ResolverEntry;

export default defineArtifact<DumpsysActivityRecord>({
  id: 'android.dumpsys_activities',
  version: 1,
  title: 'Activities and their intents (dumpsys package)',
  doc: 'Which app screens answer which intent actions, from the package manager\'s activity resolver table: a way to find the packages on the phone by name, including ones hidden from the launcher.',
  references: ['https://developer.android.com/guide/components/intents-filters'],
  mvt: { module: 'dumpsys_activities', className: 'DumpsysActivities', renames: { component: 'activity' } },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'package', (text) => decodeResolverTable(text, 'Activity')),
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
