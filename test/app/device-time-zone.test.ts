/**
 * `check --device-time-zone ZONE` (MVT's `check-intrusion-logs -t ZONE`, reference-spec §9.4, §14.5): the
 * examiner's zone fills in when the acquisition names none (standalone intrusion logs, MVT's androidqf and
 * bugreport test folders); the acquisition's own `persist.sys.timezone` wins, with one coverage line when the two
 * differ; a name this tool does not know is a one-line usage error; `--jobs 2` gives the same bytes.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, type CheckOptions } from '../../src/app/check.js';
import { UserError } from '../../src/errors.js';
import { checkedTimeZone } from '../../src/evidence/device-zone.js';
import { openCaseForCheck } from '../../src/app/case-check.js';
import { reproduce } from '../../src/app/reproduce-bundle.js';
import { bundleContentFromNativeOutput } from '../../src/bundle/content.js';
import { openBundle } from '../../src/bundle/read.js';
import { writeBundle } from '../../src/bundle/write.js';
import { loadCaseReport } from '../../src/case/report-model.js';
import { createKeyFiles, readPrivateKeyFile } from '../../src/signing/key-files.js';
import { capturedOutput, run } from '../helpers/cli.js';
import { mvtTestStix, shared } from '../helpers/data.js';
import { writeBugreport } from '../artifacts/android/_bugreport.js';
import { writeAqf } from '../artifacts/android/_aqf.js';
import { SECTION_14_5 } from '../fixtures/intrusion-logs.js';

const base = mkdtempSync(join(tmpdir(), 'tracehound-given-zone-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const outDir = () => join(base, `out-${++n}`);
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const issuesOf = (result: { coverage: readonly { artifact: string; issues: readonly { message: string }[] }[] }, artifact: string) =>
  result.coverage.find((c) => c.artifact === artifact)?.issues.map((i) => i.message);

const mvtAndroidqf = () => shared('mvt-test-artifacts', 'androidqf');
const mvtBugreport = () => shared('mvt-test-artifacts', 'android_data', 'bugreport');


const DUPLICATE = '1 duplicate intrusion-log event(s) dropped (the same event exported more than once)';

/** A folder of intrusion-log exports on their own (MVT's check-intrusion-logs input). */
function intrusionFolder(text: string): string {
  const dir = join(base, `logs-${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'export.txt'), text);
  return dir;
}

describe('standalone intrusion logs with --device-time-zone Europe/Paris (reference-spec §14.5)', () => {
  it("MVT's output: four timeline rows in Paris wall-clock time, counts 1/1/2, four alerts", async () => {
    const output = outDir();
    const result = await check({ target: intrusionFolder(SECTION_14_5), iocs: [mvtTestStix()], userIocDir: null, output, format: 'mvt', deviceTimeZone: 'Europe/Paris' });
    expect(result.acquisition).toMatchObject({ kind: 'android-intrusion-logs', givenTimeZone: 'Europe/Paris' });
    expect(result.coverage.map((c) => [c.artifact, c.records, c.state])).toEqual([
      // Partial only for the duplicate CA line it dropped (said once, by the first of the three).
      ['android.intrusion_dns', 1, 'partial'],
      ['android.intrusion_connect', 1, 'parsed'],
      ['android.intrusion_security', 2, 'parsed'],
    ]);
    // §14.5's rows, in MVT's local rendering (1700000000000 ms is 23:13:20 in Paris); our descriptions say
    // `[IPs: …]` whatever matched (differences-from-mvt.md A16).
    expect(read(output, 'timeline.csv').split('\r\n')).toEqual([
      '"Device Local Timestamp","Plugin","Event","Description"',
      '"2023-11-14 23:13:20.000000","DnsEvent","dns_query","DNS query for sub.example.org by com.example.app [IPs: 198.51.100.1]"',
      '"2023-11-14 23:13:21.000000","ConnectEvent","network_connection","Connection to 198.51.100.1:443 by com.example.app"',
      '"2023-11-14 23:13:22.000000","SecurityEvent","app_process_start","Process started: com.example.app (UID: 10000, PID: 1234)"',
      '"2023-11-14 23:13:23.000000","SecurityEvent","cert_authority_installed","Cert installed: CN=Evil"',
      '',
    ]);
    const alerts = JSON.parse(read(output, 'alerts.json')) as { level: string; module: string; message: string; event_time: string }[];
    expect(alerts.map((a) => [a.module, a.level])).toEqual([
      ['dns_event', 'CRITICAL'],
      ['dns_event', 'CRITICAL'],
      ['connect_event', 'CRITICAL'],
      ['security_event', 'MEDIUM'],
    ]);
    expect(alerts[3]).toMatchObject({ message: 'Certificate authority installed: CN=Evil', event_time: '2023-11-14 23:13:23.000000' });
    expect(alerts.slice(0, 3).map((a) => a.message)).toEqual([
      'Found a sub-domain with a suspicious top level sub.example.org matching indicator "example.org" from "TestMalware"',
      'Found a known suspicious IP address 198.51.100.1 matching indicator "198.51.100.1" from "TestMalware"',
      'Found a known suspicious IP address 198.51.100.1 matching indicator "198.51.100.1" from "TestMalware"',
    ]);
    // Unlike MVT (4 rows), an indicator match carries no event time of its own (the record's times are in the
    // record), so alerts_timeline.csv lists the heuristic's alert only: in Paris time too.
    const alertRows = read(output, 'alerts_timeline.csv').split('\r\n');
    expect(alertRows).toHaveLength(3);
    expect(alertRows[1]).toMatch(/^"2023-11-14 23:13:23\.000000","security_event","Certificate authority installed: CN=Evil",/);
    // dns_event.json's timestamp is the Paris wall clock, as MVT writes it with -t.
    const dns = JSON.parse(read(output, 'dns_event.json')) as { timestamp: string; device_time_zone: string }[];
    expect(dns.map((r) => [r.timestamp, r.device_time_zone])).toEqual([['2023-11-14 23:13:20.000000', 'Europe/Paris']]);
  });

  it('our output: records keep the UTC instant beside the Paris wall clock; the timeline is in UTC; info.json names the zone', async () => {
    const output = outDir();
    const result = await check({ target: intrusionFolder(SECTION_14_5), iocs: [], userIocDir: null, output, deviceTimeZone: 'Europe/Paris' });
    expect(issuesOf(result, 'android.intrusion_dns')).toEqual([DUPLICATE]);
    const dns = read(output, 'android.intrusion_dns.json');
    expect(dns).toContain('"timestamp":"2023-11-14T22:13:20.000000Z","device_local_time":"2023-11-14 23:13:20.000000","device_time_zone":"Europe/Paris"');
    expect(read(output, 'timeline.csv').split('\n').slice(1, 3)).toEqual([
      '2023-11-14T22:13:20.000000Z,android.intrusion_dns,dns_query,DNS query for sub.example.org by com.example.app [IPs: 198.51.100.1]',
      '2023-11-14T22:13:21.000000Z,android.intrusion_connect,network_connection,Connection to 198.51.100.1:443 by com.example.app',
    ]);
    // The CA's finding: the phone's wall clock with its offset, naming the same instant.
    const ca = result.findings.find((f) => f.artifact === 'android.intrusion_security')!;
    expect([ca.eventTime?.iso(), ca.eventTime?.instant()?.iso()]).toEqual(['2023-11-14T23:13:23.000000+01:00', '2023-11-14T22:13:23.000000Z']);
    const info = JSON.parse(read(output, 'info.json')) as { options: Record<string, unknown>; acquisition: Record<string, unknown> };
    expect(info.options.deviceTimeZone).toBe('Europe/Paris');
    expect(info.acquisition.givenTimeZone).toBe('Europe/Paris');
  });

  it('without the flag: UTC only, and the coverage says so (the flag is what changes it)', async () => {
    const output = outDir();
    const result = await check({ target: intrusionFolder(SECTION_14_5), iocs: [], userIocDir: null, output, format: 'mvt' });
    expect(issuesOf(result, 'android.intrusion_dns')).toEqual(['device time zone unknown (no getprop.txt beside the logs): intrusion-log times are given in UTC only', DUPLICATE]);
    expect(read(output, 'timeline.csv').split('\r\n')[1]).toBe('"2023-11-14 22:13:20.000000","DnsEvent","dns_query","DNS query for sub.example.org by com.example.app [IPs: 198.51.100.1]"');
    expect(result.acquisition).not.toHaveProperty('givenTimeZone');
  });
});

describe('acquisitions that name no zone: the flag gives dumpsys times their UTC instant', () => {
  it("MVT's androidqf test folder (getprop.txt without persist.sys.timezone): a package time becomes an instant, no coverage line", async () => {
    const plain = outDir();
    await check({ target: mvtAndroidqf(), iocs: [], userIocDir: null, output: plain, only: ['android.aqf_getprop', 'android.dumpsys_packages'] });
    const given = outDir();
    const result = await check({ target: mvtAndroidqf(), iocs: [], userIocDir: null, output: given, only: ['android.aqf_getprop', 'android.dumpsys_packages'], deviceTimeZone: 'Europe/Paris' });
    const row = 'android.dumpsys_packages,package_install,Install or update of package com.samsung.android.provider.filterprovider';
    // dumpsys.txt prints `timeStamp=2008-12-31 16:00:00`, the phone's wall clock; read in Paris (UTC+1 in winter) it is 15:00 UTC.
    expect(read(plain, 'timeline.csv').split('\n')).toContain(`2008-12-31T16:00:00.000000,${row}`);
    expect(read(given, 'timeline.csv').split('\n')).toContain(`2008-12-31T15:00:00.000000Z,${row}`);
    expect(issuesOf(result, 'android.aqf_getprop')).toEqual([]);
    expect(result.acquisition.device?.timeZone).toBeUndefined();
  });

  it("MVT's bugreport test folder: appops times become instants in Paris summer time (UTC+2)", async () => {
    const given = outDir();
    const result = await check({ target: mvtBugreport(), iocs: [], userIocDir: null, output: given, only: ['android.dumpsys_appops'], deviceTimeZone: 'Europe/Paris' });
    const timeline = read(given, 'timeline.csv').split('\n');
    expect(timeline).toContain('2021-05-19T20:02:49.186000Z,android.dumpsys_appops,Access,com.facebook.katana access to WAKE_LOCK: Access');
    expect(read(given, 'android.dumpsys_appops.json')).toContain('"2021-05-19T22:02:49.186000+02:00"');
    expect(result.coverage[0]).toMatchObject({ artifact: 'android.dumpsys_appops', state: 'parsed' });
  });
});

/** A dumpstate whose properties name `zone`, with one package installed at `when` (its wall clock). */
function dumpstate(zone: string, when: string): string {
  const rule = '-'.repeat(79);
  return [
    `== dumpstate: ${when}`,
    '------ SYSTEM PROPERTIES (getprop) ------',
    `[persist.sys.timezone]: [${zone}]`,
    "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------",
    rule,
    'DUMP OF SERVICE package:',
    'Packages:',
    '  Package [org.example.browser] (1a2b3c4):',
    `    firstInstallTime=${when}`,
    '',
    rule,
    '',
  ].join('\n');
}

async function checkBugreport(zone: string, given: string) {
  const tree = writeBugreport({ 'dumpstate.txt': dumpstate(zone, '2023-07-01 12:00:00') });
  try {
    const output = outDir();
    const result = await check({ target: tree.root, iocs: [], userIocDir: null, output, only: ['android.dumpsys_getprop', 'android.dumpsys_packages'], deviceTimeZone: given });
    // The package's install row (the others of the section have no time).
    const installed = read(output, 'timeline.csv').split('\n').find((l) => l.includes('package_first_install'));
    return { result, installed };
  } finally {
    tree.remove();
  }
}

describe("the acquisition's own zone wins", () => {
  it('a bugreport naming Europe/Berlin checked with Asia/Tokyo: Berlin is used, and one coverage line says why', async () => {
    const { result, installed } = await checkBugreport('Europe/Berlin', 'Asia/Tokyo');
    expect(installed).toBe('2023-07-01T10:00:00.000000Z,android.dumpsys_packages,package_first_install,Install or update of package org.example.browser');
    expect(issuesOf(result, 'android.dumpsys_getprop')).toEqual([
      "the acquisition names the device time zone Europe/Berlin (persist.sys.timezone): device-local times are read in it, not in Asia/Tokyo given with --device-time-zone (the phone's own setting is what its clock showed)",
    ]);
    expect(issuesOf(result, 'android.dumpsys_packages')).toEqual([]);
  });

  it('the same zone given: nothing to say', async () => {
    const { result } = await checkBugreport('Europe/Berlin', 'Europe/Berlin');
    expect(issuesOf(result, 'android.dumpsys_getprop')).toEqual([]);
  });

  it('a name this tool cannot use: the given zone is used instead, and the line says so', async () => {
    const { result, installed } = await checkBugreport('Mars/Olympus_Mons', 'Europe/Paris');
    expect(installed).toBe('2023-07-01T10:00:00.000000Z,android.dumpsys_packages,package_first_install,Install or update of package org.example.browser');
    expect(issuesOf(result, 'android.dumpsys_getprop')).toEqual([
      'dumpstate.txt: persist.sys.timezone "Mars/Olympus_Mons" is not a time zone this tool knows: device-local times (dumpsys, tombstones) are read in Europe/Paris, given with --device-time-zone',
    ]);
  });

  it("androidqf with getprop.txt's Europe/Paris and intrusion logs, given America/New_York: Paris labels the events; getprop's artifact says it once", async () => {
    const tree = writeAqf({ 'getprop.txt': '[persist.sys.timezone]: [Europe/Paris]\n', 'intrusion_logs/a.txt': SECTION_14_5 });
    try {
      const result = await check({ target: tree.root, iocs: [], userIocDir: null, only: ['android.aqf_getprop', 'android.intrusion_dns'], deviceTimeZone: 'America/New_York' });
      const conflict = "the acquisition names the device time zone Europe/Paris (persist.sys.timezone): device-local times are read in it, not in America/New_York given with --device-time-zone (the phone's own setting is what its clock showed)";
      expect(issuesOf(result, 'android.aqf_getprop')).toEqual([conflict]);
      expect(issuesOf(result, 'android.intrusion_dns')).toEqual([DUPLICATE]);
    } finally {
      tree.remove();
    }
  });
});

describe('a zone name this tool does not know', () => {
  const out = capturedOutput();

  it.each(['Mars/Base', 'Europe/Pariss', '+02:00', ''])('%j: exit 2 with one line, before anything is read', async (name) => {
    expect(await run('check', mvtAndroidqf(), '--no-default-iocs', '--device-time-zone', name)).toBe(2);
    expect(out.stderr).toBe(`tracehound: --device-time-zone: ${JSON.stringify(name)} is not an IANA time zone name this tool knows (e.g. Europe/Paris, America/Mexico_City, UTC)\n`);
    expect(out.stdout).toBe('');
  });

  it('a known name in another case is spelled as ICU spells it; check() refuses an unknown one with a usage error', async () => {
    expect(checkedTimeZone('europe/paris')).toBe('Europe/Paris');
    await expect(check({ target: mvtAndroidqf(), userIocDir: null, deviceTimeZone: 'Mars/Base' })).rejects.toSatisfy((e: unknown) => e instanceof UserError && e.code === 'usage');
  });
});

describe('--jobs 2 gives the same bytes as --jobs 1 with the flag', () => {
  async function files(options: Omit<CheckOptions, 'output' | 'userIocDir'>) {
    const output = outDir();
    const result = await check({ ...options, userIocDir: null, output });
    const all = new Map<string, string>();
    for (const name of readdirSync(output).sort()) {
      if (!statSync(join(output, name)).isFile()) continue;
      let text = read(output, name).replaceAll(output, '<OUT>');
      if (name === 'info.json') text = text.replace(/"(started_at|finished_at|date)": "[^"]*"/g, '"$1": "<TIME>"');
      all.set(name, text);
    }
    return { result, all };
  }

  it.each([
    ["MVT's androidqf test folder", mvtAndroidqf, 'native'],
    ['standalone intrusion logs (§14.5)', () => intrusionFolder(SECTION_14_5), 'mvt'],
  ] as const)('%s', async (_name, target, format) => {
    const path = target();
    const one = await files({ target: path, iocs: [mvtTestStix()], format, jobs: 1, deviceTimeZone: 'Europe/Paris' });
    const two = await files({ target: path, iocs: [mvtTestStix()], format, jobs: 2, deviceTimeZone: 'Europe/Paris' });
    expect(two.result.threads.workers).toBe(1);
    expect([...two.all.keys()]).toEqual([...one.all.keys()]);
    for (const [name, text] of one.all) expect(two.all.get(name), name).toBe(text);
    // The zone reached the workers: their records are labelled (or their dumpsys times zoned) as in one thread.
    expect([...one.all.values()].join('\n')).toMatch(/Europe\/Paris|\+0[12]:00"/);
  });
});

describe('recorded for a second lab', () => {
  it("the case store's run options name the zone", async () => {
    const caseDir = join(base, `case-${++n}`);
    const c = openCaseForCheck({ dir: caseDir }, mvtBugreport());
    try {
      await check({ target: mvtBugreport(), iocs: [], userIocDir: null, only: ['android.dumpsys_appops'], sinks: [c.sink], deviceTimeZone: 'Europe/Paris' });
    } finally {
      c.close();
    }
    expect(loadCaseReport(caseDir).runs.map((r) => r.options.deviceTimeZone)).toEqual(['Europe/Paris']);
  });

  it("a bundle's findings are reproduced in the same zone (their event times depend on it)", async () => {
    const logs = intrusionFolder(SECTION_14_5);
    const output = outDir();
    const result = await check({ target: logs, iocs: [], userIocDir: null, output, deviceTimeZone: 'Europe/Paris' });
    expect(result.findings.map((f) => f.eventTime?.iso())).toEqual(['2023-11-14T23:13:23.000000+01:00']);
    const key = join(base, `key-${++n}`);
    createKeyFiles(key, 'lab-a@example');
    const path = join(base, `bundle-${++n}.zip`);
    await writeBundle(bundleContentFromNativeOutput(output), path, readPrivateKeyFile(key));
    const bundle = await openBundle(path);
    try {
      expect(await reproduce(bundle, logs)).toMatchObject({ differences: [], bundleFindings: 1, rerunFindings: 1 });
    } finally {
      await bundle.close();
    }
  });
});

describe('intrusion logs read on their own with a getprop.txt beside them (--type android-intrusion-logs)', () => {
  // Detected, such a folder is an androidqf acquisition (getprop.txt); forced, the logs' own artifacts read the zone.
  it("its zone labels the events; a differing --device-time-zone is one line of the DNS artifact's coverage", async () => {
    const logs = intrusionFolder(SECTION_14_5);
    writeFileSync(join(logs, 'getprop.txt'), '[persist.sys.timezone]: [Europe/Berlin]\n');
    const output = outDir();
    const result = await check({ target: logs, type: 'android-intrusion-logs', iocs: [], userIocDir: null, output, deviceTimeZone: 'Asia/Tokyo' });
    const dns = issuesOf(result, 'android.intrusion_dns')!;
    expect(dns).toContain("the acquisition names the device time zone Europe/Berlin (persist.sys.timezone): device-local times are read in it, not in Asia/Tokyo given with --device-time-zone (the phone's own setting is what its clock showed)");
    expect(dns.filter((m) => m.includes('--device-time-zone'))).toHaveLength(1);
    expect(read(output, 'android.intrusion_dns.json')).toContain('"device_local_time":"2023-11-14 23:13:20.000000","device_time_zone":"Europe/Berlin"');
  });
});
