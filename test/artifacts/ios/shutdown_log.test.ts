import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import shutdownLog, { decodeShutdownLog, shutdownLogLimits, splitBinaryUuid, type ShutdownLogRecord } from '../../../src/artifacts/ios/shutdown_log.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { compileIndicators } from '../../../src/indicators/match.js';
import { openIosFilesystem } from '../../../src/evidence/ios-fs.js';
import { openSysdiagnose } from '../../../src/evidence/ios-sysdiagnose.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { plainDescription } from '../../../src/report/native.js';
import { generateIosFilesystemDump } from '../../../src/synth/ios-fs-dump.js';
import { PEGASUS_STAGING, ordinaryReboots, shutdownLogText } from '../../../src/synth/shutdown-log.js';
import { openAcquisition } from '../../../src/evidence/detect.js';
import { tempDir } from '../../fixtures/ios-backup.js';
import { parseSource } from '../../helpers/artifacts.js';
import { collectionsOf } from '../../indicators/bundle.js';

function tree(files: Record<string, string | Buffer>): string {
  const root = tempDir('shutdown');
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  return root;
}

const decode = (text: string | Buffer, warn?: (m: string) => void) =>
  [...decodeShutdownLog(Buffer.isBuffer(text) ? text : Buffer.from(text), warn)].map((l) => l.record);

const sysdiagnoseLog = (rel: string, text: string) =>
  tree({ 'sysdiagnose.log': 'collected\n', [`system_logs.logarchive/Extra/${rel}`]: text });

/** A real iOS 17-style reboot: two notices, nfcd in both, filecoordinationd in the second only. */
const TWO_NOTICES = [
  'After 0.52s, these clients are still here:',
  '\t\tremaining client pid: 155 (/usr/libexec/nfcd)',
  '\t\tremaining client pid: 98 (/usr/sbin/filecoordinationd)',
  'After 1.04s, these clients are still here:',
  '\t\tremaining client pid: 155 (/usr/libexec/nfcd)',
  'SIGTERM: [1700000000]',
  '',
].join('\n');

describe('decodeShutdownLog', () => {
  it('gives one record per process per reboot, dated by the SIGTERM, with how many notices listed it', () => {
    const records = decode(TWO_NOTICES);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ pid: '155', client: '/usr/libexec/nfcd', delay: 1.04, times_delayed: 2, reboot: 1, reboot_notices: 2, reboot_clients: 2, first_of_reboot: true });
    expect(records[1]).toMatchObject({ pid: '98', client: '/usr/sbin/filecoordinationd', delay: 0.52, times_delayed: 1, first_of_reboot: false });
    expect(records[0]!.isodate?.mvt()).toBe('2023-11-14 22:13:20.000000');
  });

  it('splits the binary UUID newer iOS writes as a last component, and only a whole UUID', () => {
    expect(splitBinaryUuid('/usr/libexec/coreduetd/FC9C4AD0-D918-393F-B50C-7B4D830F3E2A')).toEqual({ binary: '/usr/libexec/coreduetd', uuid: 'FC9C4AD0-D918-393F-B50C-7B4D830F3E2A' });
    expect(splitBinaryUuid('/usr/libexec/nfcd')).toEqual({ binary: '/usr/libexec/nfcd', uuid: null });
    expect(splitBinaryUuid('/private/var/containers/Bundle/Application/5C3B2A41-7E0D-4C51-9E1A-0F6B3D2E8C47/X.app/X').uuid).toBeNull();
    const [r] = decode('After 1.26s, these clients are still here:\n\t\tremaining client pid: 0 (/kernel/D504008E-47BE-3030-836A-E692031BB4AE)\nSIGTERM: [1700000000] All buffers flushed\n');
    expect(r).toMatchObject({ client: '/kernel/D504008E-47BE-3030-836A-E692031BB4AE', binary: '/kernel', binary_uuid: 'D504008E-47BE-3030-836A-E692031BB4AE' });
    expect(r!.isodate?.mvt()).toBe('2023-11-14 22:13:20.000000');
  });

  it('keeps a reboot no process delayed, and the processes of a shutdown the log ends in, undated', () => {
    const records = decode(`SIGTERM: [1700000000]\n${TWO_NOTICES}After 0.61s, these clients are still here:\n\t\tremaining client pid: 77 (/usr/libexec/lsd)\n`);
    expect(records.map((r) => [r.reboot, r.client, r.isodate?.mvt() ?? null])).toEqual([
      [1, null, '2023-11-14 22:13:20.000000'],
      [2, '/usr/libexec/nfcd', '2023-11-14 22:13:20.000000'],
      [2, '/usr/sbin/filecoordinationd', '2023-11-14 22:13:20.000000'],
      [3, '/usr/libexec/lsd', null],
    ]);
  });

  it('reads a notice and a client written on one line', () => {
    const records = decode('After 0.10s, remaining client pid: 155 (/usr/libexec/nfcd)\nAfter 0.20s, remaining client pid: 155 (/usr/libexec/nfcd)\nSIGTERM: [1700000000]\n');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ client: '/usr/libexec/nfcd', times_delayed: 2, delay: 0.2, reboot_notices: 2 });
  });

  it('reads the SIGTERM time after " @" on older lines, and none at all as unknown', () => {
    expect(decode('SIGTERM: sent @1600000000 to clients\n')[0]!.isodate?.mvt()).toBe('2020-09-13 12:26:40.000000');
    expect(decode('SIGTERM: sent\n')[0]!.isodate).toBeNull();
  });

  it('reads the generator\'s iOS 26 layout: the planted client outlives three notices, ordinary ones at most two', () => {
    const at = new Date('2024-03-01T08:00:00Z');
    const text = shutdownLogText({ seed: 7, uuidSuffix: true, reboots: [{ at }, { at: new Date('2024-03-05T09:00:00Z'), planted: [{ path: `${PEGASUS_STAGING}/bh`, notices: 3 }] }] });
    const records = decode(text);
    const planted = records.filter((r) => r.binary === `${PEGASUS_STAGING}/bh`);
    expect(planted).toHaveLength(1);
    expect(planted[0]).toMatchObject({ times_delayed: 3, reboot: 2 });
    expect(planted[0]!.isodate?.iso()).toBe('2024-03-05T09:00:00.000000Z');
    expect(records.filter((r) => r !== planted[0]).every((r) => r.times_delayed <= 2 && r.binary_uuid !== null)).toBe(true);
  });

  it('skips over-long lines and stops at the record and line bounds, saying so once each', () => {
    const warnings: string[] = [];
    const long = `\t\tremaining client pid: 1 (/${'a'.repeat(shutdownLogLimits.maxLineBytes)})\n`;
    const records = decode(`After 1s, these clients are still here:\n${long}SIGTERM: [1700000000]\n`, (m) => warnings.push(m));
    expect(records.map((r) => r.client)).toEqual([null]);
    expect(warnings).toEqual([`1 line(s) longer than ${shutdownLogLimits.maxLineBytes} bytes skipped`]);

    const saved = shutdownLogLimits.maxRecordsPerFile;
    shutdownLogLimits.maxRecordsPerFile = 3;
    try {
      const many = Array.from({ length: 5 }, () => TWO_NOTICES).join('');
      const w: string[] = [];
      expect(decode(many, (m) => w.push(m))).toHaveLength(3);
      expect(w).toEqual(['more than 3 records: the rest of the file is not read']);
      // Exactly at the bound, with nothing after: nothing is said.
      const exact: string[] = [];
      expect(decode(`${TWO_NOTICES}SIGTERM: [1700000001]\n`, (m) => exact.push(m))).toHaveLength(3);
      expect(exact).toEqual([]);
    } finally {
      shutdownLogLimits.maxRecordsPerFile = saved;
    }

    const savedLines = shutdownLogLimits.maxLines;
    shutdownLogLimits.maxLines = 4;
    try {
      const w: string[] = [];
      expect(decode(TWO_NOTICES + TWO_NOTICES, (m) => w.push(m))).toEqual([]);
      expect(w).toEqual(['more than 4 lines: the rest of the file is not read']);
    } finally {
      shutdownLogLimits.maxLines = savedLines;
    }
  });

  it('makes nothing of garbage', () => {
    expect(decode(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0x80]))).toEqual([]);
    expect(decode('')).toEqual([]);
  });
});

describe('ios.shutdown_log on a filesystem dump (reference-spec §13.4 test_shutdownlog)', () => {
  it('reads shutdown.log and its rotated shutdown.0.log', async () => {
    const root = tree({
      'private/var/mobile/.keep': '',
      'private/var/db/diagnostics/shutdown.log': 'After 1.00s, these clients are still here:\n\t\tremaining client pid: 100 (/usr/libexec/first)\nSIGTERM: [1700000000]\n',
      'private/var/db/diagnostics/shutdown.0.log': 'After 1.00s, these clients are still here:\n\t\tremaining client pid: 200 (/usr/libexec/second)\nSIGTERM: [1700000000]\n',
    });
    const { records, coverage, timeline, observables, items } = await parseSource<ShutdownLogRecord>(shutdownLog, openIosFilesystem(root, new InputLog()));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => r.client)).toEqual(['/usr/libexec/first', '/usr/libexec/second']);
    expect(items[0]!.source.at).toEqual({ line: 3 });
    expect(timeline.map((e) => e.event)).toEqual(['reboot', 'shutdown', 'reboot', 'shutdown']);
    expect(pythonDescription(timeline[1]!.description)).toBe('Client /usr/libexec/first with PID 100 was running when the device was shut down');
    expect(plainDescription(timeline[0]!.description)).toBe('Reboot: 1 process(es) delayed the shutdown, over 1 delay notice(s)');
    expect(observables.slice(0, 2)).toEqual([
      { kind: 'file_path', value: '/usr/libexec/first', field: 'client' },
      { kind: 'process', value: 'first', field: 'client' },
    ]);
  });

  it('offers the client path as written (a file_path indicator of the folder matches it) and the process name without the UUID', async () => {
    const client = '/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-426614174000';
    const [r] = decode(`After 1.00s, these clients are still here:\n\t\tremaining client pid: 1 (${client})\nSIGTERM: [1700000000]\n`);
    const observables = shutdownLog.observables!(r!);
    expect(observables).toEqual([
      { kind: 'file_path', value: client, field: 'client' },
      { kind: 'process', value: 'filecoordinationd', field: 'client' },
    ]);
    // MVT's test: the file_path indicator /usr/sbin/filecoordinationd gives 1 alert whose matched value is the client.
    const matcher = compileIndicators(collectionsOf({ malware: ['Test'], indicators: [{ pattern: "[file:path='/usr/sbin/filecoordinationd']", malware: 'Test' }] }));
    const hits = observables.flatMap((o) => matcher.match(o));
    expect(hits.map((h) => [h.kind, h.indicator.value])).toEqual([['file-path', '/usr/sbin/filecoordinationd']]);
    expect(hits[0]!.message).toContain(client);
  });
});

describe('ios.shutdown_log on a generated dump packed as a tar.gz, in both layouts', () => {
  it.each(['private-var', 'filesystem12'] as const)('%s: both logs are found at their device paths and read from the archive', async (layout) => {
    const planted = { at: new Date('2024-02-02T02:02:02Z'), planted: [{ path: `${PEGASUS_STAGING}/bh`, notices: 3 }] };
    const path = join(tempDir('shutdown-dump'), 'dump.tar.gz');
    await generateIosFilesystemDump(path, {
      seed: 4,
      files: 200,
      format: 'tar.gz',
      layout,
      extra: [
        { devicePath: '/private/var/db/diagnostics/shutdown.log', data: shutdownLogText({ seed: 4, reboots: [...ordinaryReboots(new Date('2024-02-01T00:00:00Z'), 3), planted] }) },
        { devicePath: '/private/var/db/diagnostics/shutdown.0.log', data: shutdownLogText({ seed: 5, reboots: ordinaryReboots(new Date('2024-01-01T00:00:00Z'), 2) }) },
      ],
    });
    const { source } = await openAcquisition(path);
    try {
      const { records, coverage } = await parseSource<ShutdownLogRecord>(shutdownLog, source);
      expect(coverage).toMatchObject({ state: 'parsed', issues: [] });
      expect(coverage.files).toHaveLength(2);
      expect(new Set(records.map((r) => `${r.reboot}@${r.isodate?.iso()}`)).size).toBe(6);
      expect(records.filter((r) => r.binary === `${PEGASUS_STAGING}/bh`).map((r) => [r.isodate?.iso(), r.times_delayed])).toEqual([['2024-02-02T02:02:02.000000Z', 3]]);
    } finally {
      await source.close();
    }
  }, 60_000);
});

describe('ios.shutdown_log on a sysdiagnose', () => {
  it('reads system_logs.logarchive/Extra/shutdown.log and shutdown.0.log', async () => {
    const root = tree({
      'sysdiagnose.log': 'x\n',
      'system_logs.logarchive/Extra/shutdown.log': TWO_NOTICES,
      'system_logs.logarchive/Extra/shutdown.0.log': TWO_NOTICES.replace('1700000000', '1690000000'),
    });
    const { records, coverage } = await parseSource<ShutdownLogRecord>(shutdownLog, openSysdiagnose(root, new InputLog()));
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(4);
    expect(records.map((r) => r.isodate?.mvt().slice(0, 10))).toEqual(['2023-11-14', '2023-11-14', '2023-07-22', '2023-07-22']);
  });

  it('says a binary file under the log\'s name is not a shutdown log, and reads the other one', async () => {
    const root = tree({
      'sysdiagnose.log': 'x\n',
      'system_logs.logarchive/Extra/shutdown.log': Buffer.from([0, 1, 2, 3, 0xff]),
      'system_logs.logarchive/Extra/shutdown.0.log': TWO_NOTICES,
    });
    const { records, coverage } = await parseSource<ShutdownLogRecord>(shutdownLog, openSysdiagnose(root, new InputLog()));
    expect(records).toHaveLength(2);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual(['system_logs.logarchive/Extra/shutdown.log: binary data, not a text shutdown log: not read']);
  });

  it('is missing, not failed, on a sysdiagnose without a shutdown log', async () => {
    const { records, coverage } = await parseSource<ShutdownLogRecord>(shutdownLog, openSysdiagnose(sysdiagnoseLog('other.log', ''), new InputLog()));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});
