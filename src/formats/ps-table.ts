/**
 * The process tables a sysdiagnose keeps: `ps.txt` (one line per process) and `ps_thread.txt` (`ps -M`: one
 * line per process followed by one indented line per thread). Columns are read from the header, never assumed:
 * iOS 16 added PRSNA and F, and `ps_thread.txt` may carry the default `-M` columns (with a COMMAND cut to the
 * column width) before the requested ones (with the full COMMAND last). Only COMMAND may hold spaces.
 */
import { quoted } from './_text.js';

export interface PsProcess {
  /** 1-based line number of the process line. */
  readonly line: number;
  readonly user: string | null;
  readonly uid: number | null;
  readonly pid: number;
  readonly ppid: number | null;
  /** STARTED as printed: `7:47AM`, `Tue09PM`, `14Jan19` (local time, no date or zone to anchor it exactly). */
  readonly started: string | null;
  /** TIME: CPU time used, `0:02.37`. */
  readonly cpu_time: string | null;
  readonly stat: string | null;
  /** The full command line (executable and arguments). */
  readonly command: string;
  /** Thread lines under the process (ps_thread.txt); null when the table has none. */
  readonly threads: number | null;
}

export interface PsTable {
  readonly processes: PsProcess[];
  /** Lines that could not be read as a process or a thread: line number and why. */
  readonly skipped: { line: number; reason: string }[];
  /** True when the table stopped at `maxLines`. */
  readonly truncated: boolean;
}

export interface PsLimits {
  readonly maxLines: number;
  readonly maxLineChars: number;
}

export const psLimits: PsLimits = {
  /** A real table has a few hundred processes and a few thousand threads. */
  maxLines: 200_000,
  /** Longer lines are cut before splitting (a command line is at most a few KB). */
  maxLineChars: 16_384,
};

/** Widest abbreviated COMMAND column accepted (iOS prints 7 characters). */
const MAX_ABBREVIATED_CHARS = 64;

/** Column names that hold numbers we keep. */
const NUMERIC = new Set(['UID', 'PID', 'PPID']);

export class PsTableError extends Error {}

export function decodePsTable(text: string, limits: PsLimits = psLimits): PsTable {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw new PsTableError('empty file: expected a ps header line (USER … PID … COMMAND)');
  const header = lines[headerIndex]!.trim().split(/\s+/);
  const pidCol = header.indexOf('PID');
  const commands = header.reduce<number[]>((acc, h, i) => (h === 'COMMAND' ? [...acc, i] : acc), []);
  if (pidCol < 0 || commands.length === 0 || commands.length > 2 || commands[commands.length - 1] !== header.length - 1) {
    throw new PsTableError(`line ${headerIndex + 1}: not a ps header (expected PID and COMMAND as the last column): ${quoted(lines[headerIndex]!)}`);
  }
  const processes: PsProcess[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let current: { p: PsProcess; threads: number } | null = null;
  const threaded = /^\s/;
  const flush = () => {
    if (current) processes.push(current.threads > 0 ? { ...current.p, threads: current.threads } : current.p);
    current = null;
  };
  const last = Math.min(lines.length, headerIndex + 1 + limits.maxLines);
  for (let i = headerIndex + 1; i < last; i++) {
    const raw = lines[i]!.length > limits.maxLineChars ? lines[i]!.slice(0, limits.maxLineChars) : lines[i]!;
    if (raw.trim() === '') continue;
    if (threaded.test(raw)) {
      // A thread line: no USER and no COMMAND; its PID is the first number, which must be the current process's.
      const pid = Number(raw.trim().split(/\s+/)[0]);
      if (current && pid === current.p.pid) current.threads++;
      else skipped.push({ line: i + 1, reason: `thread line for pid ${quoted(raw.trim().split(/\s+/)[0]!, 20)} outside its process` });
      continue;
    }
    const row = splitRow(raw, header, commands);
    if (typeof row === 'string') {
      skipped.push({ line: i + 1, reason: row });
      continue;
    }
    flush();
    const pid = Number(row.PID);
    const num = (k: string) => (row[k] !== undefined && /^-?\d+$/.test(row[k]) ? Number(row[k]) : null);
    current = {
      p: {
        line: i + 1,
        user: row.USER ?? null,
        uid: num('UID'),
        pid,
        ppid: num('PPID'),
        started: row.STARTED ?? null,
        cpu_time: row.TIME ?? null,
        stat: row.STAT ?? null,
        command: row.COMMAND!,
        threads: null,
      },
      threads: 0,
    };
  }
  flush();
  return { processes, skipped, truncated: lines.length > last };
}

/**
 * Splits one process line by the header: fixed columns are single tokens; with two COMMAND columns, the first
 * (cut to its width, so it may end mid-word or hold a space) is the prefix of the last, which finds it.
 */
function splitRow(line: string, header: readonly string[], commands: readonly number[]): Record<string, string> | string {
  const tokens = tokenize(line);
  const out: Record<string, string> = {};
  const firstCmd = commands[0]!;
  if (tokens.length < firstCmd) return `${tokens.length} columns where the header has ${header.length}`;
  for (let c = 0; c < firstCmd; c++) out[header[c]!] = tokens[c]!.text;
  const restStart = firstCmd < tokens.length ? tokens[firstCmd]!.start : line.length;
  const rest = line.slice(restStart).trimEnd();
  if (commands.length === 1) {
    out.COMMAND = rest;
  } else {
    const middle = header.slice(firstCmd + 1, commands[1]);
    const split = splitAbbreviated(rest, middle.length);
    if (!split) return `no full command matching the abbreviated one in ${quoted(rest)}`;
    middle.forEach((h, k) => (out[h] = split.middle[k]!));
    out.COMMAND = split.full;
  }
  for (const k of NUMERIC) if (out[k] !== undefined && !/^-?\d+$/.test(out[k])) return `${k} is ${quoted(out[k], 20)}, expected a number`;
  if (out.PID === undefined) return 'no PID';
  if (!out.COMMAND) return 'no command';
  return out;
}

/** `abbrev m1 … mN full`: tries each place the abbreviated command could end, keeping the one the full command starts with. */
function splitAbbreviated(rest: string, n: number): { middle: string[]; full: string } | null {
  const tokens = tokenize(rest);
  for (let a = 1; a + n <= tokens.length; a++) {
    const abbrev = rest.slice(0, tokens[a - 1]!.start + tokens[a - 1]!.text.length);
    // The cut command is as wide as its column (7 characters on iOS): longer candidates cannot be it, and trying
    // them all would make a hostile line of thousands of words quadratic.
    if (abbrev.length > MAX_ABBREVIATED_CHARS) return null;
    const middle = tokens.slice(a, a + n).map((t) => t.text);
    const fullStart = a + n < tokens.length ? tokens[a + n]!.start : rest.length;
    const full = rest.slice(fullStart).trim();
    if (full.startsWith(abbrev) && middle.length === n) return { middle, full };
  }
  return null;
}

function tokenize(s: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const re = /\S+/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ text: m[0], start: m.index });
  return out;
}


/**
 * The executable of a command line. Arguments are cut at the first ` -` or ` (` (`/usr/libexec/UserEventAgent
 * (System)`); a path whose last folder has a space (`…/My App.app/My App`) keeps the space-free file name's
 * first word, the one guess a flat text table allows.
 */
export function executableOf(command: string): string {
  const noArgs = command.split(/ (?=[-(])/)[0]!.trim();
  if (!noArgs.startsWith('/')) return noArgs.split(/\s+/)[0]!;
  const slash = noArgs.lastIndexOf('/');
  const space = noArgs.indexOf(' ', slash);
  return space < 0 ? noArgs : noArgs.slice(0, space);
}

/** The file name of an executable path (`/usr/sbin/wifid` → `wifid`). */
export function processNameOf(executable: string): string {
  const slash = executable.lastIndexOf('/');
  return slash < 0 ? executable : executable.slice(slash + 1);
}
