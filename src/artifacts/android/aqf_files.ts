import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type Parsed, type TimelineEvent } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { aqfName, jsonType, readAqfText } from './_aqf.js';

/**
 * One file androidqf listed on the phone (the shared storage and the temporary folders), with its owner,
 * SELinux context and hashes. The times are Unix seconds on the phone, so they are exact instants (UTC):
 * no device time zone is involved.
 */
export interface AqfFileRecord {
  readonly path: string;
  readonly size: number | null;
  /** `ls`-style (`-rwxr-x---`). */
  readonly mode: string | null;
  readonly user_id: number | null;
  readonly user_name: string | null;
  readonly group_id: number | null;
  readonly group_name: string | null;
  readonly changed_time: Moment | null;
  readonly modified_time: Moment | null;
  readonly access_time: Moment | null;
  readonly error: string | null;
  readonly context: string | null;
  readonly sha1: string | null;
  readonly sha256: string | null;
  readonly sha512: string | null;
  readonly md5: string | null;
}

/**
 * A listing of a full shared storage reaches tens of MB (300,000 files: 114 MB, read in 3 s with 600 MB
 * resident). It is decoded whole, so the bound stays well under V8's longest string (about 512 MB).
 */
const MAX_BYTES = 256 * 1024 * 1024;
export const MAX_FILES = 5_000_000;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const time = (v: unknown): Moment | null => (typeof v === 'number' && v > 0 ? fromUnix(v) : null);

/** One item, or why it is not a file entry (no path). */
export function decodeFileEntry(v: unknown): AqfFileRecord | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `expected an object, found ${jsonType(v)}`;
  const f = v as Record<string, unknown>;
  if (typeof f.path !== 'string' || f.path === '') return 'no path';
  return {
    path: f.path,
    size: num(f.size),
    mode: str(f.mode),
    user_id: num(f.user_id),
    user_name: str(f.user_name),
    group_id: num(f.group_id),
    group_name: str(f.group_name),
    changed_time: time(f.changed_time),
    modified_time: time(f.modified_time),
    access_time: time(f.access_time),
    error: str(f.error),
    context: str(f.context),
    sha1: str(f.sha1),
    sha256: str(f.sha256),
    sha512: str(f.sha512),
    md5: str(f.md5),
  };
}

/**
 * files.json as androidqf writes it: a JSON list, or (newer androidqf, which streams it) one object per line.
 * Items that are not file entries are counted; a line that is not JSON too.
 */
export function decodeFilesJson(text: string): { files: { record: AqfFileRecord; at: string }[]; skipped: { at: string; reason: string }[]; truncated: boolean } | string {
  const files: { record: AqfFileRecord; at: string }[] = [];
  const skipped: { at: string; reason: string }[] = [];
  const take = (item: unknown, where: string) => {
    const decoded = decodeFileEntry(item);
    if (typeof decoded === 'string') skipped.push({ at: where, reason: decoded });
    else files.push({ record: decoded, at: where });
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return `not valid JSON (${(err as Error).message})`;
    }
    if (!Array.isArray(value)) return `expected a list of files, found ${jsonType(value)}`;
    value.slice(0, MAX_FILES).forEach((item, i) => take(item, `[${i}]`));
    return { files, skipped, truncated: value.length > MAX_FILES };
  }
  if (!trimmed.startsWith('{')) return trimmed === '' ? 'empty' : 'neither a JSON list nor JSON lines';
  const lines = text.split('\n');
  let count = 0;
  let i = 0;
  for (; i < lines.length && count < MAX_FILES; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    count++;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      skipped.push({ at: `line ${i + 1}`, reason: 'not valid JSON' });
      continue;
    }
    take(item, `line ${i + 1}`);
  }
  return { files, skipped, truncated: lines.slice(i).some((l) => l.trim() !== '') };
}

/** MVT's MACB events: one per distinct time, its letters saying which of modified, accessed, changed it is. */
export function fileTimeline(r: AqfFileRecord): TimelineEvent[] {
  const times = [r.modified_time, r.access_time, r.changed_time].filter((t): t is Moment => t !== null);
  const seen = new Set<number>();
  const out: TimelineEvent[] = [];
  const same = (a: Moment | null, b: Moment) => a !== null && a.unixSeconds === b.unixSeconds && a.micros === b.micros;
  for (const t of times) {
    const key = t.unixSeconds * 1e6 + t.micros;
    if (seen.has(key)) continue;
    seen.add(key);
    const macb = `${same(r.modified_time, t) ? 'M' : '-'}${same(r.access_time, t) ? 'A' : '-'}${same(r.changed_time, t) ? 'C' : '-'}-`;
    out.push({ time: t, event: macb, description: r.context ? described`${r.path} (${r.context})` : described`${r.path}` });
  }
  return out;
}

export default defineArtifact<AqfFileRecord>({
  id: 'android.aqf_files',
  version: 1,
  title: 'File listing (files.json)',
  doc: 'The files androidqf listed on the phone, with their times, owner, SELinux context and hashes: a spyware file is found by its path or hash, and an executable left in /data/local/tmp, where exploits drop their payloads, stands out.',
  references: ['https://github.com/mvt-project/androidqf'],
  mvt: { module: 'aqf_files', className: 'AQFFiles' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'files.json' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const name = aqfName(file);
      const text = await readAqfText(ctx, file, MAX_BYTES);
      if (text === null) continue;
      const decoded = decodeFilesJson(text);
      if (typeof decoded === 'string') {
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${decoded}` });
        continue;
      }
      if (decoded.skipped.length > 0) {
        const first = decoded.skipped[0]!;
        ctx.warn({ code: 'row-skipped', file, message: `${name}: ${decoded.skipped.length} item(s) not read, the first (${first.at}): ${first.reason}` });
      }
      if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${name}: more than ${MAX_FILES} files; the rest not read` });
      for (const f of decoded.files) {
        if (ctx.signal.aborted) return;
        yield { record: f.record, source: at(file, f.at.startsWith('line ') ? { line: Number(f.at.slice(5)) } : { key: f.at }) } satisfies Parsed<AqfFileRecord>;
      }
    }
  },
  timeline: fileTimeline,
  observables: (r) => {
    const out: Observable[] = [{ kind: 'file_path', value: r.path, field: 'path' }];
    if (r.sha256) out.push({ kind: 'sha256', value: r.sha256, field: 'sha256' });
    if (r.sha1) out.push({ kind: 'sha1', value: r.sha1, field: 'sha1' });
    if (r.md5) out.push({ kind: 'md5', value: r.md5, field: 'md5' });
    return out;
  },
});
