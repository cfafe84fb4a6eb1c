import { FormatError, errorMessage } from '../../errors.js';
import { fromUnix, type Moment } from '../../formats/time.js';
import { JsonItemsReader, readJsonItems, type JsonItem, type JsonLineItem } from '../../formats/json-items.js';
import { defineArtifact, type Locator, type Observable, type Parsed, type TimelineEvent } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { aqfName, jsonType, streamAqfBytes } from './_aqf.js';

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
 * A listing of a full shared storage reaches hundreds of MB (500,000 files: 190 MB). It is streamed and read
 * item by item from the bytes (json-items.ts), so neither V8's string length nor memory bounds it; this bound
 * says what no phone's listing reaches.
 */
const MAX_BYTES = 1024 * 1024 * 1024;
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

export type FileItem = { readonly record: AqfFileRecord; readonly at: Locator } | { readonly skipped: string; readonly at: Locator };

/** A JSON item as a file entry, located as androidqf's two layouts locate it: `[i]` in a list, the line in JSON Lines. */
function fileItemOf(item: JsonItem | JsonLineItem): FileItem {
  const at: Locator = 'line' in item ? { line: item.line } : { key: `[${item.index}]` };
  const decoded = item.ok ? decodeFileEntry(item.value) : item.reason;
  return typeof decoded === 'string' ? { skipped: decoded, at } : { record: decoded, at };
}

/** A reader of files.json: a JSON list, or (newer androidqf, which streams it) one object per line. */
export const filesJsonReader = (): JsonItemsReader => new JsonItemsReader(MAX_FILES);

/**
 * files.json as androidqf writes it, item by item, from chunks of any size (one whole buffer, or a stream's).
 * Items that are not file entries come out as `skipped`; the return says how the file ended (`complete`,
 * `truncated` past MAX_FILES, or the damage that stopped it, after the items before it).
 */
export function* fileItems(chunks: Buffer | Iterable<Buffer>): Generator<FileItem, string> {
  const items = readJsonItems(filesJsonReader(), Buffer.isBuffer(chunks) ? [chunks] : chunks);
  for (;;) {
    const next = items.next();
    if (next.done) return next.value;
    yield fileItemOf(next.value);
  }
}

/** Every item of files.json at once (for tests and small files); `end` is how the file ended. */
export function decodeFilesJson(buf: Buffer): { files: { record: AqfFileRecord; at: Locator }[]; skipped: { at: Locator; reason: string }[]; end: string } {
  const files: { record: AqfFileRecord; at: Locator }[] = [];
  const skipped: { at: Locator; reason: string }[] = [];
  const items = fileItems(buf);
  for (;;) {
    const next = items.next();
    if (next.done) return { files, skipped, end: next.value };
    const item = next.value;
    if ('record' in item) files.push(item);
    else skipped.push({ at: item.at, reason: item.skipped });
  }
}

const where = (at: Locator) => ('key' in at ? `item ${at.key}` : 'line' in at ? `line ${at.line}` : 'the file');

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
      // Streamed: a 190 MB listing is never held, only the chunk being read and the item being decoded.
      const chunks = await streamAqfBytes(ctx, file, MAX_BYTES);
      if (chunks === null) continue;
      const reader = filesJsonReader();
      let skipped = 0;
      let firstSkipped = '';
      const isRecord = (item: FileItem): item is Extract<FileItem, { record: AqfFileRecord }> => {
        if ('record' in item) return true;
        if (skipped++ === 0) firstSkipped = `${where(item.at)}: ${item.skipped}`;
        return false;
      };
      // Plain loops over the reader's items, not `yield*` of a generator: an async generator delegating to a sync
      // one pays extra promise turns for every one of (up to millions of) items.
      try {
        for await (const chunk of chunks) {
          if (ctx.signal.aborted) return;
          // Once the reader has decided how the file ends, the rest is read unsplit (for the input log's hash).
          if (reader.done) continue;
          for (const raw of reader.push(chunk)) {
            const item = fileItemOf(raw);
            if (isRecord(item)) yield { record: item.record, source: at(file, item.at) } satisfies Parsed<AqfFileRecord>;
          }
        }
      } catch (err) {
        // The container failed part-way (a member cut short, a CRC-32 that does not match, an age chunk that does
        // not authenticate): the entries already read stay, with one issue saying the listing is incomplete.
        if (!(err instanceof FormatError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${errorMessage(err)}; the ${reader.itemsRead} item(s) before it are kept` });
        continue;
      }
      const ending = reader.end();
      let next = ending.next();
      for (; !next.done; next = ending.next()) {
        const item = fileItemOf(next.value);
        if (isRecord(item)) yield { record: item.record, source: at(file, item.at) } satisfies Parsed<AqfFileRecord>;
      }
      const end = next.value;
      if (skipped > 0) ctx.warn({ code: 'row-skipped', file, message: `${name}: ${skipped} item(s) not read, the first (${firstSkipped})` });
      if (end === 'truncated') ctx.warn({ code: 'truncated', file, message: `${name}: more than ${MAX_FILES} files; the rest not read` });
      else if (end !== 'complete') ctx.warn({ code: 'corrupted', file, message: `${name}: ${end}` });
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
