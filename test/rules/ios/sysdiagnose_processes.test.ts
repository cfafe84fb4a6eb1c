import { beforeAll, describe, expect, it } from 'vitest';
import processes, { type SysdiagnoseProcessRecord } from '../../../src/artifacts/ios/sysdiagnose_processes.js';
import type { ArtifactRule } from '../../../src/rules/rule.js';
import rules, { namesAgree, singleListProcesses } from '../../../src/rules/ios/sysdiagnose_processes.js';
import { canonicalDevicePath, suspiciousFolder } from '../../../src/rules/ios/_paths.js';
import { sysdiagnoseContent, sysdiagnoseFolderName, type SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeSysdiagnoseTree } from '../../artifacts/ios/_sysdiagnose-tree.js';

const rule = (id: string) => rules.find((r) => r.id === id) as ArtifactRule<SysdiagnoseProcessRecord>;
const singleList = rule('ios.sysdiagnose_processes.single_list');
const folder = rule('ios.sysdiagnose_processes.suspicious_folder');
const mismatch = rule('ios.sysdiagnose_processes.name_mismatch');

async function recordsOf(plants: readonly SysdiagnosePlant[]): Promise<SysdiagnoseProcessRecord[]> {
  const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), sysdiagnoseContent(11, { plants }));
  try {
    const source = tree.open();
    const { records } = await parseSource<SysdiagnoseProcessRecord>(processes, source);
    await source.close();
    return records;
  } finally {
    tree.remove();
  }
}

const messages = (r: ArtifactRule<SysdiagnoseProcessRecord>, records: readonly SysdiagnoseProcessRecord[]) => r.check(records).map((h) => h.hit.message);

describe('process snapshot heuristics on an ordinary generated iPhone', () => {
  let clean: SysdiagnoseProcessRecord[];
  beforeAll(async () => {
    clean = await recordsOf([]);
  });

  it('raise nothing: ps and taskinfo, each only in its own snapshot, are the collection tools', () => {
    expect(clean.some((r) => r.name === 'ps')).toBe(true);
    expect(messages(singleList, clean)).toEqual([]);
    expect(messages(folder, clean)).toEqual([]);
    expect(messages(mismatch, clean)).toEqual([]);
  });
});

describe('process snapshot heuristics with a planted implant', () => {
  let planted: SysdiagnoseProcessRecord[];
  const bh = '/private/var/db/com.apple.xpc.roleaccountd.staging/bh';
  beforeAll(async () => {
    planted = await recordsOf([{ kind: 'process', path: bh, lists: ['taskinfo'] }]);
  });

  it('flag a long-running process seen by taskinfo only (MEDIUM)', () => {
    const pid = planted.find((r) => r.name === 'bh')!.pid;
    expect(singleList.level).toBe('medium');
    expect(messages(singleList, planted)).toEqual([`Process bh (PID ${pid}) is listed in taskinfo.txt but not in ps.txt or ps_thread.txt, taken seconds apart`]);
  });

  it('flag the /private/var/db/ path once per process (HIGH), from ps.txt and ps_thread.txt alike', async () => {
    const everywhere = await recordsOf([{ kind: 'process', path: bh }]);
    const pid = everywhere.find((r) => r.name === 'bh')!.pid;
    expect(folder.level).toBe('high');
    expect(messages(folder, everywhere)).toEqual([
      `Process ${bh} (PID ${pid}) was running from /private/var/db/, where Pegasus (e.g. /private/var/db/com.apple.xpc.roleaccountd.staging/) ran`,
    ]);
    expect(messages(singleList, everywhere)).toEqual([]);
  });
});

describe('singleListProcesses: what the gap between snapshots explains', () => {
  const rec = (list: SysdiagnoseProcessRecord['list'], pid: number, name: string, extra: Partial<SysdiagnoseProcessRecord> = {}): SysdiagnoseProcessRecord => ({
    list,
    pid,
    ppid: 1,
    user: 'root',
    uid: 0,
    started: null,
    running_for_s: 86400,
    threads: null,
    command: `/usr/libexec/${name}`,
    executable: `/usr/libexec/${name}`,
    name,
    collected_at: null,
    started_at: null,
    ...extra,
  });
  const base = [rec('ps', 1, 'launchd'), rec('taskinfo', 1, 'launchd'), rec('ps', 500, 'configd'), rec('taskinfo', 500, 'configd')];

  it('needs two snapshots to compare', () => {
    expect(singleListProcesses([rec('ps', 1, 'launchd'), rec('ps', 2, 'x')])).toEqual([]);
  });

  it('sets aside a process younger than two minutes (started or ended between snapshots)', () => {
    expect(singleListProcesses([...base, rec('ps', 300, 'helper', { running_for_s: 60 })])).toEqual([]);
    expect(singleListProcesses([...base, rec('ps', 300, 'helper', { running_for_s: 180 })]).map((h) => h.record.name)).toEqual(['helper']);
  });

  it('sets aside a process whose pid is above every pid of the snapshot missing it (it started after)', () => {
    expect(singleListProcesses([...base, rec('taskinfo', 900, 'late')])).toEqual([]);
  });

  it('sets aside the collectors and their children', () => {
    const sd = [rec('ps', 400, 'sysdiagnose'), rec('taskinfo', 400, 'sysdiagnose')];
    expect(singleListProcesses([...base, ...sd, rec('ps', 420, 'spindump'), rec('taskinfo', 450, 'child', { ppid: 400 })])).toEqual([]);
  });

  it('reports an established process missing from the other snapshot', () => {
    expect(singleListProcesses([...base, rec('taskinfo', 77, 'bh')]).map((h) => [h.record.name, h.missingFrom])).toEqual([['bh', ['ps']]]);
  });
});

describe('the path policy shared with shutdown.log', () => {
  it.each([
    ['/private/var/db/com.apple.xpc.roleaccountd.staging/bh', '/private/var/db/'],
    ['/var/db/x/y', '/private/var/db/'],
    ['/private/var/tmp/UpdateHelper', '/private/var/tmp/'],
    ['/tmp/x', '/private/var/tmp/'],
  ])('%s is in %s', (path, expected) => {
    expect(suspiciousFolder(path)?.folder).toBe(expected);
  });

  it.each(['/usr/libexec/logd', '/private/var/containers/Bundle/Application/X/A.app/A', '/private/var/mobile/Library/x', '/private/var/dbx/y', 'bh', '/System/Library/PrivateFrameworks/X.framework/x'])(
    '%s is not suspicious',
    (path) => {
      expect(suspiciousFolder(path)).toBeNull();
    },
  );

  it('resolves the standard links', () => {
    expect(canonicalDevicePath('/var/mobile')).toBe('/private/var/mobile');
    expect(canonicalDevicePath('/private/var/db')).toBe('/private/var/db');
  });
});

describe('a process that rewrote its command line', () => {
  it('is flagged when ps shows a system daemon and the kernel names another program (MEDIUM)', async () => {
    const records = await recordsOf([{ kind: 'process', path: '/usr/libexec/updaterd', psCommand: '/usr/libexec/mediaserverd' }]);
    const pid = records.find((r) => r.list === 'taskinfo' && r.name === 'updaterd')!.pid;
    expect(mismatch.level).toBe('medium');
    expect(messages(mismatch, records)).toEqual([`Process ${pid} shows itself as /usr/libexec/mediaserverd in ps.txt, but the kernel names it "updaterd" in taskinfo.txt`]);
  });

  it.each([
    ['/usr/libexec/UserEventAgent (System)', 'UserEventAgent'],
    ['/private/var/containers/Bundle/Application/0F3C/My App.app/My App -launchedBy x', 'My App'],
    ['/System/Library/PrivateFrameworks/X.framework/TGOnDeviceInferenceProviderService', 'TGOnDeviceInferenceProviderServi'],
    ['/System/Library/Frameworks/WebKit.framework/XPCServices/com.apple.WebKit.WebContent.xpc/com.apple.WebKit.WebContent', 'com.apple.WebKit'],
    ['kernel_task', 'kernel_task'],
    ['-zsh', 'zsh'],
  ])('%s agrees with "%s"', (command, kernelName) => {
    expect(namesAgree(command, kernelName)).toBe(true);
  });

  it.each([
    ['/usr/libexec/mediaserverd', 'updaterd'],
    ['/usr/sbin/wifid', ''],
  ])('%s does not agree with "%s"', (command, kernelName) => {
    expect(namesAgree(command, kernelName)).toBe(false);
  });
});
