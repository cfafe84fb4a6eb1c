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

/**
 * Whether ps's command line and the kernel's task name (taskinfo) agree. ps prints the argv a process keeps in its
 * own memory, which it can rewrite; taskinfo prints the name the kernel gave it from its executable. They agree when
 * the text after the executable's last `/` starts with the kernel's name (which iOS cuts to 32 characters, and which
 * keeps spaces an executable name may have). Only commands that start with an absolute path are judged.
 */
export function namesAgree(command: string, kernelName: string): boolean {
  if (!command.startsWith('/')) return true;
  const path = command.split(/ (?=[-(])/)[0]!;
  const tail = command.slice(path.lastIndexOf('/') + 1);
  return kernelName !== '' && tail.startsWith(kernelName);
}

/** Processes (by pid) whose ps command line names another program than the kernel's name for them. */
export function mismatchedNames(records: readonly SysdiagnoseProcessRecord[]): { record: SysdiagnoseProcessRecord; kernelName: string }[] {
  const kernel = new Map<number, string>();
  for (const r of records) if (r.list === 'taskinfo') kernel.set(r.pid, r.name);
  const out: { record: SysdiagnoseProcessRecord; kernelName: string }[] = [];
  for (const r of records) {
    const kernelName = kernel.get(r.pid);
    if (r.list !== 'ps' || kernelName === undefined || r.command === null || namesAgree(r.command, kernelName)) continue;
    out.push({ record: r, kernelName });
  }
  return out;
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
  defineRule<SysdiagnoseProcessRecord>({
    id: 'ios.sysdiagnose_processes.name_mismatch',
    version: 1,
    artifact: 'ios.sysdiagnose_processes',
    level: 'medium',
    title: 'A process whose command line names another program than the kernel does',
    why: "ps.txt shows the command line a process keeps in its own memory, which the process can rewrite; taskinfo.txt, taken seconds later, shows the name the kernel gave it from the program it runs. For the same process id they should name the same program. A process that rewrote its command line to look like a system daemon is hiding what it is, as implants do to blend in.",
    innocent: 'A process id reused between the two snapshots (a process ended and another started with its id) gives the same mismatch; so can a program that renames itself for display. Check that both snapshots show the process running a long time, and which executable the kernel names.',
    source: 'Tracehound heuristic (issue #9): argv rewriting as a disguise, compared against the kernel\'s task name',
    scope: 'artifact',
    check(records) {
      return mismatchedNames(records).map(({ record, kernelName }) => ({
        record,
        hit: { message: `Process ${record.pid} shows itself as ${record.command} in ps.txt, but the kernel names it "${kernelName}" in taskinfo.txt`, eventTime: record.collected_at },
      }));
    },
  }),
];
