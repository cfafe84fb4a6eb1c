/**
 * `taskinfo.txt`: the `taskinfo` tool's dump of every Mach task, written by sysdiagnose next to ps.txt. A header
 * line gives `num tasks: N`; each task block starts with `process: "name" [pid] [unique ID: n]` and lists
 * `key: value` lines (`run time: 216 s`, `threads:`), then one indented block per thread (`thread ID: …`).
 * Blocks are found by their `process:` line, so blank-line conventions between iOS versions do not matter.
 */
import { quoted } from './_text.js';

export interface TaskinfoProcess {
  /** 1-based line number of the `process:` line. */
  readonly line: number;
  /** The task's name as the kernel keeps it (p_comm, cut to 32 characters on iOS). */
  readonly name: string;
  readonly pid: number;
  /** Seconds the task had been running when taskinfo ran. */
  readonly run_time_s: number | null;
  /** `thread ID:` lines in the block. */
  readonly threads: number;
  readonly architecture: string | null;
  /** `coalition (type 0) ID`: tasks in one coalition belong to one app or daemon. */
  readonly coalition_id: number | null;
}

export interface TaskinfoDump {
  /** `num tasks:` as written (a count in the evidence, never trusted for sizing). */
  readonly declared_tasks: number | null;
  readonly processes: TaskinfoProcess[];
  readonly skipped: { line: number; reason: string }[];
  readonly truncated: boolean;
}

export interface TaskinfoLimits {
  readonly maxLines: number;
  readonly maxLineChars: number;
}

export const taskinfoLimits: TaskinfoLimits = {
  /** A real dump is tens of thousands of lines (about 40 per thread). */
  maxLines: 2_000_000,
  maxLineChars: 4_096,
};

export class TaskinfoError extends Error {}

const PROCESS = /^process:\s+"(.*)"\s+\[(\d+)\]/;

export function decodeTaskinfo(text: string, limits: TaskinfoLimits = taskinfoLimits): TaskinfoDump {
  const lines = text.split(/\r?\n/);
  const last = Math.min(lines.length, limits.maxLines);
  let declared: number | null = null;
  const processes: TaskinfoProcess[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let current: { line: number; name: string; pid: number; run: number | null; threads: number; arch: string | null; coalition: number | null } | null = null;
  const flush = () => {
    if (current) processes.push({ line: current.line, name: current.name, pid: current.pid, run_time_s: current.run, threads: current.threads, architecture: current.arch, coalition_id: current.coalition });
    current = null;
  };
  for (let i = 0; i < last; i++) {
    const raw = lines[i]!.length > limits.maxLineChars ? lines[i]!.slice(0, limits.maxLineChars) : lines[i]!;
    const line = raw.trim();
    if (line === '') continue;
    if (declared === null && processes.length === 0 && !current) {
      const m = /num tasks:\s*(\d+)/.exec(line);
      if (m) {
        declared = Number(m[1]);
        continue;
      }
    }
    if (line.startsWith('process:')) {
      flush();
      const m = PROCESS.exec(line);
      if (!m) {
        skipped.push({ line: i + 1, reason: `unreadable process line ${quoted(line)}` });
        continue;
      }
      current = { line: i + 1, name: m[1]!, pid: Number(m[2]), run: null, threads: 0, arch: null, coalition: null };
      continue;
    }
    if (!current) continue;
    if (line.startsWith('thread ID:')) {
      current.threads++;
    } else if (current.threads === 0) {
      // Task-level keys come before the first thread block; the same key names inside threads mean something else.
      const run = /^run time:\s*(\d+)\s*s/.exec(line);
      if (run) current.run = Number(run[1]);
      const arch = /^architecture:\s*(\S+)/.exec(line);
      if (arch) current.arch = arch[1]!;
      const coal = /^coalition \(type 0\) ID:\s*(\d+)/.exec(line);
      if (coal) current.coalition = Number(coal[1]);
    }
  }
  flush();
  if (declared === null && processes.length === 0) throw new TaskinfoError('no "num tasks:" header and no "process:" block: not a taskinfo dump');
  return { declared_tasks: declared, processes, skipped, truncated: lines.length > last };
}
