import { decodeAndroidPs, MAX_PS_LINES, type AndroidProcess } from '../../formats/android-ps.js';
import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, readAqfText } from './_aqf.js';

/** One process running when androidqf ran `ps -A`, with MVT's field names. */
export interface AqfProcessRecord {
  readonly user: string;
  readonly pid: number;
  readonly ppid: number;
  readonly virtual_memory_size: number;
  readonly resident_set_size: number;
  readonly wchan: string;
  readonly address: string;
  readonly stat: string;
  readonly proc_name: string;
  /** The SELinux context, when ps printed it (`u:r:untrusted_app:s0`). */
  readonly label: string | null;
}

/** A real table is about 200 KB. */
const MAX_BYTES = 16 * 1024 * 1024;

export function processRecord(p: AndroidProcess): AqfProcessRecord {
  return { user: p.user, pid: p.pid, ppid: p.ppid, virtual_memory_size: p.vsz, resident_set_size: p.rss, wchan: p.wchan, address: p.addr, stat: p.state, proc_name: p.name, label: p.label };
}

/** gatekeeperd runs on every phone; MVT leaves it out of matching because indicators matching it gave false positives. */
const notMatched: ReadonlySet<string> = new Set(['gatekeeperd']);

export default defineArtifact<AqfProcessRecord>({
  id: 'android.aqf_processes',
  version: 1,
  title: 'Running processes (ps.txt)',
  doc: 'The processes running when androidqf ran: a spyware process shows its name here (matched against process and app-id indicators, since an Android app runs under its package name).',
  references: ['https://github.com/mvt-project/androidqf', 'https://man7.org/linux/man-pages/man1/ps.1.html'],
  mvt: { module: 'aqf_processes', className: 'AQFProcesses', renames: { address: 'aprocress' } },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'ps.txt' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const text = await readAqfText(ctx, file, MAX_BYTES);
      if (text === null) continue;
      const decoded = decodeAndroidPs(text);
      if (decoded.skipped.length > 0) {
        const first = decoded.skipped[0]!;
        ctx.warn({ code: 'row-skipped', file, message: `${aqfName(file)}: ${decoded.skipped.length} line(s) not read, the first at line ${first.line}: ${first.reason}` });
      }
      if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${aqfName(file)}: more than ${MAX_PS_LINES} lines; the rest not read` });
      for (const p of decoded.processes) yield { record: processRecord(p), source: at(file, { line: p.line }) } satisfies Parsed<AqfProcessRecord>;
    }
  },
  observables: (r) => {
    if (notMatched.has(r.proc_name)) return [];
    // An app's processes are named after its package, with `:service` for its secondary processes.
    const app = r.proc_name.split(':')[0]!;
    return [
      { kind: 'process', value: r.proc_name, field: 'proc_name' },
      ...(app.includes('.') ? [{ kind: 'app_id' as const, value: app, field: 'proc_name' }] : []),
    ];
  },
});
