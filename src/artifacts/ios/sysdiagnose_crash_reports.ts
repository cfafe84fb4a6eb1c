import { decodeIps, ipsTimestamp, isObject, IpsError, type IpsReport } from '../../formats/ips.js';
import { Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { fileName, readBoundedText } from './_sysdiagnose.js';

export type CrashReportKind = 'crash' | 'jetsam' | 'other';

/**
 * One diagnostic report, or for a jetsam event one process it lists. A crash names the process that died, its
 * executable path and app; a jetsam event lists every process alive when memory ran out, so a spyware process
 * that never crashed still leaves its name there.
 */
export interface CrashReportRecord {
  /** The report's file name (`WhatsApp-2024-06-19-180405.ips`). */
  readonly report: string;
  readonly kind: CrashReportKind;
  /** Header `bug_type` (`309` crash, `298` jetsam, `109` older crash, …). */
  readonly bug_type: string | null;
  readonly time: Moment | null;
  readonly os_version: string | null;
  readonly incident_id: string | null;
  /** The process the report is about (header `name`, body `procName`, or the jetsam entry's `name`). */
  readonly name: string | null;
  readonly app_name: string | null;
  readonly bundle_id: string | null;
  readonly proc_path: string | null;
  readonly parent_proc: string | null;
  readonly coalition_name: string | null;
  readonly pid: number | null;
  /** `EXC_CRASH`, … (crashes). */
  readonly exception_type: string | null;
  /** Jetsam: why this process was killed (`vm-pageshortage`, `per-process-limit`), absent for survivors. */
  readonly jetsam_reason: string | null;
}

/** Crashes and stackshots reach a few MB; beyond this a file is not a report. */
const MAX_BYTES = 32 * 1024 * 1024;
/** A jetsam event lists the few hundred running processes. */
const MAX_JETSAM_PROCESSES = 5_000;

const CRASH_TYPES = new Set(['109', '309']);

const s = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

function moment(value: unknown): Moment | null {
  const seconds = ipsTimestamp(value);
  return seconds === null ? null : Moment.fromUnixSeconds(seconds, 'iso', String(value));
}

/** The records of one decoded report: one for a crash or other report, one per listed process for a jetsam event. */
export function crashRecords(report: string, ips: IpsReport): { records: CrashReportRecord[]; dropped: number } {
  const h = ips.header;
  const body = ips.body.kind === 'json' ? ips.body.value : {};
  const text = ips.body.kind === 'text' ? ips.body.fields : {};
  const bugType = s(h.bug_type) ?? (typeof h.bug_type === 'number' ? String(h.bug_type) : null) ?? s(body.bug_type);
  const base = {
    report,
    bug_type: bugType,
    time: moment(h.timestamp) ?? moment(body.date) ?? moment(body.captureTime),
    os_version: s(h.os_version) ?? s(body.build),
    incident_id: s(h.incident_id) ?? s(body.incident),
  };
  if (bugType === '298' || Array.isArray(body.processes)) {
    const list = Array.isArray(body.processes) ? body.processes : [];
    const records = list.slice(0, MAX_JETSAM_PROCESSES).flatMap((p): CrashReportRecord[] =>
      isObject(p) && s(p.name)
        ? [{ ...base, kind: 'jetsam', name: s(p.name), app_name: null, bundle_id: null, proc_path: null, parent_proc: null, coalition_name: null, pid: n(p.pid), exception_type: null, jetsam_reason: s(p.reason) }]
        : [],
    );
    return { records, dropped: Math.max(0, list.length - MAX_JETSAM_PROCESSES) };
  }
  const bundleInfo = isObject(body.bundleInfo) ? body.bundleInfo : {};
  const exception = isObject(body.exception) ? body.exception : {};
  return {
    records: [
      {
        ...base,
        kind: bugType && CRASH_TYPES.has(bugType) ? 'crash' : 'other',
        name: s(h.name) ?? s(body.procName) ?? s(text.Process?.replace(/\s*\[\d+\]$/, '')) ?? s(h.app_name),
        app_name: s(h.app_name),
        bundle_id: s(h.bundleID) ?? s(bundleInfo.CFBundleIdentifier) ?? s(text.Identifier),
        proc_path: s(body.procPath) ?? s(text.Path),
        parent_proc: s(body.parentProc) ?? s(text['Parent Process']?.replace(/\s*\[\d+\]$/, '')),
        coalition_name: s(body.coalitionName) ?? s(text.Coalition?.replace(/\s*\[\d+\]$/, '')),
        pid: n(body.pid) ?? n(/\[(\d+)\]$/.exec(text.Process ?? '')?.[1]),
        exception_type: s(exception.type) ?? s(text['Exception Type']?.split(' ')[0]),
        jetsam_reason: null,
      },
    ],
    dropped: 0,
  };
}

export default defineArtifact<CrashReportRecord>({
  id: 'ios.sysdiagnose_crash_reports',
  version: 1,
  title: 'Crash and jetsam reports (crashes_and_spins/*.ips)',
  doc: 'Crash reports name the process that crashed, its executable path and app; jetsam (low-memory) reports list every process running at that moment. Exploits crash processes on the way in (Triangulation, BLASTPASS), and an implant that never crashes still appears in jetsam lists.',
  references: ['https://github.com/EC-DIGIT-CSIRC/sysdiagnose', 'https://developer.apple.com/documentation/xcode/interpreting-the-json-format-of-a-crash-report'],
  inputs: {
    'ios-sysdiagnose': [
      { by: 'path-glob', pattern: 'crashes_and_spins/*.ips' },
      { by: 'path-glob', pattern: 'crashes_and_spins/*/*.ips' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const name = fileName(file);
      const text = await readBoundedText(ctx, file, MAX_BYTES, name);
      if (text === null) continue;
      let ips: IpsReport;
      try {
        ips = decodeIps(text);
      } catch (err) {
        if (!(err instanceof IpsError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${err.message}` });
        continue;
      }
      if (ips.body.kind === 'unreadable') ctx.warn({ code: 'corrupted', file, message: `${name}: ${ips.body.reason}; the header alone is read` });
      const { records, dropped } = crashRecords(name, ips);
      if (dropped > 0) ctx.warn({ code: 'truncated', file, message: `${name}: ${dropped} jetsam entries beyond the first ${MAX_JETSAM_PROCESSES} not read` });
      for (const [i, record] of records.entries()) yield { record, source: at(file, record.kind === 'jetsam' ? { key: `processes/${i}` } : { whole: true }) };
    }
  },
  timeline: (r) => [
    {
      time: r.time,
      event: r.kind === 'jetsam' ? 'jetsam_listed' : r.kind === 'crash' ? 'crash' : 'diagnostic_report',
      description:
        r.kind === 'jetsam'
          ? described`Process ${r.name} (PID ${r.pid}) listed in jetsam report ${r.report}${r.jetsam_reason ? `, killed: ${r.jetsam_reason}` : ''}`
          : described`${r.kind === 'crash' ? 'Crash' : `Report type ${r.bug_type ?? 'unknown'}`} of ${r.name} (${r.proc_path ?? r.bundle_id ?? 'no path'}) in ${r.report}`,
    },
  ],
  observables: (r) => {
    const out: Observable[] = [];
    if (r.name) out.push({ kind: 'process', value: r.name, field: 'name' });
    if (r.proc_path?.startsWith('/')) out.push({ kind: 'file_path', value: r.proc_path, field: 'proc_path' });
    if (r.bundle_id) out.push({ kind: 'app_id', value: r.bundle_id, field: 'bundle_id' });
    if (r.coalition_name && r.coalition_name !== r.bundle_id) out.push({ kind: 'app_id', value: r.coalition_name, field: 'coalition_name', role: 'mention' });
    if (r.parent_proc) out.push({ kind: 'process', value: r.parent_proc, field: 'parent_proc', role: 'mention' });
    return out;
  },
});
