/**
 * An acquisition that is a tree of files (an iOS filesystem dump, a sysdiagnose; later androidqf and
 * bugreport folders), wherever it is stored (stored-files.ts: a folder, zip, tar or tar.gz). Its files are
 * addressed by a path pattern of one spec kind (`device-glob` for a dump, `path-glob` for the rest); SQLite
 * is opened from a private copy with its -wal/-shm, so rows that live only in the WAL are read and nothing is
 * created beside the evidence. The sources differ only in their kind, the spec kind they answer and how a
 * stored path reads as a device path; everything else is here once.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { segmentGlobToRegExp } from './_glob.js';
import type { InputLog } from './input-log.js';
import { keepInMemory, openSqlite, sqliteLimits, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, EvidenceRef, FileSpec, ListedEntry, Source, SourceKind } from './source.js';
import type { StoredFiles } from './stored-files.js';

export interface TreeShape {
  readonly kind: SourceKind;
  /** The one spec kind this source answers; every other spec finds nothing. */
  readonly specKind: 'device-glob' | 'path-glob';
  /** The path the file had on the device, when the tree is the device's (a dump): `/private/var/…`. */
  readonly devicePath?: (storedPath: string) => string;
  /** What the source knows of the device and the acquisition, read when the run starts. */
  readonly describe?: () => Partial<Pick<AcquisitionInfo, 'device' | 'acquiredAt' | 'adbHostKey'>>;
}

interface GlobHit {
  readonly rel: string;
  /** Set when the path exists but leads out of the acquisition (or is not a regular file). */
  readonly refused?: string;
}

/** `rel` extended by the remaining segments up to the first wildcard. */
function literalRest(rel: string, rest: readonly string[]): string {
  const literal = rest.findIndex((seg) => seg.includes('*'));
  return [rel, ...(literal === -1 ? rest : rest.slice(0, literal))].join('/');
}

export class TreeSource implements Source {
  readonly kind: SourceKind;
  readonly root: string;
  private names: Promise<ReadonlySet<string>> | undefined;

  constructor(
    protected readonly files: StoredFiles,
    private readonly inputs: InputLog,
    private readonly shape: TreeShape,
  ) {
    this.kind = shape.kind;
    this.root = files.root;
  }

  describe(): AcquisitionInfo {
    return { kind: this.kind, root: this.root, encrypted: this.files.layer?.encryption !== undefined, ...this.shape.describe?.(), ...(this.files.layer ? { container: this.files.layer } : {}) };
  }

  /** Reads every file the globs name (and their -wal) in one pass when reads cost a pass (a tar.gz). */
  async prepare(specs: readonly FileSpec[]): Promise<void> {
    if (!this.files.readsCostAPass) return;
    const paths: string[] = [];
    for (const spec of specs) {
      if (spec.by !== this.shape.specKind || spec.folders) continue;
      for (const hit of this.glob(spec.pattern, false)) {
        if (hit.refused !== undefined) continue;
        paths.push(hit.rel);
        if (this.files.locate(`${hit.rel}-wal`).kind === 'file') paths.push(`${hit.rel}-wal`);
      }
    }
    await this.files.prefetch(paths);
  }

  notes(): readonly string[] {
    return this.files.notes();
  }

  /** Every entry once, paths as the source addresses them (device paths for a dump), each with the path it is stored at. */
  async *listing(): AsyncIterable<ListedEntry> {
    for await (const entry of this.files.list()) {
      if (entry.storedPath !== undefined) yield entry as ListedEntry;
      else yield { ...entry, storedPath: this.files.toStored?.(entry.path) ?? entry.path };
    }
  }

  fileNames(): Promise<ReadonlySet<string>> {
    this.names ??= (async () => {
      const names = new Set<string>();
      for await (const entry of this.files.list()) {
        if (entry.type === 'directory') continue;
        // Cut from the stored path, which the archive's index keeps anyway: a slice keeps its whole string alive,
        // and a dump's device path is a string made for this listing (a copy of every path, 5 MB per 50,000).
        const path = entry.storedPath ?? entry.path;
        names.add(path.slice(path.lastIndexOf('/') + 1));
      }
      return names;
    })();
    return this.names;
  }

  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== this.shape.specKind) return [];
    return this.glob(spec.pattern, spec.folders === true)
      .filter((h) => h.refused === undefined)
      .map((h) => this.fileAt(h.rel));
  }

  /** Paths the pattern names that exist but were refused (links out of the acquisition), with the reason. */
  async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== this.shape.specKind) return [];
    return this.glob(spec.pattern, spec.folders === true)
      .filter((h) => h.refused !== undefined)
      .map((h) => ({ ref: this.refTo(h.rel), ...this.deviceOf(h.rel), refused: h.refused! }));
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const rel = this.relOf(file);
    const data = await this.files.read(rel, rel);
    this.inputs.record(this.files.displayPath(rel), rel, data);
    return data;
  }

  /** Streamed, hashed on the way: logged in the input log when read to its end (a partial read is not a whole file's hash). */
  async stream(file: EvidenceFile): Promise<Readable> {
    const rel = this.relOf(file);
    const raw = this.files.openStream ? await this.files.openStream(rel, rel) : Readable.from([await this.files.read(rel, rel)]);
    const hash = createHash('sha256');
    let bytes = 0;
    const display = this.files.displayPath(rel);
    const inputs = this.inputs;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
      flush(done) {
        inputs.recordDigest(display, rel, hash.digest('hex'), bytes);
        done();
      },
    });
    raw.on('error', (err) => tap.destroy(err));
    tap.on('close', () => raw.destroy());
    return raw.pipe(tap);
  }

  async streamRange(file: EvidenceFile, start: number, end: number): Promise<Readable> {
    const rel = this.relOf(file);
    if (this.files.openRange) return this.files.openRange(rel, rel, start, end);
    const raw = this.files.openStream ? await this.files.openStream(rel, rel) : Readable.from([await this.files.read(rel, rel)]);
    return sliceStream(raw, start, end);
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const rel = this.relOf(file);
    // A sidecar that is a link out of the acquisition is not read, like any other such link.
    const wal = this.sidecar(`${rel}-wal`);
    const shm = this.sidecar(`${rel}-shm`);
    // In a folder, a private copy whatever the size (sqlite.ts, `copyFromFolders`; in a sealed run largeSqlite reads
    // it into memory instead); an archive's member in memory up to the bound.
    const copied = sqliteLimits.copyFromFolders && this.files.layer === undefined;
    if (!wal && !copied && keepInMemory(this.files.sizeOf(rel, rel), rel)) return openSqlite({ kind: 'buffer', data: await this.read(file) }, rel);
    return openSqlite(await this.files.largeSqlite(rel, rel, this.inputs, rel, { ...(wal ? { wal } : {}), ...(shm ? { shm } : {}) }), rel);
  }

  async close(): Promise<void> {
    await this.files.close();
  }

  private refTo(rel: string): EvidenceRef {
    const storedPath = this.files.toStored?.(rel) ?? rel;
    return { root: this.root, storedPath, ...(this.files.layer ? { container: this.files.layer } : {}) };
  }

  /** The path of this view a ref names (refs keep the stored path, which a layout may store elsewhere). */
  private relOf(file: EvidenceFile): string {
    const stored = file.ref.storedPath;
    return this.files.toDevice?.(stored) ?? stored;
  }

  private deviceOf(rel: string): { devicePath?: string } {
    return this.shape.devicePath ? { devicePath: this.shape.devicePath(rel) } : {};
  }

  private sidecar(rel: string): string | undefined {
    return this.files.locate(rel).kind === 'file' ? rel : undefined;
  }

  protected fileAt(rel: string): EvidenceFile {
    return { ref: this.refTo(rel), ...this.deviceOf(rel), ...this.files.metaOf(rel) };
  }

  /**
   * Expands a pattern segment by segment; `*` never crosses `/`. Folders and files are reached through links
   * only while they stay inside the acquisition; the last segment's refused paths are kept with why. The last
   * segment names files, or with `folders` folders.
   */
  private glob(pattern: string, folders: boolean): GlobHit[] {
    const segments = pattern.split('/').filter(Boolean);
    let current = [''];
    const hits: GlobHit[] = [];
    segments.forEach((seg, i) => {
      const last = i === segments.length - 1;
      const next: string[] = [];
      for (const dir of current) {
        const names = seg.includes('*') ? this.matchingNames(dir, seg) : [seg];
        for (const name of names) {
          const rel = dir ? `${dir}/${name}` : name;
          if (!last || folders) {
            const folder = this.files.locateFolder(rel);
            if (last) {
              if (folder.kind === 'folder') hits.push({ rel });
              else if (folder.kind === 'refused') hits.push({ rel, refused: folder.reason });
              continue;
            }
            if (folder.kind === 'folder') next.push(rel);
            // A folder leading out hides whatever the rest of the pattern names: reported at the deepest path known.
            else if (folder.kind === 'refused') hits.push({ rel: literalRest(rel, segments.slice(i + 1)), refused: folder.reason });
            continue;
          }
          const where = this.files.locate(rel);
          if (where.kind === 'file') hits.push({ rel });
          else if (where.kind === 'refused') hits.push({ rel, refused: where.reason });
        }
      }
      current = next;
    });
    return hits;
  }

  private matchingNames(dir: string, seg: string): string[] {
    const re = segmentGlobToRegExp(seg);
    return this.files
      .namesIn(dir)
      .filter((n) => re.test(n))
      .sort((a, b) => a.localeCompare(b));
  }
}

/** Bytes [start, end) of a stream read from its start: the prefix dropped, the source stopped once `end` is passed. */
export function sliceStream(raw: Readable, start: number, end: number): Readable {
  return Readable.from(
    (async function* () {
      let offset = 0;
      try {
        for await (const chunk of raw as AsyncIterable<Buffer>) {
          const base = offset;
          offset += chunk.length;
          if (offset <= start) continue;
          if (base >= end) return;
          yield chunk.subarray(Math.max(0, start - base), Math.min(chunk.length, end - base));
          if (offset >= end) return;
        }
      } finally {
        raw.destroy();
      }
    })(),
  );
}
