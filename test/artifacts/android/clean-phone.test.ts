/**
 * The must-not-match side: an ordinary phone's androidqf acquisition, written here from what a stock Samsung on
 * a recent patch level shows, raises nothing at MEDIUM or above, with every artifact read and no issue.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { levelRank } from '../../../src/findings/finding.js';
import { buildAndroidBackup, ordinarySms } from '../../../src/synth/android-backup.js';
import { intrusionLogText } from '../../../src/synth/intrusion-logs.js';
import { androidDumpsys, HELPLINE_ADB_KEY, SPYWARE_PLANTS } from '../../../src/synth/android-dumpsys.js';
import { shared } from '../../helpers/data.js';
import { writeAqf } from './_aqf.js';

const patch = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);

const getprop = [
  `[ro.build.version.security_patch]: [${patch}]`,
  '[ro.build.version.release]: [14]',
  '[ro.product.model]: [SM-S911B]',
  '[persist.sys.timezone]: [Europe/Madrid]',
  '[ro.boot.verifiedbootstate]: [green]',
  '[ro.debuggable]: [0]',
].join('\n');

function apk(name: string, installer: string, system: boolean) {
  return { name, files: [{ path: `/data/app/~~x/${name}-y/base.apk`, sha256: '0'.repeat(64), certificate: { Sha256: '1'.repeat(64) } }], installer, uid: 10_000, disabled: false, system, third_party: !system };
}

const packages = [
  ...['com.google.android.gms', 'com.android.vending', 'com.google.android.gsf', 'com.samsung.android.securitylogagent', 'com.sec.android.soagent', 'com.wssyncmldm', 'com.policydm', 'com.samsung.android.app.omcagent', 'com.android.settings', 'com.android.systemui'].map((n) => apk(n, 'null', true)),
  // A system app updated from the Play Store.
  apk('com.android.chrome', 'com.android.vending', true),
  ...['com.whatsapp', 'org.telegram.messenger', 'com.spotify.music', 'org.thoughtcrime.securesms'].map((n) => apk(n, 'com.android.vending', false)),
  apk('com.samsung.android.app.spage', 'com.sec.android.app.samsungapps', false),
];

const ps = [
  'USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME',
  'root             1     0 10930000  9000 0                   0 S init',
  'system         610     1 15000000 30000 0                   0 S system_server',
  'u0_a123       4321   610 16000000 90000 0                   0 S com.whatsapp',
  'u0_a123       4330   610 15000000 60000 0                   0 S com.whatsapp:pushservice',
  'system         700     1 12000000  5000 0                   0 S gatekeeperd',
].join('\n');

const mounts = [
  '/dev/block/dm-4 on / type ext4 (ro,seclabel,relatime)',
  '/dev/block/dm-5 on /vendor type ext4 (ro,seclabel,noatime)',
  '/dev/block/dm-6 on /product type ext4 (ro,seclabel,relatime)',
  '/dev/block/dm-40 on /data type f2fs (rw,lazytime,seclabel,nosuid,nodev,noatime)',
];

const files = [
  { path: '/sdcard/DCIM/Camera/20240501_101112.jpg', size: 3_000_000, mode: '-rw-rw----', modified_time: 1714558272, access_time: 1714558272, changed_time: 1714558272, context: 'u:object_r:media_rw_data_file:s0', sha256: '' },
  { path: '/data/local/tmp/collector', size: 9_000_000, mode: '-rwxr-xr-x', modified_time: 1714558000, access_time: 1714558000, changed_time: 1714558000, context: 'u:object_r:shell_data_file:s0', sha256: '' },
];

const acquiredAt = new Date('2024-05-01T10:20:00Z');
const acquisition = JSON.stringify({ started: acquiredAt.toISOString(), adb_host_public_key: `${HELPLINE_ADB_KEY} helpline@laptop` });

describe('check on an ordinary phone\'s androidqf acquisition', () => {
  it('reads every artifact with no issue and raises nothing, also against every feed in ../shared/data/iocs', async () => {
    const tree = writeAqf({
      'getprop.txt': getprop,
      'packages.json': JSON.stringify(packages),
      'ps.txt': ps,
      'settings_global.txt': 'package_verifier_enable=1\nverifier_verify_adb_installs=1\nupload_apk_enable=1\nadb_enabled=0\n',
      'settings_secure.txt': 'accessibility_enabled=0\nsend_action_app_error=1\n',
      'settings_system.txt': 'screen_brightness=102\n',
      'files.json': JSON.stringify(files),
      'root_binaries.json': '[]',
      'mounts.json': JSON.stringify(mounts),
      'acquisition.json': acquisition,
      'dumpsys.txt': androidDumpsys({ hostKey: HELPLINE_ADB_KEY, acquiredAt }),
      // A day of Android 16 intrusion logging: lookups, connections, process starts, unlocks, app updates.
      'intrusion_logs/2024-05-01.txt': intrusionLogText({ seed: 1, events: 500, startMs: Date.parse('2024-05-01T00:00:00Z') }),
      // androidqf's SMS backup: ordinary messages, some with links to popular sites.
      'backup.ab': buildAndroidBackup({ sms: ordinarySms(3, 60) }),
    });
    try {
      const result = await check({ target: tree.root, iocs: [shared('iocs')], userIocDir: null });
      expect(result.coverage.filter((c) => c.issues.length > 0)).toEqual([]);
      expect(result.coverage.map((c) => [c.artifact, c.state])).toEqual([
        ['android.aqf_packages', 'parsed'],
        ['android.aqf_processes', 'parsed'],
        ['android.aqf_getprop', 'parsed'],
        ['android.aqf_settings', 'parsed'],
        ['android.aqf_files', 'parsed'],
        ['android.aqf_log_timestamps', 'missing'],
        ['android.root_binaries', 'empty'],
        ['android.mounts', 'parsed'],
        ['android.dumpsys_accessibility', 'empty'],
        ['android.dumpsys_activities', 'parsed'],
        ['android.dumpsys_appops', 'parsed'],
        ['android.dumpsys_battery_daily', 'parsed'],
        ['android.dumpsys_battery_history', 'parsed'],
        ['android.dumpsys_dbinfo', 'parsed'],
        // The bugreport artifacts read androidqf's bugreport.zip; this acquisition has none.
        ['android.dumpsys_getprop', 'missing'],
        ['android.dumpsys_packages', 'parsed'],
        ['android.dumpsys_platform_compat', 'empty'],
        ['android.dumpsys_receivers', 'parsed'],
        ['android.dumpsys_adb_state', 'parsed'],
        ['android.bugreport_timestamps', 'missing'],
        ['android.tombstones', 'missing'],
        ['android.sms', 'parsed'],
        ['android.intrusion_dns', 'parsed'],
        ['android.intrusion_connect', 'parsed'],
        ['android.intrusion_security', 'parsed'],
      ]);
      expect(result.findings.filter((f) => levelRank(f.level) >= levelRank('medium'))).toEqual([]);
      expect(result.findings).toEqual([]);
      expect(result.acquisition.device).toEqual({ productType: 'SM-S911B', productVersion: '14', timeZone: 'Europe/Madrid' });
    } finally {
      tree.remove();
    }
  });

  it('the same phone with spyware installed and partly removed: exactly the planted findings, at their levels', async () => {
    const tree = writeAqf({ 'acquisition.json': acquisition, 'dumpsys.txt': androidDumpsys({ hostKey: HELPLINE_ADB_KEY, acquiredAt, plants: SPYWARE_PLANTS }) });
    try {
      const result = await check({ target: tree.root, iocs: [shared('iocs')], userIocDir: null });
      expect(result.coverage.filter((c) => c.issues.length > 0)).toEqual([]);
      expect(result.findings.map((f) => [f.level, f.artifact, f.indicator ? `indicator ${f.match?.observed}` : f.message])).toEqual([
        ['critical', 'android.dumpsys_accessibility', 'indicator com.accesibilityservice'],
        ['medium', 'android.dumpsys_accessibility', 'Found accessibility service: "com.accesibilityservice/.MainService"'],
        ['medium', 'android.dumpsys_appops', "Package 'com.example.notes.free' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Access' at 2024-04-29 21:14:02.518000"],
        ['medium', 'android.dumpsys_appops', "Risky package 'com.android.shell' had 'WRITE_SETTINGS' permission set to 'Access' at 2024-04-29 21:16:40.002000"],
        ['critical', 'android.dumpsys_battery_daily', 'indicator com.li.activity'],
        ['medium', 'android.dumpsys_battery_daily', 'Detected uninstall of package com.li.activity (vers 0)'],
        ['medium', 'android.dumpsys_battery_daily', 'Detected downgrade of package com.google.android.dialer from vers 130 to vers 120'],
        ['medium', 'android.dumpsys_packages', 'Found an installed package related to rooting/jailbreaking: "com.topjohnwu.magisk"'],
        ['critical', 'android.dumpsys_platform_compat', 'indicator com.serv.services'],
        ['critical', 'android.dumpsys_receivers', 'indicator com.gu.activity'],
        ['low', 'android.dumpsys_adb_state', expect.stringMatching(/^Found a trusted ADB host key different from the AndroidQF acquisition host: [0-9A-F:]{47} \(someone@desktop\)$/)],
      ]);
    } finally {
      tree.remove();
    }
  });
});
