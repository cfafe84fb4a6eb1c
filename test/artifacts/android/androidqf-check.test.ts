/**
 * A whole check of MVT's androidqf test acquisitions, against MVT's own end-to-end figures (reference-spec
 * §14.2) and its indicator tests (§13.5): the findings, their order and levels, and the timeline.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { shared, mvtTestStix } from '../../helpers/data.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import { mvtAndroidqf, mvtAndroidqfZip, writeAqf } from './_aqf.js';

const iocs = tempTree({
  'mvt-tests.stix2': stixBundle({
    malware: ['AqfTest'],
    indicators: [
      { pattern: "[android-property:name = 'dalvik.vm.heapmaxfree']", malware: 'AqfTest' },
      { pattern: "[app:id = 'com.malware.blah']", malware: 'AqfTest' },
      { pattern: "[file:hashes.sha256 = '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa']", malware: 'AqfTest' },
      { pattern: "[app:cert.sha256 = 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730']", malware: 'AqfTest' },
      { pattern: "[process:name = 'lru-add-drain']", malware: 'AqfTest' },
    ],
  }),
});
afterAll(() => iocs.remove());

describe('check on MVT\'s androidqf folder', () => {
  it('with MVT\'s test indicators: MVT\'s 10 alerts in its module order, then the 6 of dumpsys.txt, and the record counts', async () => {
    const result = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('android-androidqf');
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual([
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
      // Beyond MVT, which does not read androidqf's dumpsys.txt (reference-spec §9.1 "Gap"; docs/differences-from-mvt.md A9).
      ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.android.settings/com.samsung.android.settings.development.gpuwatch.GPUWatchInterceptor"'],
      ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.samsung.accessibility/.universalswitch.UniversalSwitchService"'],
      ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.samsung.accessibility/com.samsung.android.app.talkback.TalkBackService"'],
      ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.sec.android.app.camera/com.samsung.android.glview.AccessibilityGestureHandler"'],
      ['medium', 'android.dumpsys_appops', "Package 'org.mozilla.firefox' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Unknown' at "],
      ['low', 'android.dumpsys_adb_state', 'Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key: F0:A1:3D:8C:B3:F4:7B:09:9F:EE:8B:D8:38:2E:BD:C6 (user@linux)'],
    ]);
    const counts = Object.fromEntries(result.coverage.map((c) => [c.artifact, c.records]));
    expect(counts).toEqual({
      'android.aqf_packages': 7,
      'android.aqf_processes': 15,
      'android.aqf_getprop': 10,
      'android.aqf_settings': 9,
      'android.aqf_files': 3,
      'android.aqf_log_timestamps': 0,
      'android.root_binaries': 4,
      'android.mounts': 0,
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
    });
    expect(result.coverage.every((c) => c.issues.length === 0)).toBe(true);
    // MVT's 10 timeline rows, plus 16 appops entries, 6 package install times and 3 battery-daily updates.
    expect(result.timelineEvents).toBe(35);
  });

  it('with the indicators of MVT\'s module tests: one CRITICAL each for the property, the app id, the APK hash and the certificate', async () => {
    const result = await check({ target: mvtAndroidqf(), iocs: [iocs.path('mvt-tests.stix2')], userIocDir: null });
    const critical = result.findings.filter((f) => f.level === 'critical');
    expect(critical.map((f) => [f.artifact, f.match?.field, f.match?.observed])).toEqual([
      ['android.aqf_packages', 'name', 'com.malware.blah'],
      ['android.aqf_packages', 'files.sha256', '31037a27af59d4914906c01ad14a318eee2f3e31d48da8954dca62a99174e3fa'],
      ['android.aqf_packages', 'files.certificate.Sha256', 'c7e56178748be1441370416d4c10e34817ea0c961eb636c8e9d98e0fd79bf730'],
      ['android.aqf_getprop', 'name', 'dalvik.vm.heapmaxfree'],
    ]);
    expect((critical[2]!.record as { name: string }).name).toBe('com.malware.muahaha');
  });

  it('the process indicator lru-add-drain matches once in android_data/ps.txt', async () => {
    const tree = writeAqf({ 'ps.txt': readFileSync(shared('mvt-test-artifacts', 'android_data', 'ps.txt')) });
    try {
      const result = await check({ target: tree.root, iocs: [iocs.path('mvt-tests.stix2')], userIocDir: null, only: ['android.aqf_processes'] });
      expect(result.findings.map((f) => [f.level, f.match?.observed])).toEqual([['critical', 'lru-add-drain']]);
    } finally {
      tree.remove();
    }
  });
});

describe('check on MVT\'s androidqf zip', () => {
  it('reads its getprop.txt from inside the zip: 10 properties, no finding without indicators', async () => {
    const result = await check({ target: mvtAndroidqfZip(), iocs: [], userIocDir: null });
    expect(result.findings).toEqual([]);
    expect(result.coverage.find((c) => c.artifact === 'android.aqf_getprop')).toMatchObject({ state: 'parsed', records: 10 });
  });
});

describe('check on MVT\'s androidqf folder packed as an archive', () => {
  it.each(['zip', 'tar.gz'] as const)('a %s with one top folder gives the folder\'s 16 findings, record counts and timeline', async (kind) => {
    const base = mkdtempSync(join(tmpdir(), 'tracehound-aqf-pack-'));
    try {
      const folder = await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null });
      const archive = await packAcquisition(mvtAndroidqf(), kind, join(base, `androidqf.${kind}`), 'androidqf');
      const packed = await check({ target: archive, iocs: [mvtTestStix()], userIocDir: null });
      const seen = (r: typeof folder) => ({ findings: r.findings.map((f) => [f.level, f.artifact, f.message]), counts: r.coverage.map((c) => [c.artifact, c.state, c.records]), timeline: r.timelineEvents });
      expect(seen(packed)).toEqual(seen(folder));
      expect(packed.findings).toHaveLength(16);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
