import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import tombstones, { tombstoneObservables, tombstoneTimes, type TombstoneRecord } from '../../../src/artifacts/android/tombstones.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import rules from '../../../src/rules/android/tombstones.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtAndroidData, mvtBugreport, parseBugreport, parseBugreportFiles } from './_bugreport.js';

const rule = rules[0] as RecordRule<TombstoneRecord>;

describe('tombstones of MVT\'s bugreport', () => {
  it('2 crashes, in file order; results[1].pid is 3559; times as the device wrote them and as instants', async () => {
    const { records, coverage, timeline } = await parseBugreport<TombstoneRecord>(tombstones, mvtBugreport());
    expect(coverage).toMatchObject({ state: 'parsed', records: 2, issues: [] });
    expect(records.map((r) => [r.file_name, r.process_name, r.uid, r.pid, r.timestamp, r.timestamp_utc?.iso()])).toEqual([
      ['tombstone_00', 'UsbFfs-worker', 2000, 9850, '2021-09-29 17:43:49.000000', '2021-09-29T15:43:49.000000Z'],
      ['tombstone_01', 'tzts_daemon', 1000, 3559, '2023-08-21 23:28:59.000000', '2023-08-22T03:28:59.000000Z'],
    ]);
    expect(records[0]).toMatchObject({ binary_path: '/system/bin/adbd', signal_info: { number: 6, name: 'SIGABRT', code: -1, code_name: 'SI_QUEUE' }, abort_message: 'Check failed: payload.size() <= bytes_left (payload.size()=99, bytes_left=51) ' });
    expect(timeline.map((e) => [e.event, e.time?.iso(), pythonDescription(e.description)])).toEqual([
      ['Tombstone', '2021-09-29T15:43:49.000000Z', "Crash in 'UsbFfs-worker' process running as UID '2000' in file 'tombstone_00' Crash type 'SIGABRT' with code 'SI_QUEUE'"],
      ['Tombstone', '2023-08-22T03:28:59.000000Z', "Crash in 'tzts_daemon' process running as UID '1000' in file 'tombstone_01' Crash type 'SIGSEGV' with code 'SEGV_MAPERR'"],
    ]);
  });

  it('2 MEDIUM, for the shell (2000) and system (1000) crashes, with MVT\'s message and the device\'s wall-clock time', async () => {
    const { records } = await parseBugreport<TombstoneRecord>(tombstones, mvtBugreport());
    expect(rule.level).toBe('medium');
    expect(records.flatMap((r) => rule.check(r)).map((h) => h.message)).toEqual([
      "Potentially suspicious crash in process 'UsbFfs-worker' running as UID '2000' in tombstone 'tombstone_00' at 2021-09-29 17:43:49.000000",
      "Potentially suspicious crash in process 'tzts_daemon' running as UID '1000' in tombstone 'tombstone_01' at 2023-08-21 23:28:59.000000",
    ]);
  });
});

describe('tombstones: text and protobuf files, bad input', () => {
  it('MVT\'s text and .pb tombstones in FS/data/tombstones/ give the same crash', async () => {
    const { records, coverage } = await parseBugreportFiles<TombstoneRecord>(tombstones, {
      'FS/data/tombstones/tombstone_00': readFileSync(mvtAndroidData('tombstone_process.txt')),
      'FS/data/tombstones/tombstone_00.pb': readFileSync(mvtAndroidData('tombstone_process.pb')),
    });
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.file_name, r.command_line, r.uid, r.pid, r.process_name, r.timestamp])).toEqual([
      ['tombstone_00', ['/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek'], 1046, 25541, 'mtk.ape.decoder', '2023-04-12 12:32:40.518290'],
      ['tombstone_00.pb', ['/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek'], 1046, 25541, 'mtk.ape.decoder', '2023-04-12 12:32:40.518290'],
    ]);
    // uid 1046 (mediacodec) is not a privileged identity: nothing raised.
    expect(records.flatMap((r) => rule.check(r))).toEqual([]);
  });

  it('a damaged or foreign file is one issue naming it; the others are read', async () => {
    const { records, coverage } = await parseBugreportFiles<TombstoneRecord>(tombstones, {
      'FS/data/tombstones/tombstone_00': readFileSync(mvtAndroidData('tombstone_process.txt')),
      'FS/data/tombstones/tombstone_01': 'not a crash\n',
      'FS/data/tombstones/tombstone_02.pb': readFileSync(mvtAndroidData('tombstone_process.pb')).subarray(0, 5000),
    });
    expect(records.map((r) => r.file_name)).toEqual(['tombstone_00']);
    expect(coverage.issues.map((i) => [i.code, i.message])).toEqual([
      ['corrupted', 'tombstone_01: not a tombstone: no build_fingerprint, revision, timestamp, pid, tid, uid, signal_info in its first 400 lines'],
      ['corrupted', expect.stringMatching(/^not a protobuf tombstone: tombstone_02\.pb: field \d+ claims \d+ bytes where \d+ remain$/)],
    ]);
  });

  it('no tombstones folder: nothing, and the coverage says so', async () => {
    const { records, coverage } = await parseBugreportFiles<TombstoneRecord>(tombstones, {});
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});

describe('tombstone times and observables', () => {
  it('the written offset gives the instant; without one the device zone does; without either no instant is guessed', () => {
    expect(tombstoneTimes('2024-01-15 10:00:00+0100', undefined).timestamp_utc?.iso()).toBe('2024-01-15T09:00:00.000000Z');
    expect(tombstoneTimes('2024-07-15 10:00:00', 'Europe/Berlin')).toMatchObject({ timestamp: '2024-07-15 10:00:00.000000' });
    expect(tombstoneTimes('2024-07-15 10:00:00', 'Europe/Berlin').timestamp_utc?.iso()).toBe('2024-07-15T08:00:00.000000Z');
    expect(tombstoneTimes('2024-07-15 10:00:00', undefined)).toEqual({ timestamp: '2024-07-15 10:00:00.000000', timestamp_utc: null });
    expect(tombstoneTimes('garbage', 'Europe/Berlin')).toEqual({ timestamp: 'garbage', timestamp_utc: null });
  });

  it('the process name, and the command\'s file name when it differs, are process observables', () => {
    const base = { process_name: 'mtk.ape.decoder', command_line: ['/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek'] } as unknown as TombstoneRecord;
    expect(tombstoneObservables(base)).toEqual([
      { kind: 'process', value: 'mtk.ape.decoder', field: 'process_name' },
      { kind: 'process', value: 'android.hardware.media.c2@1.2-mediatek', field: 'command_line' },
    ]);
    expect(tombstoneObservables({ process_name: 'Unknown', command_line: ['/system/bin/vold --flag'] } as unknown as TombstoneRecord)).toEqual([{ kind: 'process', value: 'vold', field: 'command_line' }]);
  });

  it('the privileged-crash rule: root, system and shell only', () => {
    const at = (uid: number) => rule.check({ uid, process_name: 'p', file_name: 'tombstone_00', timestamp: '2024-01-01 00:00:00.000000', timestamp_utc: null } as unknown as TombstoneRecord).length;
    expect([0, 1000, 2000].map(at)).toEqual([1, 1, 1]);
    expect([1, 1001, 1046, 1999, 2001, 10123, 99000].map(at)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });
});
