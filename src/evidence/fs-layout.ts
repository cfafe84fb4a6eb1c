/**
 * How a filesystem dump's stored paths read as device paths (docs/dev/file-systems.md, "Filesystem dump
 * layouts"). Most tools store the device's tree as is (`private/var/…`, possibly below one leading folder or
 * with absolute member names, both handled below this layer); Cellebrite- and GrayKey-style extractions store
 * each partition in its own folder: `filesystem1/` is the system volume (`/`) and `filesystem2/` the data
 * volume, mounted on `/private/var`. `MountedFiles` presents such a dump as the device's one tree, as the
 * phone mounts it, so every artifact's device globs work unchanged; refs keep the stored path.
 */
import { Readable } from 'node:stream';
import type { InputLog } from './input-log.js';
import type { SqliteInput } from './sqlite.js';
import type { FileMeta, FolderLocation, StoredEntry, StoredFiles, StoredLocation, StreamTransform } from './stored-files.js';

/** A stored folder that holds the device's tree from `device` down ('' is the device's root). */
export interface Mount {
  readonly device: string;
  readonly stored: string;
}

/** The partition folders of a Cellebrite/GrayKey-style extraction. The data volume is mounted over the system volume's `/private/var`. */
export const PARTITION_MOUNTS: readonly Mount[] = [
  { device: 'private/var', stored: 'filesystem2' },
  { device: '', stored: 'filesystem1' },
];

/** Folders only a dump of an iPhone's data partition has, as device paths (relative to `/`). */
export const DATA_PARTITION_MARKERS = ['private/var/mobile', 'private/var/wireless'] as const;

export type DumpLayout = 'tree' | 'partitions';

/**
 * The layout whose markers `isFolder` finds (paths relative to the dump's folder), or null. `tree` wins: a
 * dump that has the device's tree at its root is read as such, whatever else it holds.
 */
export function dumpLayoutOf(isFolder: (stored: string) => boolean): DumpLayout | null {
  if (DATA_PARTITION_MARKERS.some((m) => isFolder(m))) return 'tree';
  const dataMount = PARTITION_MOUNTS[0]!;
  const partitionMarkers = DATA_PARTITION_MARKERS.map((m) => `${dataMount.stored}${m.slice(dataMount.device.length)}`);
  return partitionMarkers.some((m) => isFolder(m)) ? 'partitions' : null;
}

/** The stored paths of every layout's markers, for detectors that ask a file system once per path. */
export function layoutMarkerPaths(): string[] {
  const dataMount = PARTITION_MOUNTS[0]!;
  return [...DATA_PARTITION_MARKERS, ...DATA_PARTITION_MARKERS.map((m) => `${dataMount.stored}${m.slice(dataMount.device.length)}`)];
}

function under(path: string, folder: string): string | null {
  if (folder === '') return path;
  if (path === folder) return '';
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : null;
}

const joined = (a: string, b: string) => (a === '' ? b : b === '' ? a : `${a}/${b}`);

/**
 * The dump's stored tree seen through `mounts`. A device path is looked for in the most specific mount first,
 * then in the mounts below it (the system volume's own `/private/var`, which the data volume covers on the
 * phone): an entry there that the data volume also has is hidden, as on the device, and one it lacks stays
 * visible (nothing the dump holds is dropped). Stored entries outside every mount (`extra/`, `metadata1/`:
 * the extraction tool's own files) are not device files and are not listed. Links are followed inside their
 * own partition folder only (a link of the system volume into `/private/var` is not followed across).
 */
export class MountedFiles implements StoredFiles {
  readonly root: string;
  private readonly mounts: readonly Mount[];

  constructor(
    private readonly inner: StoredFiles,
    mounts: readonly Mount[],
  ) {
    this.root = inner.root;
    this.mounts = [...mounts].sort((a, b) => b.device.length - a.device.length);
  }

  get layer() {
    return this.inner.layer;
  }

  get readsCostAPass(): boolean {
    return this.inner.readsCostAPass;
  }

  /** Where a device path may be stored, most specific mount first. */
  private candidates(rel: string): string[] {
    const out: string[] = [];
    for (const m of this.mounts) {
      const rest = under(rel, m.device);
      if (rest !== null) out.push(joined(m.stored, rest));
    }
    return out;
  }

  /** A device folder that exists only because a mount sits below it (`/private` when filesystem1 lacks it). */
  private isMountAncestor(rel: string): boolean {
    return this.mounts.some((m) => m.device !== rel && under(m.device, rel) !== null);
  }

  /** The stored path a device path is read from: the first candidate that holds anything, else the first. */
  toStored(rel: string): string {
    const all = this.candidates(rel);
    return all.find((c) => this.inner.locate(c).kind !== 'absent' || this.inner.locateFolder(c).kind !== 'absent') ?? all[0] ?? rel;
  }

  /** The device path of a stored path, or null for a stored path outside every mount. */
  toDevice(stored: string): string | null {
    for (const m of this.mounts) {
      const rest = under(stored, m.stored);
      if (rest !== null) return joined(m.device, rest);
    }
    return null;
  }

  locate(rel: string): StoredLocation {
    for (const c of this.candidates(rel)) {
      const where = this.inner.locate(c);
      if (where.kind !== 'absent' || this.inner.locateFolder(c).kind === 'folder') return where;
    }
    return { kind: 'absent' };
  }

  locateFolder(rel: string): FolderLocation {
    for (const c of this.candidates(rel)) {
      const where = this.inner.locateFolder(c);
      if (where.kind !== 'absent' || this.inner.locate(c).kind !== 'absent') return where;
    }
    return this.isMountAncestor(rel) ? { kind: 'folder' } : { kind: 'absent' };
  }

  sizeOf(rel: string, what: string): number {
    return this.inner.sizeOf(this.toStored(rel), what);
  }

  metaOf(rel: string): FileMeta {
    return this.inner.metaOf(this.toStored(rel));
  }

  namesIn(rel: string): string[] {
    const names = new Set<string>();
    for (const c of this.candidates(rel)) for (const n of this.inner.namesIn(c)) names.add(n);
    for (const m of this.mounts) {
      const rest = under(m.device, rel);
      if (rest !== null && rest !== '') names.add(rest.split('/')[0]!);
    }
    return [...names];
  }

  displayPath(rel: string): string {
    return this.inner.displayPath(this.toStored(rel));
  }

  read(rel: string, what: string): Promise<Buffer> {
    return this.inner.read(this.toStored(rel), what);
  }

  openStream(rel: string, what: string): Promise<Readable> {
    if (!this.inner.openStream) return this.inner.read(this.toStored(rel), what).then((data) => Readable.from([data]));
    return this.inner.openStream(this.toStored(rel), what);
  }

  copyOut(rel: string, what: string, log: InputLog, label: string, dest: string, transform?: StreamTransform): Promise<number> {
    return this.inner.copyOut(this.toStored(rel), what, log, label, dest, transform);
  }

  largeSqlite(rel: string, what: string, log: InputLog, label: string, sidecars: { wal?: string; shm?: string }): Promise<SqliteInput> {
    const mapped = {
      ...(sidecars.wal !== undefined ? { wal: this.toStored(sidecars.wal) } : {}),
      ...(sidecars.shm !== undefined ? { shm: this.toStored(sidecars.shm) } : {}),
    };
    return this.inner.largeSqlite(this.toStored(rel), what, log, label, mapped);
  }

  prefetch(rels: readonly string[]): Promise<void> {
    return this.inner.prefetch(rels.map((r) => this.toStored(r)));
  }

  /** Device paths; an entry a more specific mount hides is skipped, and mount ancestors the dump lacks are added. */
  async *list(): AsyncIterable<StoredEntry> {
    const ancestors = new Set<string>();
    for (const m of this.mounts) for (let d = m.device; d !== ''; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') ancestors.add(d);
    const listed = new Set<string>();
    for await (const entry of this.inner.list()) {
      const device = this.toDevice(entry.path);
      if (device === null || device === '') continue;
      if (this.candidates(device)[0] !== entry.path && this.toStored(device) !== entry.path) continue;
      if (ancestors.has(device)) {
        if (listed.has(device)) continue;
        listed.add(device);
      }
      yield { ...entry, path: device, storedPath: entry.path };
    }
    // A folder the phone has only because a volume is mounted below it: stored nowhere.
    for (const a of [...ancestors].sort()) if (!listed.has(a)) yield { type: 'directory', path: a, storedPath: this.toStored(a) };
  }

  notes(): string[] {
    return this.inner.notes();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
