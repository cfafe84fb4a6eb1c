import { describe, expect, it } from 'vitest';
import packages, { type DumpsysPackageRecord } from '../../../src/artifacts/android/dumpsys_packages.js';
import { decodePackages } from '../../../src/formats/dumpsys-package.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { mvtAndroidqf, parseAqf } from './_aqf.js';
import { checkDumpsys, mvtDumpsys, parseDumpsysSections } from './_dumpsys.js';

const file = () => mvtDumpsys('dumpsys_packages.txt').toString('utf8');

function pkg(name: string, lines: string[]): string {
  return ['Packages:', `  Package [${name}] (abc123):`, ...lines, ''].join('\n');
}

describe('android.dumpsys_packages', () => {
  it('MVT\'s file: 2 packages, the first the system filterprovider 5.0.07 installed 2008-12-31 16:00:00', async () => {
    const { records, coverage, timeline } = await parseDumpsysSections<DumpsysPackageRecord>(packages, { package: file() });
    expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
    expect(records.map((r) => r.package_name)).toEqual(['com.samsung.android.provider.filterprovider', 'com.sec.android.app.DataCreate']);
    expect(records[0]).toMatchObject({ uid: '1000', version_name: '5.0.07', version_code: '500700000 minSdk=28 targetSdk=28', first_install_time: '2008-12-31 16:00:00', installer: '', system: true });
    expect(records[0]!.permissions).toHaveLength(4);
    expect(records[1]!.requested_permissions).toHaveLength(11);
    // 20 install, 13 runtime of user 0, 1 declared.
    expect(records[1]!.permissions).toHaveLength(34);
    expect(records[1]!.permissions.find((p) => p.name === 'android.permission.CAMERA')).toEqual({ name: 'android.permission.CAMERA', granted: false, type: 'runtime' });
    expect(timeline).toHaveLength(6);
    expect([timeline[1]!.event, timeline[1]!.time!.mvt(), pythonDescription(timeline[1]!.description)]).toEqual(['package_first_install', '2008-12-31 16:00:00.000000', 'Install or update of package com.samsung.android.provider.filterprovider']);
  });

  it('the SYSTEM flag is a whole token of pkgFlags', () => {
    expect(decodePackages(pkg('a', ['    pkgFlags=[ SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA ]']))[0]!.system).toBe(true);
    expect(decodePackages(pkg('a', ['    pkgFlags=[ HAS_CODE ALLOW_BACKUP ]']))[0]!.system).toBe(false);
    expect(decodePackages(pkg('a', ['    pkgFlags=[ NOT_SYSTEMATIC ]']))[0]!.system).toBe(false);
    expect(decodePackages(pkg('a', ['    userId=10001']))[0]!.system).toBe(false);
  });

  it('a requested permission keeps its name without the flags Android 10+ prints after it', () => {
    const lines = ['    requested permissions:', '      android.permission.READ_SMS: restricted=true', '      android.permission.INTERNET', '    install permissions:', '      android.permission.INTERNET: granted=true'];
    expect(decodePackages(pkg('a', lines))[0]!.requested_permissions).toEqual(['android.permission.READ_SMS', 'android.permission.INTERNET']);
  });

  it('per-user values: user 0 wins over a later user; without user 0 the first user seen', () => {
    const users = (first: string, second: string) => [
      '    installerPackageName=com.android.vending',
      `    User ${first}: ceDataInode=1 installed=true`,
      `      firstInstallTime=2024-0${first === '0' ? 1 : 2}-10 09:19:39`,
      '      runtime permissions:',
      `        android.permission.CAMERA: granted=${first === '0'}, flags=[ USER_SENSITIVE_WHEN_GRANTED]`,
      `    User ${second}: ceDataInode=2 installed=true`,
      '      firstInstallTime=2024-03-10 09:19:39',
      '      runtime permissions:',
      '        android.permission.READ_SMS: granted=true, flags=[ ]',
    ];
    const zero = decodePackages(pkg('com.x', users('0', '10')))[0]!;
    expect([zero.first_install_time, zero.installer, zero.permissions]).toEqual(['2024-01-10 09:19:39', 'com.android.vending', [{ name: 'android.permission.CAMERA', granted: true, type: 'runtime' }]]);
    const ten = decodePackages(pkg('com.x', users('10', '11')))[0]!;
    expect([ten.first_install_time, ten.permissions.at(-1)!.name]).toEqual(['2024-02-10 09:19:39', 'android.permission.CAMERA']);
  });

  it('the indicator com.sec.android.app.DataCreate: 1 CRITICAL', async () => {
    const findings = await checkDumpsys('android.dumpsys_packages', { package: file() }, ['com.sec.android.app.DataCreate']);
    expect(findings.map((f) => [f.level, f.match?.observed])).toEqual([['critical', 'com.sec.android.app.DataCreate']]);
  });

  it('a rooting app is MEDIUM once, even when listed twice; an ordinary app raises nothing', async () => {
    const text = ['Packages:', '  Package [com.topjohnwu.magisk] (1):', '    userId=10200', '  Package [com.topjohnwu.magisk] (2):', '    userId=10201', '  Package [org.telegram.messenger] (3):', '    userId=10202', ''].join('\n');
    const findings = await checkDumpsys('android.dumpsys_packages', { package: text });
    expect(findings.map((f) => [f.level, f.message])).toEqual([['medium', 'Found an installed package related to rooting/jailbreaking: "com.topjohnwu.magisk"']]);
  });

  it('androidqf\'s dumpsys.txt: its 2 packages', async () => {
    const { coverage } = await parseAqf<DumpsysPackageRecord>(packages, mvtAndroidqf());
    expect(coverage).toMatchObject({ state: 'parsed', records: 2, issues: [] });
  });
});
