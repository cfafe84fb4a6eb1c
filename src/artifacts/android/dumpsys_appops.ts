import { decodeAppops, type AppopsPackage } from '../../formats/dumpsys-appops.js';
import { described } from '../describe.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

export type DumpsysAppopsRecord = AppopsPackage;

export default defineArtifact<DumpsysAppopsRecord>({
  id: 'android.dumpsys_appops',
  version: 1,
  title: 'App operations (dumpsys appops)',
  doc: 'Per app, the operations it may perform (camera, microphone, SMS, installing apps) with their mode and the last times it used or was refused each (device local time): what an app actually did, not only what it asked for.',
  references: ['https://developer.android.com/tools/dumpsys', 'https://source.android.com/docs/core/permissions'],
  mvt: { module: 'dumpsys_appops', className: 'DumpsysAppops' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'appops', (text, _file, zone) => decodeAppops(text, zone)),
  timeline(r) {
    const out: TimelineEvent[] = [];
    for (const p of r.permissions) {
      for (const e of p.entries) if (e.timestamp) out.push({ time: e.timestamp, event: e.access, description: described`${r.package_name} access to ${p.name}: ${e.access}` });
    }
    return out;
  },
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
