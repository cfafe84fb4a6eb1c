import { decodePsTable, executableOf, processNameOf, PsTableError } from '../../formats/ps-table.js';
import { decodeTaskinfo, TaskinfoError } from '../../formats/taskinfo.js';
import { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { clockOf, fileName, readBoundedText, type SysdiagnoseClock } from './_sysdiagnose.js';

/** The three process snapshots a sysdiagnose takes a few seconds apart, by file. */
export const processLists = { 'ps.txt': 'ps', 'ps_thread.txt': 'ps_thread', 'taskinfo.txt': 'taskinfo' } as const;
export type ProcessList = (typeof processLists)[keyof typeof processLists];

/**
 * One process in one of the snapshots. ps gives the command line, user and parent; taskinfo gives only the
 * kernel's name for the task and how long it had run. A process in one snapshot and not the others is what
 * the cross-list rule looks for.
 */
export interface SysdiagnoseProcessRecord {
  readonly list: ProcessList;
  readonly pid: number;
  readonly ppid: number | null;
  readonly user: string | null;
  readonly uid: number | null;
  /** ps STARTED as printed (local time, minute precision at best). */
  readonly started: string | null;
  /** Seconds it had been running at collection: taskinfo's run time, or from a same-day STARTED; null when unknown. */
  readonly running_for_s: number | null;
  readonly threads: number | null;
  /** The full command line (ps only). */
  readonly command: string | null;
  /** The executable path (ps only; a bare name when ps shows no path). */
  readonly executable: string | null;
  /** The file name of the executable, or taskinfo's task name. */
  readonly name: string;
  /** The collection time from the sysdiagnose's name. */
  readonly collected_at: Moment | null;
  /** When it started, to the second: the collection time less taskinfo's run time (taskinfo only). */
  readonly started_at: Moment | null;
}

/** A real ps table is well under 1 MB, a taskinfo dump tens of MB. */
const MAX_BYTES: Record<ProcessList, number> = { ps: 16 * 1024 * 1024, ps_thread: 64 * 1024 * 1024, taskinfo: 256 * 1024 * 1024 };

/**
 * Minutes between a same-day STARTED (`7:47AM`, `12:05PM`) and the collection's local wall clock; older forms
 * (`Tue09PM`, `14Jan19`) say the process is at least hours old, which is all the rules need to know.
 */
export function startedAgeSeconds(started: string | null, clock: SysdiagnoseClock | null): number | null {
  if (!started || !clock) return null;
  const m = /^(\d{1,2}):(\d{2})(AM|PM)$/.exec(started);
  if (!m) return /^[A-Z][a-z]{2}\d{2}(AM|PM)$|^\d{1,2}[A-Z][a-z]{2}\d{2}$/.test(started) ? 6 * 3600 : null;
  const hour = (Number(m[1]) % 12) + (m[3] === 'PM' ? 12 : 0);
  const local = new Date((clock.collectedAt.unixSeconds + clock.offsetMinutes * 60) * 1000);
  const nowMin = local.getUTCHours() * 60 + local.getUTCMinutes();
  const age = (nowMin - (hour * 60 + Number(m[2])) + 1440) % 1440;
  return age * 60;
}

export function decodeProcessList(text: string, list: ProcessList, clock: SysdiagnoseClock | null): { items: { record: SysdiagnoseProcessRecord; line: number }[]; skipped: { line: number; reason: string }[]; truncated: boolean } {
  const collected_at = clock?.collectedAt ?? null;
  if (list === 'taskinfo') {
    const dump = decodeTaskinfo(text);
    return {
      items: dump.processes.map((p) => ({
        line: p.line,
        record: {
          list,
          pid: p.pid,
          ppid: null,
          user: null,
          uid: null,
          started: null,
          running_for_s: p.run_time_s,
          threads: p.threads,
          command: null,
          executable: null,
          name: p.name,
          collected_at,
          started_at: collected_at && p.run_time_s !== null ? Moment.fromUnixSeconds(collected_at.unixSeconds - p.run_time_s, 'iso', `${collected_at.iso()} - ${p.run_time_s} s`) : null,
        },
      })),
      skipped: dump.skipped,
      truncated: dump.truncated,
    };
  }
  const table = decodePsTable(text);
  return {
    items: table.processes.map((p) => {
      const executable = executableOf(p.command);
      return {
        line: p.line,
        record: {
          list,
          pid: p.pid,
          ppid: p.ppid,
          user: p.user,
          uid: p.uid,
          started: p.started,
          running_for_s: startedAgeSeconds(p.started, clock),
          threads: p.threads,
          command: p.command,
          executable,
          name: processNameOf(executable),
          collected_at,
          started_at: null,
        },
      };
    }),
    skipped: table.skipped,
    truncated: table.truncated,
  };
}

export default defineArtifact<SysdiagnoseProcessRecord>({
  id: 'ios.sysdiagnose_processes',
  version: 1,
  title: 'Running processes at collection (ps.txt, ps_thread.txt, taskinfo.txt)',
  doc: 'Three snapshots of the processes running when the sysdiagnose was taken, seconds apart: a spyware process shows its name and executable path here, and one that appears in one snapshot but not the others, or runs from a data folder, deserves a look.',
  references: ['https://github.com/EC-DIGIT-CSIRC/sysdiagnose', 'https://securelist.com/shutdown-log-lightweight-ios-malware-detection-method/111734/'],
  inputs: { 'ios-sysdiagnose': Object.keys(processLists).map((pattern) => ({ by: 'path-glob' as const, pattern })) },
  inputMode: 'all',
  async *parse(ctx) {
    const clock = clockOf(ctx);
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const name = fileName(file) as keyof typeof processLists;
      const list = processLists[name];
      if (!list) continue;
      const text = await readBoundedText(ctx, file, MAX_BYTES[list], name);
      if (text === null) continue;
      let decoded: ReturnType<typeof decodeProcessList>;
      try {
        decoded = decodeProcessList(text, list, clock);
      } catch (err) {
        if (!(err instanceof PsTableError || err instanceof TaskinfoError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${err.message}` });
        continue;
      }
      if (decoded.skipped.length > 0) {
        const first = decoded.skipped[0]!;
        ctx.warn({ code: 'row-skipped', file, message: `${name}: ${decoded.skipped.length} line(s) not read, the first at line ${first.line}: ${first.reason}` });
      }
      if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${name}: stopped after the line limit; later processes not read` });
      for (const { record, line } of decoded.items) yield { record, source: at(file, { line }) } satisfies Parsed<SysdiagnoseProcessRecord>;
    }
  },
  // A snapshot is state, not an event: ps.txt says what ran at collection, taskinfo when each task started.
  timeline: (r) => {
    if (r.list === 'taskinfo') return r.started_at ? [{ time: r.started_at, event: 'process_started', description: described`Task ${r.name} (PID ${r.pid}) started, running ${r.running_for_s} s at collection (taskinfo.txt)` }] : [];
    if (r.list === 'ps') return [{ time: r.collected_at, event: 'process_running', description: described`${r.command} (PID ${r.pid}, user ${r.user}) running at collection (ps.txt)` }];
    return [];
  },
  observables: (r) => {
    const out: Observable[] = [{ kind: 'process', value: r.name, field: 'name' }];
    if (r.executable?.startsWith('/')) out.push({ kind: 'file_path', value: r.executable, field: 'executable' });
    return out;
  },
});
