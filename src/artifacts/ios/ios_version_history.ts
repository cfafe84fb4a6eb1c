import type { EvidenceFile } from '../../evidence/source.js';
import { Moment } from '../../formats/time.js';
import { defineArtifact, type ParseContext, type Parsed, type TimelineEvent } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';

/** The iOS version an analytics journal was written under (reference-spec §7.2.8), at its local time made UTC. */
export interface IosVersionHistoryRecord {
  readonly isodate: Moment;
  /** As written: `iPhone OS 15.3.1 (19D52)`. */
  readonly os_version: string;
}

/** Only the first line is read: the header the rest of a journal follows. */
export const maxHeaderBytes = 64 * 1024;

/** Journals run to a few megabytes; a file far larger is not one, and is not read. */
export const maxJournalBytes = 256 * 1024 * 1024;

/** `2021-12-03 19:33:13.00 +0100` (Python's `%Y-%m-%d %H:%M:%S.%f %z`) → the UTC moment; null otherwise. */
export function journalTime(text: string): Moment | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', sign, oh, om] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (Number.isNaN(local)) return null;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  return Moment.fromUnixSeconds(local - offset + Number(`0.${frac.padEnd(6, '0')}`), 'iso', text.trim());
}

/** The journal's first line as a record, or why it is not one. */
export function decodeJournalHeader(data: Buffer): IosVersionHistoryRecord | { problem: string } {
  const end = data.indexOf(0x0a);
  const line = data.subarray(0, end === -1 ? Math.min(data.length, maxHeaderBytes) : Math.min(end, maxHeaderBytes));
  if (end === -1 ? data.length > maxHeaderBytes : end > maxHeaderBytes) return { problem: `first line longer than ${maxHeaderBytes} bytes` };
  let header: unknown;
  try {
    header = JSON.parse(line.toString('utf8'));
  } catch {
    return { problem: 'first line is not JSON' };
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return { problem: 'first line is not a JSON object' };
  const { timestamp, os_version } = header as Record<string, unknown>;
  const isodate = typeof timestamp === 'string' ? journalTime(timestamp) : null;
  if (isodate === null) return { problem: 'no readable "timestamp" in the first line' };
  if (typeof os_version !== 'string') return { problem: 'no "os_version" in the first line' };
  return { isodate, os_version };
}

async function* readJournals(ctx: ParseContext): AsyncIterable<Parsed<IosVersionHistoryRecord>> {
  const decoded: { record: IosVersionHistoryRecord; file: EvidenceFile }[] = [];
  for (const file of await ctx.findInputs()) {
    if (ctx.signal.aborted) return;
    const result = (file.size ?? 0) > maxJournalBytes ? { problem: `larger than ${maxJournalBytes} bytes, not read` } : decodeJournalHeader(await ctx.source.read(file));
    if ('problem' in result) ctx.warn({ code: 'corrupted', file, message: `${file.devicePath ?? file.ref.storedPath}: ${result.problem} (expected an analytics journal header)` });
    else decoded.push({ record: result, file });
  }
  decoded.sort((a, b) => a.record.isodate.unixSeconds - b.record.isodate.unixSeconds || a.record.isodate.micros - b.record.isodate.micros);
  for (const { record, file } of decoded) yield { record, source: at(file, { line: 1 }) };
}

export function iosVersionHistoryTimeline(r: IosVersionHistoryRecord): TimelineEvent[] {
  return [{ time: r.isodate, event: 'ios_version', description: described`Recorded iOS version ${r.os_version}` }];
}

export default defineArtifact<IosVersionHistoryRecord>({
  id: 'ios.ios_version_history',
  version: 1,
  title: 'iOS version history (analytics journals)',
  mvt: { module: 'ios_version_history', className: 'IOSVersionHistory' },
  doc: 'Each daily analytics journal starts with the iOS version it was written under, so the journals date the updates the phone went through: which iOS was running when a trace was left, and whether it was patched at the time.',
  inputs: { 'ios-fs': [{ by: 'device-glob', pattern: 'private/var/db/analyticsd/Analytics-Journal-*.ips' }] },
  inputMode: 'all',
  parse: readJournals,
  timeline: iosVersionHistoryTimeline,
});
