/**
 * What the three intrusion-log artifacts share (reference-spec §9.4): every `intrusion_logs/` text file of an
 * androidqf acquisition read in one order, events de-duplicated across files and types, and the device's time
 * zone from getprop.txt (else the examiner's `--device-time-zone`) to label each instant with the phone's wall clock.
 *
 * The files are read and decoded once per run (the de-duplication of one type depends on the others': an event
 * seen first as another type is a duplicate); each artifact takes its own type's events from that pass.
 */
import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import { decodeGetprop, propertyValue } from '../../formats/android-getprop.js';
import { decodeIntrusionLog, IntrusionDedup, INTRUSION_TYPES, newFileStats, type IntrusionEvent } from '../../formats/intrusion-logs.js';
import { givenZoneConflict } from '../../evidence/device-zone.js';
import { isKnownZone, offsetMinutesAt, wallClockIn } from '../../formats/device-time.js';
import { Moment } from '../../formats/time.js';
import type { ArtifactInputs, ParseContext, ParseIssue, RecordSource } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, readAqfText } from './_aqf.js';
import { zipTexts } from './_intrusion-zip.js';

/** androidqf's folder (underscore: MVT's docs say `intrusion-logs`, its code and androidqf use this), one level of sub-folders. */
const IN_ANDROIDQF: readonly FileSpec[] = [
  { by: 'path-glob', pattern: 'intrusion_logs/*.txt' },
  { by: 'path-glob', pattern: 'intrusion_logs/*/*.txt' },
  // Exports kept zipped (MVT walks zips among the logs, and zips inside them).
  { by: 'path-glob', pattern: 'intrusion_logs/*.zip' },
  { by: 'path-glob', pattern: 'intrusion_logs/*/*.zip' },
];

/** Where each source kind keeps the exports: in androidqf's folder, or at the root of a standalone export. */
export const INTRUSION_INPUTS = {
  'android-androidqf': IN_ANDROIDQF,
  'android-intrusion-logs': [
    { by: 'path-glob', pattern: '*.txt' },
    { by: 'path-glob', pattern: '*/*.txt' },
    { by: 'path-glob', pattern: '*.zip' },
    { by: 'path-glob', pattern: '*/*.zip' },
  ],
} as const satisfies ArtifactInputs;

/** An export is a day or a few of events; more than this in one file is not one. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** When an event happened: the exact instant, and the phone's wall clock then when its zone is known. */
export interface IntrusionTime {
  /** The instant (UTC), from the event's epoch time. */
  readonly timestamp: Moment | null;
  /** `2023-11-15 00:13:20.000000`, the wall clock in `device_time_zone`; null when the zone is unknown. */
  readonly device_local_time: string | null;
  /** `persist.sys.timezone` from getprop.txt when the acquisition has it and it names a real zone, else the zone given with `--device-time-zone`. */
  readonly device_time_zone: string | null;
}

export interface IntrusionItem {
  readonly event: IntrusionEvent;
  readonly file: EvidenceFile;
  /** For a file that is a zip: the member the event was read from (`day.txt`, `inner.zip::day.txt`). */
  readonly member?: string;
}

/** Where an event was read: its line, and for a zip the member (`day.txt:12`, as a key: a line locates only a file). */
export function eventSource(item: IntrusionItem): RecordSource {
  return item.member === undefined ? at(item.file, { line: item.event.line }) : at(item.file, { key: `${item.member}:${item.event.line}` });
}

/**
 * The device's zone: the acquisition's own (getprop.txt), else the one the examiner gave (`--device-time-zone`,
 * device-zone.ts), else null with the line saying why times are UTC only. `why` is also the line saying the
 * examiner's zone was not used, or used in place of a name this tool cannot use.
 */
async function deviceZone(ctx: ParseContext): Promise<{ zone: string | null; why?: string }> {
  const info = ctx.source.describe();
  const given = info.givenTimeZone;
  // The acquisition's own answer first (getprop.txt, else its bugreport.zip's properties: androidqf.ts); the
  // getprop artifact of that acquisition says when the examiner's zone differs.
  const described = info.device?.timeZone;
  if (described && isKnownZone(described)) return { zone: described };
  const getprop = (await ctx.source.find({ by: 'path-glob', pattern: 'getprop.txt' }))[0];
  let zone: string | undefined;
  if (getprop) {
    try {
      const text = await readAqfText(ctx, getprop, 4 * 1024 * 1024);
      if (text !== null) zone = propertyValue(decodeGetprop(text).properties, 'persist.sys.timezone');
    } catch {
      // The getprop artifact reports its own damage; here it only means the zone is unknown.
    }
  }
  if (zone && isKnownZone(zone)) {
    const conflict = givenZoneConflict(zone, given);
    return conflict ? { zone, why: conflict } : { zone };
  }
  if (given !== undefined) {
    // The examiner's zone fills in; said only when it replaces a name the phone gave (no name: the records say the zone).
    return zone ? { zone: given, why: `persist.sys.timezone "${zone.slice(0, 64)}" is not a known time zone: intrusion-log times are labelled in ${given}, given with --device-time-zone` } : { zone: given };
  }
  const why = zone ? `persist.sys.timezone "${zone.slice(0, 64)}" is not a known time zone` : getprop ? 'no persist.sys.timezone in getprop.txt' : 'no getprop.txt beside the logs';
  return { zone: null, why: `device time zone unknown (${why}): intrusion-log times are given in UTC only` };
}

/**
 * One decode of every file for the run: the events of each type with their file, and what the artifacts say
 * about the files. `common` is said by one artifact for all three (the zone, unknown types, duplicates);
 * `perFile` and `limit` by each, as each artifact's coverage is about the same files.
 */
interface Pass {
  readonly byType: Map<string, IntrusionItem[]>;
  readonly zone: string | null;
  readonly perFile: readonly ParseIssue[];
  readonly limit: readonly ParseIssue[];
  readonly common: readonly ParseIssue[];
}

/**
 * The pass of each run, keyed by the run's Source (one per run, shared by its artifacts, dropped with it), so
 * the files are read and decoded once however many of the three artifacts run (they used to decode everything
 * three times). A type's events are dropped once its artifact has taken them.
 */
const passes = new WeakMap<object, Promise<Pass>>();

async function decodeAll(ctx: ParseContext, files: readonly EvidenceFile[]): Promise<Pass> {
  const perFile: ParseIssue[] = [];
  const common: ParseIssue[] = [];
  // Reading issues (too large, binary) belong to every artifact's coverage, like a bad line.
  const reading: ParseContext = { ...ctx, warn: (issue) => void perFile.push(issue) };
  const zoneOf = await deviceZone({ ...ctx, warn: (issue) => void common.push(issue) });
  if (zoneOf.why) common.push({ code: 'row-skipped', message: zoneOf.why });
  const dedup = new IntrusionDedup();
  const byType = new Map<string, IntrusionItem[]>(INTRUSION_TYPES.map((t) => [t, []]));
  const unknown = new Map<string, number>();
  let duplicates = 0;
  let overLimit = 0;
  const decode = (text: string, file: EvidenceFile, member?: string) => {
    const stats = newFileStats();
    for (const event of decodeIntrusionLog(text, dedup, stats)) {
      const list = byType.get(event.type);
      if (list) list.push({ event, file, ...(member !== undefined ? { member } : {}) });
      else unknown.set(event.type, (unknown.get(event.type) ?? 0) + 1);
    }
    duplicates += stats.duplicates;
    overLimit += stats.overLimit;
    if (stats.firstBad) {
      const where = member === undefined ? file.ref.storedPath : `${file.ref.storedPath}::${member}`;
      perFile.push({ code: 'row-skipped', file, message: `${where}: ${stats.badLines} line(s) not read, the first at line ${stats.firstBad.line}: ${stats.firstBad.reason}` });
    }
  };
  for (const file of files) {
    if (ctx.signal.aborted) break;
    if (file.ref.storedPath.endsWith('.zip')) {
      const data = await readZip(reading, file);
      if (data === null) continue;
      const note = (message: string) => void perFile.push({ code: 'corrupted', file, message });
      for await (const { member, text } of zipTexts(data, file.ref.storedPath, MAX_FILE_BYTES, note)) {
        if (ctx.signal.aborted) break;
        decode(text, file, member);
      }
      continue;
    }
    const text = await readAqfText(reading, file, MAX_FILE_BYTES);
    if (text !== null) decode(text, file);
  }
  const limit: ParseIssue[] = overLimit > 0 ? [{ code: 'truncated', message: `more than ${dedup.size} distinct intrusion-log events: ${overLimit} not read` }] : [];
  if (unknown.size > 0) {
    const list = [...unknown].map(([t, n]) => `${t.slice(0, 80)} (${n})`).join(', ');
    common.push({ code: 'unsupported-schema', message: `intrusion-log event type(s) no module reads, kept out of the results: ${list}` });
  }
  if (duplicates > 0) common.push({ code: 'row-skipped', message: `${duplicates} duplicate intrusion-log event(s) dropped (the same event exported more than once)` });
  return { byType, zone: zoneOf.zone, perFile, limit, common };
}

/** A zip of exports, whole (it is binary: not read as text), or null with one issue when larger than a zip of them can be. */
async function readZip(ctx: ParseContext, file: EvidenceFile): Promise<Buffer | null> {
  const tooLarge = (size: number) => ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: ${size} bytes, more than the ${MAX_FILE_BYTES} a zip of intrusion-log exports holds; not read` });
  if (file.size !== undefined && file.size > MAX_FILE_BYTES) {
    tooLarge(file.size);
    return null;
  }
  const data = await ctx.source.read(file);
  if (data.length > MAX_FILE_BYTES) {
    tooLarge(data.length);
    return null;
  }
  return data;
}

/**
 * Every event of type `type`, de-duplicated across all files and types, with its file. Issues: bad lines and
 * unreadable files (each artifact), duplicates (silent, as MVT drops them, counted in one issue), types no module
 * reads and an unknown zone: said once, by the artifact asked to (`reportUnknownTypes`).
 */
export async function* intrusionEvents(ctx: ParseContext, type: string, options: { reportUnknownTypes?: boolean } = {}): AsyncGenerator<IntrusionItem & { readonly zone: string | null }> {
  const files = (await ctx.findInputs()).sort((a, b) => (a.ref.storedPath < b.ref.storedPath ? -1 : a.ref.storedPath > b.ref.storedPath ? 1 : 0));
  if (files.length === 0) return;
  let pass = passes.get(ctx.source);
  if (!pass) passes.set(ctx.source, (pass = decodeAll(ctx, files)));
  const { byType, zone, perFile, limit, common } = await pass;
  for (const issue of [...perFile, ...limit, ...(options.reportUnknownTypes ? common : [])]) ctx.warn(issue);
  const items = byType.get(type) ?? [];
  byType.delete(type);
  for (const item of items) {
    if (ctx.signal.aborted) return;
    yield { ...item, zone };
  }
}

/**
 * The time an event's timeline row and findings give: with the device's zone, the phone's wall clock labelled
 * with that zone (a zoned device-local Moment: the native timeline writes its instant in UTC, alerts.json the
 * wall clock with its offset, and MVT's output the wall clock alone, as MVT's `-t ZONE` does, reference-spec
 * §9.4); without it, the instant.
 */
export function shownTime(r: IntrusionTime): Moment | null {
  const { timestamp, device_local_time: local, device_time_zone: zone } = r;
  if (!timestamp || local === null || zone === null || !isKnownZone(zone)) return timestamp;
  const offsetMinutes = offsetMinutesAt(zone, timestamp.unixSeconds * 1000);
  const wall = Moment.fromUnixSeconds(timestamp.unixSeconds + offsetMinutes * 60);
  if (!wall) return timestamp;
  return Moment.deviceLocal(wall.unixSeconds + timestamp.micros / 1e6, local, { zone, offsetMinutes, fold: 'exact' }) ?? timestamp;
}

/** The event's instant and its wall-clock label. */
export function intrusionTime(timestamp: Moment | null, zone: string | null): IntrusionTime {
  const local = timestamp && zone ? wallClockIn(timestamp, zone) : null;
  return { timestamp, device_local_time: local, device_time_zone: local ? zone : null };
}

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);
