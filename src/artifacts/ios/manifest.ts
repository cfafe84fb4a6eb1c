import { parse as parseHost } from 'tldts';
import { decodeFileMetaCell } from '../../evidence/ios-backup.js';
import type { EvidenceFile, ManifestRow } from '../../evidence/source.js';
import { Moment } from '../../formats/time.js';
import { defineArtifact, type IssueCode, type Observable, type ParseContext, type TimelineEvent } from '../artifact.js';
import { at } from '../_read.js';

/**
 * One Manifest.db `Files` row: a file, directory (flags 2) or symlink (flags 4) the backup lists, whether or
 * not its content is in the backup. Times come from the MBFile archive in the `file` column.
 */
export interface ManifestRecord {
  readonly file_id: string;
  readonly domain: string;
  readonly relative_path: string;
  /** 1 file, 2 directory, 4 symlink. */
  readonly flags: number;
  /** MBFile `Birth`. */
  readonly created: Moment | null;
  /** MBFile `LastModified`. */
  readonly modified: Moment | null;
  /** MBFile `LastStatusChange`. */
  readonly status_changed: Moment | null;
  /** MBFile `Mode` in Python's `oct()` form, as MVT writes it: `0o100644`. */
  readonly mode: string | null;
  /** MBFile `UserID`. */
  readonly owner: number | null;
  /** MBFile `Size` in bytes. */
  readonly size: number | null;
}

/** MBFile times are whole Unix seconds; zero is a real (if odd) time here, not "never". */
function unixTime(seconds: number | undefined): Moment | null {
  return seconds === undefined ? null : Moment.fromUnixSeconds(seconds);
}

export function decodeManifestRow(row: ManifestRow): ManifestRecord {
  return decodeManifestRowChecked(row).record;
}

/** The record, and what was wrong with the metadata cell if it held no MBFile archive (the paths are kept). */
export function decodeManifestRowChecked(row: ManifestRow): { record: ManifestRecord; problem?: string } {
  const { meta, problem } = decodeFileMetaCell(row.file);
  const record: ManifestRecord = {
    file_id: row.fileId,
    domain: row.domain,
    relative_path: row.relativePath,
    flags: row.flags,
    created: unixTime(meta.times?.born),
    modified: unixTime(meta.times?.modified),
    status_changed: unixTime(meta.times?.changed),
    mode: meta.mode === undefined ? null : `0o${meta.mode.toString(8)}`,
    owner: meta.owner ?? null,
    size: meta.size ?? null,
  };
  return problem === undefined ? { record } : { record, problem };
}

/** Issues named row by row up to this many per kind; beyond it, one line counts the rest (a hostile manifest can have millions). */
export const MANIFEST_ROW_ISSUES_NAMED = 20;

/** Per-row issues of one kind, the first few by row id and the rest counted. */
class RowIssues {
  private count = 0;
  constructor(
    private readonly ctx: ParseContext,
    private readonly file: EvidenceFile,
    private readonly code: IssueCode,
    private readonly consequence: string,
  ) {}

  add(rowid: number, problem: string): void {
    if (++this.count <= MANIFEST_ROW_ISSUES_NAMED) this.ctx.warn({ code: this.code, file: this.file, message: `Manifest.db Files row ${rowid}: ${problem}; ${this.consequence}` });
  }

  finish(): void {
    const more = this.count - MANIFEST_ROW_ISSUES_NAMED;
    if (more > 0) this.ctx.warn({ code: this.code, file: this.file, message: `Manifest.db: ${more} more Files row(s) like these; ${this.consequence}` });
  }
}

/**
 * MVT's MACB collapsing (reference-spec §7.1.3): one event per distinct time, named by which of
 * modified / status-changed / born fall on it (`M-CB`, `---B`, …). Rows lacking a modified or
 * status-change time give none.
 */
export function manifestTimeline(r: ManifestRecord): TimelineEvent[] {
  if (!r.modified || !r.status_changed) return [];
  const same = (a: Moment | null, b: Moment) => a !== null && a.unixSeconds === b.unixSeconds && a.micros === b.micros;
  const distinct: Moment[] = [];
  for (const t of [r.created, r.modified, r.status_changed]) {
    if (t && !distinct.some((d) => same(t, d))) distinct.push(t);
  }
  distinct.sort((a, b) => a.unixSeconds - b.unixSeconds || a.micros - b.micros);
  return distinct.map((t) => ({
    time: t,
    event: `${same(r.modified, t) ? 'M' : '-'}-${same(r.status_changed, t) ? 'C' : '-'}${same(r.created, t) ? 'B' : '-'}`,
    description: `${r.relative_path} - ${r.domain}`,
  }));
}

/**
 * Host names inside a backup path. iOS names per-site storage after the site
 * (`…/LocalStorage/https_www.example.org_0.localstorage`), so MVT splits the lower-cased path on `_` and
 * checks each part that parses as a URL. Only parts whose host (up to the first `/`) has a dot, no spaces
 * and a known public suffix qualify: `library/...`, `0.localstorage` or an IP address do not.
 */
export function hostsInPath(relativePath: string): string[] {
  const hosts: string[] = [];
  // Every host has a dot (and lower-casing makes none): folders and extension-less files end here.
  if (!relativePath.includes('.')) return hosts;
  for (const part of relativePath.toLowerCase().split('_')) {
    const slash = part.indexOf('/');
    const host = slash < 0 ? part : part.slice(0, slash);
    if (!host.includes('.') || /\s/.test(host) || hosts.includes(host)) continue;
    const parsed = parseHost(host, { allowPrivateDomains: true });
    if (parsed.isIp || parsed.domain === null || !(parsed.isIcann || parsed.isPrivate)) continue;
    hosts.push(host);
  }
  return hosts;
}

/** Every path is a mention (MVT raises HIGH, not CRITICAL): the backup names the file, it need not be the spyware. */
export function manifestObservables(r: ManifestRecord): Observable[] {
  if (r.relative_path === '') return [];
  const out: Observable[] = [{ kind: 'file_path', value: `/${r.relative_path}`, field: 'relative_path', role: 'mention' }];
  for (const host of hostsInPath(r.relative_path)) out.push({ kind: 'domain', value: host, field: 'relative_path', role: 'mention' });
  return out;
}

export default defineArtifact<ManifestRecord>({
  id: 'ios.manifest',
  version: 1,
  title: 'Backup file list (Manifest.db)',
  mvt: { module: 'manifest', className: 'Manifest' },
  doc: 'Manifest.db lists every file, folder and link the backup covers with its times, mode and size; a spyware file name, a path naming a spyware process, or a per-site folder named after a spyware domain shows up here even when the file itself is not in the backup.',
  inputs: { 'ios-backup': [{ by: 'container', name: 'Manifest.db' }] },
  async *parse(ctx) {
    const [file] = await ctx.findInputs();
    if (!file || !ctx.source.manifestRows) return;
    const skipped = new RowIssues(ctx, file, 'row-skipped', 'row skipped');
    const badMeta = new RowIssues(ctx, file, 'bad-cell', 'its times, mode and size are not read');
    for (const row of ctx.source.manifestRows()) {
      if (ctx.signal.aborted) return;
      if ('unreadable' in row) {
        skipped.add(row.rowid, row.unreadable);
        continue;
      }
      const { record, problem } = decodeManifestRowChecked(row);
      if (problem !== undefined) badMeta.add(row.rowid, problem);
      // Its row, so that a finding about it names the Files row a second lab can look at (fileID names it too).
      yield { record, source: at(file, { table: 'Files', rowid: row.rowid }) };
    }
    skipped.finish();
    badMeta.finish();
  },
  timeline: manifestTimeline,
  observables: manifestObservables,
});
