/**
 * Heuristics over the three process snapshots of a sysdiagnose: a process only one snapshot shows, and a
 * process running from a folder where iOS never keeps executables.
 */
import type { ProcessList, SysdiagnoseProcessRecord } from '../../artifacts/ios/sysdiagnose_processes.js';
import { defineRule, type RuleHit } from '../rule.js';
import { pathPolicySource, suspiciousFolder } from './_paths.js';

/**
 * The tools sysdiagnose runs while it collects: each is alive during its own snapshot only, by construction,
 * and so are their children.
 */
export const collectorNames: ReadonlySet<string> = new Set([
  'sysdiagnose',
  'sysdiagnose_helper',
  'sysdiagnosed',
  'ps',
  'taskinfo',
  'spindump',
  'tailspin',
  'stackshot',
  'footprint',
  'vmmap',
  'zprint',
  'vm_stat',
  'lsof',
  'log',
]);

/** Younger than this at collection, a process may have started or ended between snapshots taken seconds apart. */
export const youngProcessSeconds = 120;

const fileOf = (list: ProcessList) => `${list}.txt`;

/**
 * Processes present in exactly one snapshot while at least one other was taken, after setting aside what the
 * gap between snapshots explains: the collectors and their children, processes younger than two minutes,
 * and processes whose pid is above every pid of a snapshot that misses them (they started after it).
 */
export function singleListProcesses(records: readonly SysdiagnoseProcessRecord[]): { record: SysdiagnoseProcessRecord; missingFrom: ProcessList[] }[] {
  const lists = new Set(records.map((r) => r.list));
  if (lists.size < 2) return [];
  const byPid = new Map<number, SysdiagnoseProcessRecord[]>();
  const maxPid = new Map<ProcessList, number>();
  const collectorPids = new Set<number>();
  for (const r of records) {
    byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r]);
    maxPid.set(r.list, Math.max(maxPid.get(r.list) ?? 0, r.pid));
    if (collectorNames.has(r.name)) collectorPids.add(r.pid);
  }
  const out: { record: SysdiagnoseProcessRecord; missingFrom: ProcessList[] }[] = [];
  for (const [pid, seen] of byPid) {
    const present = new Set(seen.map((r) => r.list));
    if (present.size !== 1) continue;
    const record = seen[0]!;
    if (collectorPids.has(pid) || (record.ppid !== null && collectorPids.has(record.ppid))) continue;
    if (record.running_for_s !== null && record.running_for_s < youngProcessSeconds) continue;
    const missingFrom = [...lists].filter((l) => !present.has(l));
    if (missingFrom.some((l) => pid > (maxPid.get(l) ?? 0))) continue;
    out.push({ record, missingFrom });
  }
  return out.sort((a, b) => a.record.pid - b.record.pid);
}

export default [
  defineRule<SysdiagnoseProcessRecord>({
    id: 'ios.sysdiagnose_processes.single_list',
    version: 1,
    artifact: 'ios.sysdiagnose_processes',
    level: 'medium',
    title: 'A process listed in one process snapshot and missing from the others',
    why: 'A sysdiagnose lists the running processes three times within seconds (ps.txt, ps_thread.txt, taskinfo.txt). An established process that one listing shows and the others do not is either hiding from some tools or was started and stopped in the gap; implants that hide from process listings, or that run only briefly, leave this kind of gap.',
    innocent: 'Short-lived helpers and on-demand system services start and exit all the time; this rule sets aside the collection tools, processes younger than two minutes and processes started after a snapshot, but a daemon that exits when idle can still fall in the gap. Check the name and path against a clean phone of the same iOS version.',
    source: 'Tracehound heuristic (issue #9); process-list comparison as in https://github.com/EC-DIGIT-CSIRC/sysdiagnose',
    scope: 'artifact',
    check(records) {
      return singleListProcesses(records).map(({ record, missingFrom }) => ({
        record,
        hit: {
          message: `Process ${record.command ?? record.name} (PID ${record.pid}) is listed in ${fileOf(record.list)} but not in ${missingFrom.map(fileOf).join(' or ')}, taken seconds apart`,
          eventTime: record.collected_at,
        },
      }));
    },
  }),
  defineRule<SysdiagnoseProcessRecord>({
    id: 'ios.sysdiagnose_processes.suspicious_folder',
    version: 1,
    artifact: 'ios.sysdiagnose_processes',
    level: 'high',
    title: 'A process running from a folder where iOS keeps no programs',
    why: 'iOS runs programs from its sealed system volume and from app bundles. Pegasus ran its processes from /private/var/db/ and Reign and Predator from /private/var/tmp/, data folders where no legitimate iOS program lives; a process running from there when the sysdiagnose was taken is a strong sign of an implant.',
    innocent: 'Jailbreak tools and developer or research setups can run binaries from unusual folders. Ask whether the phone was ever jailbroken or used for development.',
    source: pathPolicySource,
    scope: 'artifact',
    check(records) {
      const seen = new Set<string>();
      const out: { record: SysdiagnoseProcessRecord; hit: RuleHit }[] = [];
      for (const record of records) {
        const folder = record.executable ? suspiciousFolder(record.executable) : null;
        const key = `${record.pid}|${record.executable}`;
        if (!folder || seen.has(key)) continue;
        seen.add(key);
        out.push({
          record,
          hit: { message: `Process ${record.executable} (PID ${record.pid}) was running from ${folder.folder}, where ${folder.seen} ran`, eventTime: record.collected_at },
        });
      }
      return out;
    },
  }),
];
