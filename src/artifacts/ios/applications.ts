import { createHash } from 'node:crypto';
import type { EvidenceFile } from '../../evidence/source.js';
import { FormatError } from '../../errors.js';
import { isDict, parsePlist, type PlistDict, type PlistValue } from '../../formats/plist.js';
import { fromDate, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable, type ParseContext, type TimelineEvent } from '../artifact.js';
import { at, readPlists } from '../_read.js';
import { plainDict, type PlainValue } from './_plist_values.js';

/**
 * One installed app with its App Store metadata (iTunesMetadata.plist: softwareVersionBundleId, itemName,
 * artistName, bundleShortVersionString, sourceApp, the download info, …), kept as stored.
 * From a backup, `name` is the bundle id Info.plist files it under; from a file system, `file_path` is the
 * metadata file's path.
 */
export type ApplicationRecord = {
  readonly name?: string;
  readonly file_path?: string;
  /** SHA-256 of the app's PlaceholderIcon (backups only). */
  readonly icon_sha256?: string;
  /** When the app was bought or downloaded (`com.apple.iTunesStore.downloadInfo.purchaseDate`, UTC). */
  readonly isodate: Moment | null;
} & { readonly [key: string]: PlainValue | undefined };

const PURCHASE_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/**
 * The purchase date is UTC (its `Z` says so). MVT parses it as a naive time and converts it from the
 * checking machine's zone, shifting it by that offset (reference-spec §15 item 18); we do not.
 */
export function purchaseDate(metadata: PlistDict): Moment | null {
  const info = metadata['com.apple.iTunesStore.downloadInfo'];
  const raw = isDict(info) ? info.purchaseDate : metadata.purchaseDate;
  if (raw instanceof Date) return fromDate(raw);
  if (typeof raw !== 'string') return null;
  const m = PURCHASE_DATE.exec(raw);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return fromDate(new Date(Date.UTC(y, mo - 1, d, h, mi, s)));
}

export function decodeApplication(base: { name: string } | { file_path: string }, metadata: PlistDict, icon?: Buffer): ApplicationRecord {
  return {
    ...base,
    ...plainDict(metadata),
    ...base, // the metadata never names the app's key or path; if it has such a field, ours wins
    ...(icon ? { icon_sha256: createHash('sha256').update(icon).digest('hex') } : {}),
    isodate: purchaseDate(metadata),
  };
}

/** The bundle id, whichever way the record has it. */
export function bundleIdOf(r: ApplicationRecord): string | null {
  if (typeof r.softwareVersionBundleId === 'string' && r.softwareVersionBundleId) return r.softwareVersionBundleId;
  return typeof r.name === 'string' && r.name ? r.name : null;
}

function text(v: PlainValue | undefined): string {
  return v === undefined || v === null ? 'None' : typeof v === 'string' ? v : JSON.stringify(v);
}

export function applicationTimeline(r: ApplicationRecord): TimelineEvent[] {
  if (!r.isodate) return [];
  const name = r.name ?? r.softwareVersionBundleId;
  return [
    {
      time: r.isodate,
      event: 'app_installed',
      description: `App ${text(name)} version ${text(r.bundleShortVersionString)} from ${text(r.artistName)} installed from ${text(r.sourceApp)}`,
    },
  ];
}

export function applicationObservables(r: ApplicationRecord): Observable[] {
  const ids = new Set<string>();
  if (typeof r.softwareVersionBundleId === 'string' && r.softwareVersionBundleId) ids.add(r.softwareVersionBundleId);
  if (typeof r.name === 'string' && r.name) ids.add(r.name);
  const out: Observable[] = [];
  for (const id of ids) {
    const field = id === r.softwareVersionBundleId ? 'softwareVersionBundleId' : 'name';
    out.push({ kind: 'app_id', value: id, field }, { kind: 'process', value: id, field });
  }
  return out;
}

/** Info.plist `Applications`: bundle id → {iTunesMetadata (plist bytes), PlaceholderIcon (PNG bytes), …}. */
function* fromInfoPlist(ctx: ParseContext, info: PlistValue, file: EvidenceFile) {
  if (!isDict(info)) {
    ctx.warn({ code: 'bad-plist', file, message: 'Info.plist: expected a dictionary of backup properties at the top level' });
    return;
  }
  const apps = info.Applications;
  if (!isDict(apps)) return;
  for (const [bundleId, app] of Object.entries(apps)) {
    if (!isDict(app)) continue;
    let metadata: PlistDict = {};
    const raw = app.iTunesMetadata;
    if (Buffer.isBuffer(raw)) {
      try {
        const parsed = parsePlist(raw, `Info.plist Applications/${bundleId}/iTunesMetadata`);
        if (isDict(parsed)) metadata = parsed;
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        ctx.warn({ code: 'bad-plist', file, message: err.message });
      }
    }
    const icon = Buffer.isBuffer(app.PlaceholderIcon) ? app.PlaceholderIcon : undefined;
    yield { record: decodeApplication({ name: bundleId }, metadata, icon), source: at(file, { key: `Applications/${bundleId}` }) };
  }
}

export default defineArtifact<ApplicationRecord>({
  id: 'ios.applications',
  version: 1,
  title: 'Installed applications',
  mvt: { module: 'applications', className: 'Applications' },
  doc: 'The apps installed on the phone with their App Store metadata; an app that did not come from the App Store or device management, or a known spyware bundle id, stands out here.',
  inputs: {
    'ios-backup': [{ by: 'container', name: 'Info.plist' }],
    'ios-fs': [{ by: 'device-glob', pattern: 'private/var/containers/Bundle/Application/*/iTunesMetadata.plist' }],
  },
  inputMode: 'all',
  async *parse(ctx) {
    yield* readPlists(ctx, function* (plist, file) {
      if (ctx.source.kind === 'ios-backup') {
        yield* fromInfoPlist(ctx, plist, file);
        return;
      }
      if (!isDict(plist)) {
        ctx.warn({ code: 'bad-plist', file, message: `${file.ref.storedPath}: expected an iTunesMetadata dictionary at the top level` });
        return;
      }
      yield { record: decodeApplication({ file_path: file.devicePath ?? file.ref.storedPath }, plist), source: at(file, { whole: true }) };
    });
  },
  timeline: applicationTimeline,
  observables: applicationObservables,
});
