/**
 * A full-filesystem dump of an iPhone (`private/var/…` at its root), as a folder or inside a zip, tar or
 * tar.gz (stored-files.ts), possibly below one leading folder. Files are
 * addressed by device path; SQLite is opened from a private copy with its -wal/-shm so rows that live
 * only in the WAL are read and nothing is created beside the evidence.
 *
 * Links: a dump keeps the phone's own symlinks (`var` → `private/var`, `/etc` → `private/etc`, app
 * containers), so links are followed while they resolve inside the dump's real root. A link that leads out
 * of it (planted, or an absolute link of the phone now pointing into the analyst's machine) is never followed:
 * the file is reported missing with the reason "link to outside the acquisition: not read".
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { segmentGlobToRegExp } from './_glob.js';
import { realRoot } from './contained.js';
import type { InputLog } from './input-log.js';
import { sqliteLimits, openSqlite, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, EvidenceRef, FileSpec, Source } from './source.js';
import { FolderFiles, type StoredFiles } from './stored-files.js';

/** Folders only a dump of an iPhone's data partition has at its root. */
export const IOS_FS_MARKERS = ['private/var/mobile', 'private/var/wireless'] as const;

export function looksLikeIosFilesystem(dir: string): boolean {
  return IOS_FS_MARKERS.some((marker) => existsSync(join(dir, marker)));
}

export function openIosFilesystem(root: string, inputs: InputLog): Source {
  return openIosFilesystemIn(new FolderFiles(realRoot(root), 'links-inside'), inputs);
}

/** A dump wherever its files are stored (`files` follows the phone's links while they stay inside). The source closes `files`. */
export function openIosFilesystemIn(files: StoredFiles, inputs: InputLog): Source {
  return new IosFilesystemSource(files, inputs);
}

interface GlobHit {
  readonly rel: string;
  /** Set when the path exists but leads out of the dump (or is not a regular file). */
  readonly refused?: string;
}

/** `rel` extended by the remaining segments up to the first wildcard. */
function literalRest(rel: string, rest: readonly string[]): string {
  const literal = rest.findIndex((seg) => seg.includes('*'));
  return [rel, ...(literal === -1 ? rest : rest.slice(0, literal))].join('/');
}

class IosFilesystemSource implements Source {
  readonly kind = 'ios-fs' as const;
  readonly root: string;

  constructor(
    private readonly files: StoredFiles,
    private readonly inputs: InputLog,
  ) {
    this.root = files.root;
  }

  describe(): AcquisitionInfo {
    return { kind: this.kind, root: this.root, encrypted: false, ...(this.files.layer ? { container: this.files.layer } : {}) };
  }

  /** Reads every file the device globs name (and their -wal) in one pass when reads cost a pass (a tar.gz). */
  async prepare(specs: readonly FileSpec[]): Promise<void> {
    if (!this.files.readsCostAPass) return;
    const paths: string[] = [];
    for (const spec of specs) {
      if (spec.by !== 'device-glob') continue;
      for (const hit of this.glob(spec.pattern)) {
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

  private refTo(storedPath: string): EvidenceRef {
    return { root: this.root, storedPath, ...(this.files.layer ? { container: this.files.layer } : {}) };
  }

  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'device-glob') return [];
    return this.glob(spec.pattern).filter((h) => h.refused === undefined).map((h) => this.fileAt(h.rel));
  }

  /** Paths the pattern names that exist but were refused (links out of the dump), with the reason. */
  async missing(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'device-glob') return [];
    return this.glob(spec.pattern)
      .filter((h) => h.refused !== undefined)
      .map((h) => ({ ref: this.refTo(h.rel), devicePath: `/${h.rel}`, refused: h.refused! }));
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const rel = file.ref.storedPath;
    const data = await this.files.read(rel, rel);
    this.inputs.record(this.files.displayPath(rel), rel, data);
    return data;
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const rel = file.ref.storedPath;
    // A sidecar that is a link out of the dump is not read, like any other such link.
    const wal = this.sidecar(`${rel}-wal`);
    const shm = this.sidecar(`${rel}-shm`);
    if (!wal && this.files.sizeOf(rel, rel) <= sqliteLimits.maxInMemoryBytes) return openSqlite({ kind: 'buffer', data: await this.read(file) }, rel);
    return openSqlite(await this.files.largeSqlite(rel, rel, this.inputs, rel, { ...(wal ? { wal } : {}), ...(shm ? { shm } : {}) }), rel);
  }

  async close(): Promise<void> {
    await this.files.close();
  }

  private sidecar(rel: string): string | undefined {
    return this.files.locate(rel).kind === 'file' ? rel : undefined;
  }

  private fileAt(rel: string): EvidenceFile {
    return { ref: this.refTo(rel), devicePath: `/${rel}`, ...this.files.metaOf(rel) };
  }

  /**
   * Expands a device-path pattern segment by segment; `*` never crosses `/`. Folders and files are reached
   * through links only while they stay inside the dump; the last segment's refused paths are kept with why.
   */
  private glob(pattern: string): GlobHit[] {
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
          if (!last) {
            const folder = this.files.locateFolder(rel);
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
    return this.files.namesIn(dir).filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b));
  }
}
