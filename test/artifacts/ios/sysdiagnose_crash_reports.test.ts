import { describe, expect, it } from 'vitest';
import crashes, { type CrashReportRecord } from '../../../src/artifacts/ios/sysdiagnose_crash_reports.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import rules from '../../../src/rules/ios/sysdiagnose_crash_reports.js';
import { sysdiagnoseContent, sysdiagnoseFolderName, type SysdiagnosePlant } from '../../../src/synth/sysdiagnose-content.js';
import { parseSource } from '../../helpers/artifacts.js';
import { writeSysdiagnoseTree } from './_sysdiagnose-tree.js';

const folderRule = rules[0] as RecordRule<CrashReportRecord>;

async function parseCrashes(extra: Parameters<typeof writeSysdiagnoseTree>[1] = [], plants: readonly SysdiagnosePlant[] = []) {
  const files = sysdiagnoseContent(5, { plants }).filter((f) => f.path.startsWith('crashes_and_spins/'));
  const tree = writeSysdiagnoseTree(sysdiagnoseFolderName(), [...files, ...extra]);
  try {
    const source = tree.open();
    const result = await parseSource<CrashReportRecord>(crashes, source);
    await source.close();
    return result;
  } finally {
    tree.remove();
  }
}

describe('ios.sysdiagnose_crash_reports on an ordinary generated iPhone', () => {
  it('reads two crashes and the six processes of a jetsam event, and raises nothing', async () => {
    const { records, items, coverage, observables } = await parseCrashes();
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.kind, r.name])).toEqual([
      ['jetsam', 'com.apple.WebKit.WebContent'],
      ['jetsam', 'mediaanalysisd'],
      ['jetsam', 'photoanalysisd'],
      ['jetsam', 'WhatsApp'],
      ['jetsam', 'SpringBoard'],
      ['jetsam', 'backboardd'],
      ['crash', 'nsurlsessiond'],
      ['crash', 'WhatsApp'],
    ]);
    const whatsapp = records.find((r) => r.kind === 'crash' && r.name === 'WhatsApp')!;
    expect(whatsapp).toMatchObject({ bug_type: '309', app_name: 'WhatsApp', bundle_id: 'net.whatsapp.WhatsApp', parent_proc: 'launchd', coalition_name: 'net.whatsapp.WhatsApp', exception_type: 'EXC_CRASH', os_version: 'iPhone OS 17.5.1 (21F90)' });
    expect(whatsapp.report).toBe('WhatsApp-2024-06-19-180405.ips');
    expect(whatsapp.time?.iso()).toBe('2024-06-19T16:04:05.000000Z');
    expect(whatsapp.proc_path).toMatch(/^\/private\/var\/containers\/Bundle\/Application\/[0-9A-F-]{36}\/WhatsApp\.app\/WhatsApp$/);
    expect(records[0]).toMatchObject({ bug_type: '298', pid: 100, jetsam_reason: 'vm-pageshortage', report: 'JetsamEvent-2024-06-26-180405.ips' });
    expect(items[1]!.source.at).toEqual({ key: 'processes/1' });
    expect(observables.filter((o) => o.kind === 'app_id')).toEqual([{ kind: 'app_id', value: 'com.apple.nsurlsessiond', field: 'coalition_name', role: 'mention' }, { kind: 'app_id', value: 'net.whatsapp.WhatsApp', field: 'bundle_id' }]);
    expect(records.flatMap((r) => folderRule.check(r))).toEqual([]);
  });
});

describe('ios.sysdiagnose_crash_reports with a planted crash', () => {
  it('flags the crash of a program under /private/var/db/ (HIGH)', async () => {
    const at = new Date(Date.UTC(2024, 5, 27, 3, 12, 45));
    const { records } = await parseCrashes([], [{ kind: 'crash', procPath: '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', at }]);
    const planted = records.find((r) => r.name === 'roleaccountd')!;
    expect(planted).toMatchObject({ kind: 'crash', proc_path: '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', bundle_id: null });
    expect(folderRule.level).toBe('high');
    expect(folderRule.check(planted)).toEqual([
      {
        message: 'Crash report roleaccountd-2024-06-27-051245.ips is about /private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd, running from /private/var/db/, where Pegasus (e.g. /private/var/db/com.apple.xpc.roleaccountd.staging/) ran',
        eventTime: planted.time,
      },
    ]);
  });
});

describe('ios.sysdiagnose_crash_reports on bad input', () => {
  it('gives one issue per bad report, naming it, and keeps the header of a damaged body', async () => {
    const { records, coverage } = await parseCrashes([
      { path: 'crashes_and_spins/garbage.ips', data: Buffer.from([0x00, 0xff, 0x13, 0x00]) },
      { path: 'crashes_and_spins/notjson.ips', data: 'hello\nworld\n' },
      { path: 'crashes_and_spins/cut-2024.ips', data: '{"bug_type":"309","name":"cutd","timestamp":"2024-06-01 10:00:00.00 +0000"}\n{"procPath":"/usr/libexec/cutd","thr' },
      { path: 'crashes_and_spins/Retired/old-2024.ips', data: '{"bug_type":"109","name":"oldd"}\nProcess:   oldd [77]\nPath:   /usr/libexec/oldd\n' },
    ]);
    const messages = coverage.issues.map((i) => i.message);
    expect(messages).toHaveLength(3);
    expect(messages[0]).toMatch(/^cut-2024\.ips: the body is not valid JSON \(Unterminated string in JSON at position 36.*\); the header alone is read$/);
    expect(messages[1]).toBe('garbage.ips: binary data where text was expected; not read');
    expect(messages[2]).toMatch(/^notjson\.ips: line 1: the header is not JSON \(Unexpected token/);
    expect(records.find((r) => r.name === 'cutd')).toMatchObject({ kind: 'crash', proc_path: null });
    expect(records.find((r) => r.name === 'oldd')).toMatchObject({ kind: 'crash', pid: 77, proc_path: '/usr/libexec/oldd' });
  });
});
