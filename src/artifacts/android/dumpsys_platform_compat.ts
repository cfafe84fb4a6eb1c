import { decodePlatformCompat, type PlatformCompatOverride } from '../../formats/dumpsys-platform-compat.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

export type DumpsysPlatformCompatRecord = PlatformCompatOverride;

export default defineArtifact<DumpsysPlatformCompatRecord>({
  id: 'android.dumpsys_platform_compat',
  version: 1,
  title: 'Compatibility overrides (dumpsys platform_compat)',
  doc: 'Packages named in the DOWNSCALED compatibility overrides, which Android keeps after an app is uninstalled: a trace of apps that were on the phone and are gone.',
  references: ['https://developer.android.com/guide/app-compatibility/test-debug'],
  mvt: { module: 'dumpsys_platform_compat', className: 'DumpsysPlatformCompat' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'platform_compat', decodePlatformCompat),
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
