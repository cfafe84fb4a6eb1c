/** Heuristics over crash reports: the crashed program's own path. */
import type { CrashReportRecord } from '../../artifacts/ios/sysdiagnose_crash_reports.js';
import { defineRule } from '../rule.js';
import { pathPolicySource, suspiciousFolder } from './_paths.js';

export default [
  defineRule<CrashReportRecord>({
    id: 'ios.sysdiagnose_crash_reports.suspicious_folder',
    version: 1,
    artifact: 'ios.sysdiagnose_crash_reports',
    level: 'high',
    title: 'A crash of a program that ran from a folder where iOS keeps no programs',
    why: 'This crash report is about a program whose executable sat in /private/var/db/ or /private/var/tmp/, data folders from which Pegasus, Reign and Predator ran their processes and from which no legitimate iOS program runs. Implants crash too, and their reports keep the path.',
    innocent: 'Jailbreak tools and developer or research setups can run binaries from unusual folders. Ask whether the phone was ever jailbroken or used for development.',
    source: pathPolicySource,
    scope: 'record',
    check(r) {
      const folder = r.proc_path ? suspiciousFolder(r.proc_path) : null;
      return folder ? [{ message: `Crash report ${r.report} is about ${r.proc_path}, running from ${folder.folder}, where ${folder.seen} ran`, eventTime: r.time }] : [];
    },
  }),
];
