/**
 * Android's `ps -A` table (toybox): `USER PID PPID VSZ RSS WCHAN ADDR S NAME`, optionally with a SELinux
 * `LABEL` column first (`ps -AZ`). WCHAN is blank for some processes on some versions, leaving eight columns;
 * NAME is last and may hold spaces (a renamed thread). Kernel threads are printed `[kthreadd]`.
 */

export interface AndroidProcess {
  readonly label: string | null;
  readonly user: string;
  readonly pid: number;
  readonly ppid: number;
  readonly vsz: number;
  readonly rss: number;
  readonly wchan: string;
  readonly addr: string;
  readonly state: string;
  /** NAME without the brackets of a kernel thread. */
  readonly name: string;
  /** 1-based line in the file. */
  readonly line: number;
}

export interface DecodedPs {
  readonly processes: AndroidProcess[];
  readonly skipped: { line: number; reason: string }[];
  readonly truncated: boolean;
}

/** A phone runs well under two thousand processes; far more lines than that is not one ps table. */
export const MAX_PS_LINES = 100_000;

const INT = /^\d+$/;

/** One row, or why it is not one. */
export function decodePsRow(line: string, lineNo: number): AndroidProcess | string {
  let fields = line.trim().split(/\s+/);
  const label = fields[0]?.startsWith('u:r:') || fields[0]?.startsWith('u:object_r:') ? fields[0] : null;
  if (label !== null) fields = fields.slice(1);
  // Eight columns: WCHAN was blank (the PID columns are numbers, so the gap can only be there).
  if (fields.length === 8) fields = [...fields.slice(0, 5), '', ...fields.slice(5)];
  if (fields.length < 9) return `${fields.length} columns where 9 were expected`;
  const [user, pid, ppid, vsz, rss, wchan, addr, state] = fields as [string, string, string, string, string, string, string, string];
  if (![pid, ppid, vsz, rss].every((v) => INT.test(v))) return 'PID, PPID, VSZ or RSS is not a number';
  const raw = fields.slice(8).join(' ');
  const name = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  return { label, user, pid: Number(pid), ppid: Number(ppid), vsz: Number(vsz), rss: Number(rss), wchan, addr, state, name, line: lineNo };
}

export function decodeAndroidPs(text: string, maxLines = MAX_PS_LINES): DecodedPs {
  const lines = text.split(/\r?\n/);
  const processes: AndroidProcess[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const truncated = lines.length > maxLines;
  lines.slice(0, maxLines).forEach((line, i) => {
    if (line.trim() === '') return;
    // The header, wherever ps was asked to put a LABEL column.
    if (/^(LABEL\s+)?USER\s+PID\s+PPID\b/.test(line.trim())) return;
    const row = decodePsRow(line, i + 1);
    if (typeof row === 'string') skipped.push({ line: i + 1, reason: row });
    else processes.push(row);
  });
  return { processes, skipped, truncated };
}
