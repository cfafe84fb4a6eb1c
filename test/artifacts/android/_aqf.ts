/** Opens an androidqf acquisition (folder or archive) as the CLI would, and writes generated ones. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { parseSource, type ArtifactResult } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';

export const mvtAndroidqf = () => shared('mvt-test-artifacts', 'androidqf');

/** MVT's ten alerts on its androidqf folder with its test indicators (reference-spec §14.2), in its module order. */
export const MVT_AQF_ALERTS = [
  ['medium', 'android.aqf_packages', 'Found a non-system package installed via adb or another method: "com.whatsapp"'],
  ['medium', 'android.aqf_packages', 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "app.revanced.manager.flutter"'],
  ['medium', 'android.aqf_packages', 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "com.google.android.youtube"'],
  ['medium', 'android.aqf_packages', 'Found a package installed via a browser (installer="com.google.android.packageinstaller"): "org.fdroid.fdroid"'],
  ['informational', 'android.aqf_packages', 'Found a package installed via a third party store (installer="org.fdroid.fdroid"): "org.nuclearfog.apollo"'],
  ['medium', 'android.aqf_settings', 'Found suspicious "random" setting "samsung_errorlog_agree = 0" (disabled sharing of crash logs with manufacturer)'],
  ['high', 'android.root_binaries', 'Found root binary "su" at path "/system/bin/su"'],
  ['high', 'android.root_binaries', 'Found root binary "busybox" at path "/system/xbin/busybox"'],
  ['high', 'android.root_binaries', 'Found root binary "magisk" at path "/data/local/tmp/magisk"'],
  ['high', 'android.root_binaries', 'Found root binary "magiskhide" at path "/system/bin/magiskhide"'],
] as const;

/** MVT's record counts per module on the same folder (it has no intrusion_logs/: MVT skips those modules, ours are missing). */
export const MVT_AQF_COUNTS = {
  'android.aqf_packages': 7,
  'android.aqf_processes': 15,
  'android.aqf_getprop': 10,
  'android.aqf_settings': 9,
  'android.aqf_files': 3,
  'android.aqf_log_timestamps': 0,
  'android.root_binaries': 4,
  'android.mounts': 0,
  'android.sms': 2,
  'android.intrusion_dns': 0,
  'android.intrusion_connect': 0,
  'android.intrusion_security': 0,
};

/**
 * What androidqf's dumpsys.txt adds beyond MVT, which does not read it (reference-spec §9.1 "Gap";
 * docs/differences-from-mvt.md A9): six findings, after MVT's ten in the registry's order, and its records.
 */
export const AQF_DUMPSYS_ALERTS = [
  ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.android.settings/com.samsung.android.settings.development.gpuwatch.GPUWatchInterceptor"'],
  ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.samsung.accessibility/.universalswitch.UniversalSwitchService"'],
  ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.samsung.accessibility/com.samsung.android.app.talkback.TalkBackService"'],
  ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.sec.android.app.camera/com.samsung.android.glview.AccessibilityGestureHandler"'],
  ['medium', 'android.dumpsys_appops', "Package 'org.mozilla.firefox' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Unknown' at "],
  ['low', 'android.dumpsys_adb_state', 'Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key: F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6 (user@linux)'],
] as const;

export const AQF_DUMPSYS_COUNTS = {
  'android.dumpsys_accessibility': 4,
  'android.dumpsys_activities': 0,
  'android.dumpsys_appops': 12,
  'android.dumpsys_battery_daily': 3,
  'android.dumpsys_battery_history': 6,
  'android.dumpsys_dbinfo': 6,
  'android.dumpsys_packages': 2,
  'android.dumpsys_platform_compat': 2,
  'android.dumpsys_receivers': 8,
  'android.dumpsys_adb_state': 1,
};

/** The artifacts only a bugreport feeds (androidqf's bugreport.zip): MVT's folder has none, so they read nothing. */
export const AQF_BUGREPORT_ONLY_COUNTS = {
  'android.dumpsys_getprop': 0,
  'android.bugreport_timestamps': 0,
  'android.tombstones': 0,
};

/** A whole check of MVT's androidqf folder: MVT's alerts and counts, and what dumpsys.txt adds. */
export const AQF_ALERTS = [...MVT_AQF_ALERTS, ...AQF_DUMPSYS_ALERTS];
export const AQF_COUNTS = { ...MVT_AQF_COUNTS, ...AQF_DUMPSYS_COUNTS, ...AQF_BUGREPORT_ONLY_COUNTS };
export const mvtAndroidqfZip = () => shared('mvt-test-artifacts', 'androidqf.zip');

export async function parseAqf<R>(artifact: AnyArtifact, path: string): Promise<ArtifactResult<R>> {
  const found = await detectInput(path, 'android-androidqf');
  const source = await found.open(new InputLog());
  try {
    return await parseSource<R>(artifact, source);
  } finally {
    await source.close();
  }
}

/** A temp androidqf folder holding `files` (getprop.txt is added when absent, as androidqf always writes it). */
export function writeAqf(files: Record<string, string | Buffer>): { root: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-'));
  const root = join(base, 'androidqf_2024-05-01');
  mkdirSync(root);
  const all = { 'getprop.txt': '[ro.build.version.release]: [14]\n', ...files };
  for (const [rel, data] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Parses `artifact` on a generated androidqf folder holding `files`. */
export async function parseAqfFiles<R>(artifact: AnyArtifact, files: Record<string, string | Buffer>): Promise<ArtifactResult<R>> {
  const tree = writeAqf(files);
  try {
    return await parseAqf<R>(artifact, tree.root);
  } finally {
    tree.remove();
  }
}
