import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import processes, { decodeProcessList, startedAgeSeconds, type SysdiagnoseProcessRecord } from '../../../src/artifacts/ios/sysdiagnose_processes.js';
import { sysdiagnoseClock } from '../../../src/artifacts/ios/_sysdiagnose.js';
import { sysdiagnoseContent, sysdiagnoseFolderName } from '../../../src/synth/sysdiagnose-content.js';
import { plainDescription } from '../../../src/report/native.js';
import { parseSource } from '../../helpers/artifacts.js';
import { snapshotTree } from '../../helpers/tree.js';
import { writeSysdiagnoseTree, type SysdiagnoseTree } from './_sysdiagnose-tree.js';

const name = sysdiagnoseFolderName();

describe('ios.sysdiagnose_processes on a generated ordinary iPhone', () => {
  let tree: SysdiagnoseTree;
  beforeAll(() => {
    tree = writeSysdiagnoseTree(name, sysdiagnoseContent(7));
  });
  afterAll(() => tree.remove());

  it('reads the three snapshots: the same daemons in each, with the collection time from the folder name', async () => {
    const before = snapshotTree(tree.root);
    const source = tree.open();
    const { records, items, coverage, timeline, observables } = await parseSource<SysdiagnoseProcessRecord>(processes, source);
    await source.close();
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    const by = (list: string) => records.filter((r) => r.list === list);
    expect(by('ps').length).toBeGreaterThan(150);
    // ps itself is only in ps.txt and taskinfo only in taskinfo.txt: the rest is the same set of pids.
    expect(by('ps').length).toBe(by('ps_thread').length + 1);
    expect(by('taskinfo').length).toBe(by('ps_thread').length + 1);

    const launchd = records.filter((r) => r.pid === 1);
    expect(launchd.map((r) => [r.list, r.name, r.executable, r.user, r.ppid])).toEqual([
      ['ps', 'launchd', '/sbin/launchd', 'root', 0],
      ['ps_thread', 'launchd', '/sbin/launchd', 'root', 0],
      ['taskinfo', 'launchd', null, null, null],
    ]);
    expect(launchd[0]!.collected_at?.iso()).toBe('2024-06-28T16:04:05.000000Z');
    // launchd started days ago: STARTED is a date, taskinfo counts the seconds.
    expect(launchd[0]!.running_for_s).toBe(6 * 3600);
    expect(launchd[2]!.running_for_s).toBeGreaterThan(3 * 86400);
    expect(launchd[1]!.threads).toBeGreaterThan(2);

    const uea = records.find((r) => r.list === 'ps' && r.command === '/usr/libexec/UserEventAgent (System)')!;
    expect(uea).toMatchObject({ name: 'UserEventAgent', executable: '/usr/libexec/UserEventAgent', user: 'root', uid: 0, ppid: 1 });
    expect(items.find((i) => i.record === uea)!.source.at).toEqual({ line: 3 });

    // ps.txt says what ran at collection; taskinfo when each task started, to the second.
    expect(timeline.filter((e) => e.event === 'process_running')).toHaveLength(by('ps').length);
    expect(timeline.filter((e) => e.event === 'process_started')).toHaveLength(by('taskinfo').length);
    expect(launchd[2]!.started_at!.unixSeconds).toBe(launchd[2]!.collected_at!.unixSeconds - launchd[2]!.running_for_s!);
    expect(plainDescription(timeline[0]!.description)).toBe('/sbin/launchd (PID 1, user root) running at collection (ps.txt)');
    expect(observables.filter((o) => o.value === '/sbin/launchd')).toEqual([
      { kind: 'file_path', value: '/sbin/launchd', field: 'executable' },
      { kind: 'file_path', value: '/sbin/launchd', field: 'executable' },
    ]);
    expect(observables.filter((o) => o.kind === 'process' && o.value === 'launchd')).toHaveLength(3);
    expect(snapshotTree(tree.root)).toEqual(before);
  });
});

describe('ios.sysdiagnose_processes on bad input', () => {
  it('gives one issue per unreadable file, naming it, and reads the others', async () => {
    const good = sysdiagnoseContent(7).filter((f) => f.path === 'ps.txt');
    const tree = writeSysdiagnoseTree(name, [
      ...good,
      { path: 'ps_thread.txt', data: Buffer.from([0x62, 0x70, 0x00, 0xff, 0x00, 0x13]) },
      { path: 'taskinfo.txt', data: '{"not": "taskinfo"}\n' },
    ]);
    try {
      const source = tree.open();
      const { records, coverage } = await parseSource<SysdiagnoseProcessRecord>(processes, source);
      await source.close();
      expect(records.every((r) => r.list === 'ps')).toBe(true);
      expect(records.length).toBeGreaterThan(150);
      expect(coverage.issues.map((i) => i.message)).toEqual([
        'ps_thread.txt: binary data where text was expected; not read',
        'taskinfo.txt: no "num tasks:" header and no "process:" block: not a taskinfo dump',
      ]);
    } finally {
      tree.remove();
    }
  });

  it('is empty, not failed, for a sysdiagnose without process lists', async () => {
    const tree = writeSysdiagnoseTree(name, []);
    try {
      const source = tree.open();
      const { records, coverage } = await parseSource<SysdiagnoseProcessRecord>(processes, source);
      await source.close();
      expect(records).toEqual([]);
      expect(coverage.state).not.toBe('failed');
    } finally {
      tree.remove();
    }
  });
});

describe('startedAgeSeconds', () => {
  const clock = sysdiagnoseClock('sysdiagnose_2024.06.28_18-04-05+0200_iPhone-OS_iPhone_21F90')!;
  it('measures a same-day STARTED against the local collection time', () => {
    expect(startedAgeSeconds('6:04PM', clock)).toBe(0);
    expect(startedAgeSeconds('5:59PM', clock)).toBe(5 * 60);
    expect(startedAgeSeconds('12:04PM', clock)).toBe(6 * 3600);
  });
  it('gives older forms as at least hours old, and nothing for what it cannot read', () => {
    expect(startedAgeSeconds('Tue09PM', clock)).toBe(6 * 3600);
    expect(startedAgeSeconds('14Jan19', clock)).toBe(6 * 3600);
    expect(startedAgeSeconds('garbage', clock)).toBeNull();
    expect(startedAgeSeconds('6:04PM', null)).toBeNull();
  });
});

describe('decodeProcessList', () => {
  it('keeps taskinfo names as the kernel gives them', () => {
    const { items } = decodeProcessList('num tasks: 1\n\nprocess: "bh" [222] [unique ID: 9]\nrun time: 5000 s\nthreads:\n\tthread ID: 0x1 / 1\n', 'taskinfo', null);
    expect(items.map((i) => i.record)).toEqual([
      { list: 'taskinfo', pid: 222, ppid: null, user: null, uid: null, started: null, running_for_s: 5000, threads: 1, command: null, executable: null, name: 'bh', collected_at: null, started_at: null },
    ]);
  });
});
