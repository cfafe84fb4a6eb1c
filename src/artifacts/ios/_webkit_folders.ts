/**
 * WebKit's per-site storage folders (reference-spec §7.2.9), shared by the IndexedDB, Local Storage and
 * SafariViewService artifacts. Two layouts:
 * - up to iOS 15, one entry per site named after its origin (`https_www.example.com_0`, `…_0.localstorage`),
 *   directly in the store folder, or below `v0`/`v1` for IndexedDB; the name gives the site (MVT's rule);
 * - from iOS 16, `WebsiteData/Default/<hash>/<hash>/` (and `WebsiteDataStore/<id>/Origins/<hash>/<hash>/` for
 *   Safari profiles) with an `origin` file naming the top-level and the frame origin in WebKit's binary
 *   encoding, and the site's `IndexedDB` and `LocalStorage` folders beside it. The hashes say nothing: the
 *   site is read from `origin`.
 * No store is opened: the folder is the trace (a visit to an exploit page leaves its origin here).
 */
import type { EvidenceFile, FileSpec } from '../../evidence/source.js';
import { Moment } from '../../formats/time.js';
import type { ParseContext, Parsed } from '../artifact.js';
import { at } from '../_read.js';

export interface WebkitFolderRecord {
  /** The folder the site's entry is in, as a path from the dump's root. */
  readonly folder: string;
  /** The site: the origin the entry is named after, or the frame origin its `origin` file names. */
  readonly url: string;
  /** The entry's own modification time (MVT dates every entry with its parent folder's). */
  readonly isodate: Moment | null;
  /** The entry's name in the folder (`https_www.example.com_0.localstorage`, `IndexedDB`). */
  readonly entry: string;
  /** The top-level page the site was embedded in, when the `origin` file says it differs (third-party storage). */
  readonly top_url?: string;
}

export type WebkitStore = 'IndexedDB' | 'LocalStorage';

/** Where apps keep WebKit data: each app, extension and app group, the per-bundle folders of the user's home, system containers. */
export const webkitRoots: readonly string[] = [
  'private/var/mobile/Containers/Data/Application/*/Library/WebKit',
  'private/var/mobile/Containers/Data/PluginKitPlugin/*/Library/WebKit',
  'private/var/mobile/Containers/Shared/AppGroup/*/Library/WebKit',
  'private/var/mobile/Library/WebKit/*',
  'private/var/containers/Data/System/*/Library/WebKit',
];

/** In-app browser views (SFSafariViewController) keep theirs apart, in the app's SystemData. */
export const safariViewServiceRoot = 'private/var/mobile/Containers/Data/Application/*/SystemData/com.apple.SafariViewService/Library/WebKit';

const entryFolders: Readonly<Record<WebkitStore, readonly string[]>> = {
  IndexedDB: ['WebsiteData/IndexedDB', 'WebsiteData/IndexedDB/v0', 'WebsiteData/IndexedDB/v1'],
  LocalStorage: ['WebsiteData/LocalStorage'],
};

/** The device-glob specs of the stores under these roots, both layouts; `extraEntryFolders` adds MVT's own. */
export function webkitInputs(roots: readonly string[], stores: readonly WebkitStore[], extraEntryFolders: readonly string[] = []): FileSpec[] {
  const specs: FileSpec[] = [];
  for (const root of roots) {
    for (const folder of [...extraEntryFolders, ...stores.flatMap((s) => entryFolders[s])]) {
      // A site's entry is a folder (IndexedDB) or a file (a .localstorage database).
      specs.push({ by: 'device-glob', pattern: `${root}/${folder}/http*`, folders: true }, { by: 'device-glob', pattern: `${root}/${folder}/http*` });
    }
    for (const partition of ['WebsiteData/Default/*/*', 'WebsiteDataStore/*/Origins/*/*']) {
      specs.push({ by: 'device-glob', pattern: `${root}/${partition}/origin` });
      for (const store of stores) specs.push({ by: 'device-glob', pattern: `${root}/${partition}/${store}`, folders: true });
    }
  }
  return specs;
}

/**
 * MVT's reading of an entry name: `http_`/`https_` become `http://`/`https://` and the site ends at the next
 * `_` (the port field: `0` for the default). Null for a name that is no site; a `-wal`/`-shm` sidecar of a
 * .localstorage database is the same site again, so it gives none (MVT lists it three times).
 */
export function siteOfEntryName(name: string): string | null {
  if (!name.startsWith('http') || /-(wal|shm|journal)$/.test(name)) return null;
  const url = name.replace(/^https_/, 'https://').replace(/^http_/, 'http://');
  const site = url.split('_')[0]!;
  return /^https?:\/\/[^/]+$/.test(site) ? site : null;
}

/** An `origin` file is two origins of a few dozen bytes each; anything larger is not one. */
export const maxOriginFileBytes = 4096;

/** One WebCore SecurityOriginData as WTF::Persistence encodes it: scheme, host (length-prefixed strings), optional port. */
function readOrigin(buf: Buffer, start: number): { url: string; end: number } | null {
  let pos = start;
  const readString = (): string | null => {
    if (pos + 4 > buf.length) return null;
    const length = buf.readUInt32LE(pos);
    pos += 4;
    if (length === 0xffffffff) return ''; // WTF's null string
    if (pos + 1 > buf.length) return null;
    const latin1 = buf[pos] === 1;
    pos += 1;
    const bytes = latin1 ? length : length * 2;
    if (length > maxOriginFileBytes || pos + bytes > buf.length) return null;
    const text = latin1 ? buf.toString('latin1', pos, pos + bytes) : buf.toString('utf16le', pos, pos + bytes);
    pos += bytes;
    return text;
  };
  const scheme = readString();
  const host = scheme === null ? null : readString();
  if (scheme === null || host === null || pos >= buf.length) return null;
  const hasPort = buf[pos];
  pos += 1;
  let port = '';
  if (hasPort === 1) {
    if (pos + 2 > buf.length) return null;
    port = `:${buf.readUInt16LE(pos)}`;
    pos += 2;
  } else if (hasPort !== 0) return null;
  if (!/^[a-z][a-z0-9+.-]*$/i.test(scheme)) return null;
  return { url: `${scheme}://${host}${port}`, end: pos };
}

/** The top-level and frame origins an `origin` file names, or why it does not. */
export function decodeOriginFile(buf: Buffer): { top: string; frame: string } | { problem: string } {
  if (buf.length > maxOriginFileBytes) return { problem: `larger than ${maxOriginFileBytes} bytes` };
  const top = readOrigin(buf, 0);
  if (top === null) return { problem: 'no top-level origin' };
  const frame = readOrigin(buf, top.end);
  if (frame === null) return { problem: 'no frame origin after the top-level one' };
  return { top: top.url, frame: frame.url };
}

const pathOf = (file: EvidenceFile) => file.devicePath?.replace(/^\//, '') ?? file.ref.storedPath;
const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const timeOf = (file: EvidenceFile) => (file.times?.modified !== undefined ? Moment.fromUnixSeconds(file.times.modified) : null);

/** Reads what `webkitInputs` found: named entries as they are, partitioned folders through their `origin` file. */
export async function* readWebkitFolders(ctx: ParseContext): AsyncIterable<Parsed<WebkitFolderRecord>> {
  const found = await ctx.findInputs();
  const origins = new Map<string, EvidenceFile>();
  for (const file of found) if (nameOf(pathOf(file)) === 'origin') origins.set(parentOf(pathOf(file)), file);
  const decoded = new Map<string, ReturnType<typeof decodeOriginFile>>();
  for (const file of found) {
    if (ctx.signal.aborted) return;
    const path = pathOf(file);
    const entry = nameOf(path);
    if (entry === 'origin') continue;
    if (entry === 'IndexedDB' || entry === 'LocalStorage') {
      const partition = parentOf(path);
      const originFile = origins.get(partition);
      if (!originFile) continue;
      let origin = decoded.get(partition);
      if (!origin) {
        // Sized before reading: a planted huge `origin` is refused unread.
        origin = (originFile.size ?? 0) > maxOriginFileBytes ? { problem: `larger than ${maxOriginFileBytes} bytes` } : decodeOriginFile(await ctx.source.read(originFile));
        decoded.set(partition, origin);
        if ('problem' in origin) ctx.warn({ code: 'corrupted', file: originFile, message: `${pathOf(originFile)}: ${origin.problem} (expected WebKit's origin encoding)` });
      }
      if ('problem' in origin) continue;
      const record: WebkitFolderRecord = { folder: partition, url: origin.frame, isodate: timeOf(file), entry, ...(origin.top !== origin.frame ? { top_url: origin.top } : {}) };
      yield { record, source: at(file, { whole: true }) };
      continue;
    }
    const url = siteOfEntryName(entry);
    if (url !== null) yield { record: { folder: parentOf(path), url, isodate: timeOf(file), entry }, source: at(file, { whole: true }) };
  }
}

/** The site the storage belongs to, and the page it was embedded in, are both places the device loaded. */
export function webkitFolderObservables(r: WebkitFolderRecord) {
  return [{ kind: 'url' as const, value: r.url, field: 'url' }, ...(r.top_url ? [{ kind: 'url' as const, value: r.top_url, field: 'top_url' }] : [])];
}
