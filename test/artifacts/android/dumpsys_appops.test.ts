import { describe, expect, it } from 'vitest';
import appops, { type DumpsysAppopsRecord } from '../../../src/artifacts/android/dumpsys_appops.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { decodeAppops } from '../../../src/formats/dumpsys-appops.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const file = () => mvtDumpsys('dumpsys_appops.txt').toString('utf8');

describe('android.dumpsys_appops', () => {
  it('MVT\'s file: 13 packages, the first com.android.phone of uid 0 with MANAGE_IPSEC_TUNNELS allowed', async () => {
    const { records, coverage } = await parseDumpsysSections<DumpsysAppopsRecord>(appops, { appops: file() });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records).toHaveLength(13);
    expect(records[0]).toEqual({ package_name: 'com.android.phone', uid: '0', permissions: [{ name: 'MANAGE_IPSEC_TUNNELS', access: 'allow', entries: [] }] });
    expect(records[6]!.package_name).toBe('com.sec.factory.camera');
    expect(records[6]!.permissions[1]!.entries).toHaveLength(1);
    expect(records[6]!.permissions[1]!.entries[0]!.timestamp!.mvt()).toBe('2022-03-29 18:37:30.315000');
    expect(records[11]!.permissions).toHaveLength(4);
  });

  it('a time that is not a date leaves the entry without one; lines of another kind are not entries', () => {
    const text = '  Uid 0:\n    Package com.x:\n      CAMERA (allow):\n          Access: [fg-s] 2022-02-30 10:00:00.000 (-1s)\n          Other: [fg-s] 2022-01-01 10:00:00.000 (-1s)\n';
    expect(decodeAppops(text)).toEqual([{ package_name: 'com.x', uid: '0', permissions: [{ name: 'CAMERA', access: 'allow', entries: [{ access: 'Access', type: 'fg-s', timestamp: null }] }] }]);
  });

  it('one timeline row per dated entry: "{package} access to {permission}: {access}" at its device-local time', async () => {
    const { timeline } = await parseDumpsysSections<DumpsysAppopsRecord>(appops, { appops: file() });
    const camera = timeline.find((e) => pythonDescription(e.description).startsWith('com.sec.factory.camera'))!;
    expect([camera.time!.mvt(), camera.event, pythonDescription(camera.description)]).toEqual(['2022-03-29 18:37:30.315000', 'Access', 'com.sec.factory.camera access to RUN_IN_BACKGROUND: Access']);
  });

  it('the indicator com.facebook.katana: 3 findings, 1 CRITICAL and the 2 REQUEST_INSTALL_PACKAGES MEDIUM', async () => {
    const findings = await checkDumpsys('android.dumpsys_appops', { appops: file() }, ['com.facebook.katana']);
    expect(findings.map((f) => [f.level, f.message])).toEqual([
      ['critical', expect.stringContaining('com.facebook.katana')],
      ['medium', "Package 'org.mozilla.firefox' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Unknown' at "],
      ['medium', "Package 'org.fdroid.fdroid' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Access' at 2022-02-02 23:20:13.096000"],
    ]);
    expect(findings[2]!.eventTime!.mvt()).toBe('2022-02-02 23:20:13.096000');
  });

  it('any operation of com.android.shell is MEDIUM, one per entry in time order; an ordinary app\'s operations are not', async () => {
    const text = [
      '  Uid 0:',
      '  Uid 2000:',
      '    Package com.android.shell:',
      '      WRITE_SETTINGS (allow):',
      '          Access: [fg-s] 2024-05-02 10:00:00.000 (-1d)',
      '          Access: [fg-s] 2024-05-01 09:00:00.000 (-2d)',
      '  Uid u0a55:',
      '    Package com.spotify.music:',
      '      RECORD_AUDIO (allow):',
      '          Access: [top-s] 2024-05-01 08:00:00.000 (-2d)',
      '',
    ].join('\n');
    const findings = await checkDumpsys('android.dumpsys_appops', { appops: text });
    expect(findings.map((f) => [f.level, f.message])).toEqual([
      ['medium', "Risky package 'com.android.shell' had 'WRITE_SETTINGS' permission set to 'Access' at 2024-05-01 09:00:00.000000"],
      ['medium', "Risky package 'com.android.shell' had 'WRITE_SETTINGS' permission set to 'Access' at 2024-05-02 10:00:00.000000"],
    ]);
  });

  it('androidqf\'s dumpsys.txt: 12 packages, one REQUEST_INSTALL_PACKAGES finding (firefox, no entry)', async () => {
    const { records } = await parseAqf<DumpsysAppopsRecord>(appops, mvtAndroidqf());
    expect(records).toHaveLength(12);
  });
});
