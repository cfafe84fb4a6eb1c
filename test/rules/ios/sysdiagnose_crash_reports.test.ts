import { describe, expect, it } from 'vitest';
import type { CrashReportRecord } from '../../../src/artifacts/ios/sysdiagnose_crash_reports.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import rules from '../../../src/rules/ios/sysdiagnose_crash_reports.js';

const rule = rules.find((r) => r.id === 'ios.sysdiagnose_crash_reports.suspicious_folder') as RecordRule<CrashReportRecord>;

const crash = (proc_path: string | null): CrashReportRecord => ({
  report: 'x-2024-06-01-100000.ips',
  kind: 'crash',
  bug_type: '309',
  time: null,
  os_version: null,
  incident_id: null,
  name: 'x',
  app_name: null,
  bundle_id: null,
  proc_path,
  parent_proc: 'launchd',
  coalition_name: null,
  pid: 7,
  exception_type: 'EXC_CRASH',
  jetsam_reason: null,
});

describe('ios.sysdiagnose_crash_reports.suspicious_folder', () => {
  it('fires (HIGH) on a crashed program under /private/var/tmp/ or its /tmp link', () => {
    expect(rule.level).toBe('high');
    expect(rule.check(crash('/tmp/updated')).map((h) => h.message)).toEqual(['Crash report x-2024-06-01-100000.ips is about /tmp/updated, running from /private/var/tmp/, where Reign and Predator ran']);
  });

  it('stays quiet for system daemons, App Store apps and reports without a path', () => {
    expect(rule.check(crash('/usr/libexec/nsurlsessiond'))).toEqual([]);
    expect(rule.check(crash('/private/var/containers/Bundle/Application/1EC2/Signal.app/Signal'))).toEqual([]);
    expect(rule.check(crash(null))).toEqual([]);
  });
});
