/**
 * Item 4 of issue #10 for dumpsys times (docs/dev/time.md): a dumpsys time is the phone's wall clock; with the
 * device's zone (`persist.sys.timezone`) our output also gives its instant (records with the offset, the
 * timeline in UTC), MVT's output keeps the wall clock as MVT writes it, and a zone name we cannot use is one
 * coverage line with the times left as readings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { oldBugreport, writeBugreport } from './_bugreport.js';

const base = mkdtempSync(join(tmpdir(), 'tracehound-zone-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const outDir = () => join(base, `out-${++n}`);

const RULE = '-'.repeat(79);

/** A current-format dumpstate whose clock is in `zone`, with one package and one appops entry at `when`. */
function dumpstate(zone: string, when: string): string {
  return [
    '========================================================',
    `== dumpstate: ${when}`,
    '========================================================',
    '------ SYSTEM PROPERTIES (getprop) ------',
    `[persist.sys.timezone]: [${zone}]`,
    '[ro.build.version.release]: [14]',
    "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------",
    RULE,
    'DUMP OF SERVICE package:',
    'Packages:',
    '  Package [org.example.browser] (1a2b3c4):',
    '    userId=10201',
    `    timeStamp=${when}`,
    `    firstInstallTime=${when}`,
    `    lastUpdateTime=${when}`,
    '    installerPackageName=com.android.vending',
    '',
    RULE,
    'DUMP OF SERVICE appops:',
    'Current AppOps Service state:',
    '  Uid 0:',
    '    Package android:',
    '      WAKE_LOCK (allow):',
    '  Uid u0a201:',
    '    Package org.example.browser:',
    '      REQUEST_INSTALL_PACKAGES (allow):',
    `          Access: [fg] ${when}.250 (-1d)`,
    '',
    RULE,
    '',
  ].join('\n');
}

async function checkGenerated(zone: string, when: string, format: 'native' | 'mvt' = 'native') {
  const tree = writeBugreport({ 'dumpstate.txt': dumpstate(zone, when) });
  try {
    const output = outDir();
    const result = await check({ target: tree.root, iocs: [], userIocDir: null, output, format });
    return { result, output, read: (name: string) => readFileSync(join(output, name), 'utf8') };
  } finally {
    tree.remove();
  }
}

describe('dumpsys times with the device\'s time zone', () => {
  it('the old bugreport (real, Europe/Stockholm): our timeline in UTC, MVT\'s in the phone\'s wall clock', async () => {
    const native = outDir();
    const result = await check({ target: oldBugreport(), iocs: [], userIocDir: null, output: native });
    expect(result.acquisition.device?.timeZone).toBe('Europe/Stockholm');
    // Its package section prints `timeStamp=1980-01-06 01:03:16` (CET, UTC+1).
    const ours = readFileSync(join(native, 'timeline.csv'), 'utf8').split('\n');
    expect(ours[1]).toBe('1980-01-06T00:03:16.000000Z,android.dumpsys_packages,package_install,Install or update of package com.sonymobile.chkbugreport.testapp');
    const mvt = outDir();
    await check({ target: oldBugreport(), iocs: [], userIocDir: null, output: mvt, format: 'mvt' });
    const theirs = readFileSync(join(mvt, 'timeline.csv'), 'utf8').split('\r\n');
    expect(theirs[1]).toBe('"1980-01-06 01:03:16.000000","DumpsysPackages","package_install","Install or update of package com.sonymobile.chkbugreport.testapp"');
  });

  it('in the hour the clock went back (generated, Europe/Berlin 2023-10-29 02:30): the earlier instant, offset in the records', async () => {
    const { result, read } = await checkGenerated('Europe/Berlin', '2023-10-29 02:30:00');
    const appops = JSON.parse(read('android.dumpsys_appops.json')) as { record: { package_name: string; permissions: { entries: { timestamp: string }[] }[] } }[];
    const browser = appops.find((a) => a.record.package_name === 'org.example.browser')!;
    expect(browser.record.permissions[0]!.entries[0]!.timestamp).toBe('2023-10-29T02:30:00.250000+02:00');
    const timeline = read('timeline.csv').split('\n');
    expect(timeline.slice(1, 5).sort()).toEqual([
      '2023-10-29T00:30:00.000000Z,android.dumpsys_packages,package_first_install,Install or update of package org.example.browser',
      '2023-10-29T00:30:00.000000Z,android.dumpsys_packages,package_install,Install or update of package org.example.browser',
      '2023-10-29T00:30:00.000000Z,android.dumpsys_packages,package_last_update,Install or update of package org.example.browser',
      '2023-10-29T00:30:00.250000Z,android.dumpsys_appops,Access,org.example.browser access to REQUEST_INSTALL_PACKAGES: Access',
    ]);
    // The rule's event time is the same reading, zoned; its message keeps MVT's wall-clock wording.
    const finding = result.findings.find((f) => f.artifact === 'android.dumpsys_appops')!;
    expect([finding.message, finding.eventTime?.iso(), finding.eventTime?.instant()?.iso()]).toEqual([
      "Package 'org.example.browser' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Access' at 2023-10-29 02:30:00.250000",
      '2023-10-29T02:30:00.250000+02:00',
      '2023-10-29T00:30:00.250000Z',
    ]);
    expect(result.coverage.find((c) => c.artifact === 'android.dumpsys_getprop')).toMatchObject({ state: 'parsed', records: 2 });
  });

  it('MVT\'s output of the same keeps the wall clock everywhere (records, timeline, alert time)', async () => {
    const { read } = await checkGenerated('Europe/Berlin', '2023-10-29 02:30:00', 'mvt');
    expect(read('dumpsys_appops.json')).toContain('"timestamp": "2023-10-29 02:30:00.250000"');
    expect(read('timeline.csv')).toContain('"2023-10-29 02:30:00.250000","DumpsysAppops","Access"');
    expect(read('alerts.json')).toContain('"event_time": "2023-10-29 02:30:00.250000"');
  });

  it('a zone name this tool does not know: one coverage line, the times stay readings (no designator, no UTC)', async () => {
    const { result, read } = await checkGenerated('Mars/Olympus_Mons', '2023-07-01 12:00:00');
    const getprop = result.coverage.find((c) => c.artifact === 'android.dumpsys_getprop')!;
    expect(getprop.issues.map((i) => i.message)).toEqual([
      'dumpstate.txt: persist.sys.timezone "Mars/Olympus_Mons" is not a time zone this tool knows: device-local times (dumpsys, tombstones) are given as the phone showed them, without UTC',
    ]);
    expect(getprop.records).toBe(2);
    expect(read('timeline.csv').split('\n')).toContain('2023-07-01T12:00:00.000000,android.dumpsys_packages,package_install,Install or update of package org.example.browser');
    expect(result.findings.find((f) => f.artifact === 'android.dumpsys_appops')!.eventTime?.iso()).toBe('2023-07-01T12:00:00.250000');
  });
});
