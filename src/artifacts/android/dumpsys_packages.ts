import { decodePackages, type DumpsysPackage } from '../../formats/dumpsys-package.js';
import { localWallClock } from '../../formats/dumpsys-time.js';
import { described } from '../describe.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

export type DumpsysPackageRecord = DumpsysPackage;

export default defineArtifact<DumpsysPackageRecord>({
  id: 'android.dumpsys_packages',
  version: 1,
  title: 'Installed packages (dumpsys package)',
  doc: 'Every package the package manager knows, with its versions, install and update times (device local), installer, system flag and permissions: when an app arrived and what it may do.',
  references: ['https://developer.android.com/tools/dumpsys'],
  mvt: { module: 'dumpsys_packages', className: 'DumpsysPackages' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'package', decodePackages),
  timeline: (r) =>
    (
      [
        ['package_install', r.timestamp],
        ['package_first_install', r.first_install_time],
        ['package_last_update', r.last_update_time],
      ] as const
    ).map(([event, when]) => ({ time: localWallClock(when), event, description: described`Install or update of package ${r.package_name}` })),
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
