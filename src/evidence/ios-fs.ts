/**
 * A full-filesystem dump of an iPhone, extracted to a folder (`private/var/…` at its root). Files are
 * addressed by device path; SQLite is opened from a private copy with its -wal/-shm so rows that live
 * only in the WAL are read and nothing is created beside the evidence.
 *
 * Links: a dump keeps the phone's own symlinks (`var` → `private/var`, `/etc` → `private/etc`, app
 * containers), so links are followed while they resolve inside the dump's real root. A link that leads out
 * of it (planted, or an absolute link of the phone now pointing into the analyst's machine) is never followed:
 * the file is reported missing with the reason "link to outside the acquisition: not read".
 */
import { closeSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { segmentGlobToRegExp } from './_glob.js';
import { ContainedRoot, readOpened, realRoot } from './contained.js';
import type { InputLog } from './input-log.js';
import { sqliteLimits, openSqlite, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, Source } from './source.js';

export function looksLikeIosFilesystem(dir: string): boolean {
  return existsSync(join(dir, 'private', 'var', 'mobile')) || existsSync(join(dir, 'private', 'var', 'wireless'));
}

export function openIosFilesystem(root: string, inputs: InputLog): Source {
  return new IosFilesystemSource(new ContainedRoot(realRoot(root), 'links-inside'), inputs);
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
    private readonly files: ContainedRoot,
    private readonly inputs: InputLog,
  ) {
    this.root = files.root;
  }

  describe(): AcquisitionInfo {
    return { kind: this.kind, root: this.root, encrypted: false };
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
      .map((h) => ({ ref: { root: this.root, storedPath: h.rel }, devicePath: `/${h.rel}`, refused: h.refused! }));
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const opened = this.files.open(file.ref.storedPath, file.ref.storedPath);
    try {
      const data = readOpened(opened);
      this.inputs.record(join(this.root, file.ref.storedPath), file.ref.storedPath, data);
      return data;
    } finally {
      closeSync(opened.fd);
    }
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const rel = file.ref.storedPath;
    const opened = this.files.open(rel, rel);
    try {
      // A sidecar that is a link out of the dump is not read, like any other such link.
      const wal = this.sidecar(`${rel}-wal`);
      const shm = this.sidecar(`${rel}-shm`);
      if (!wal && opened.size <= sqliteLimits.maxInMemoryBytes) {
        const data = readOpened(opened);
        this.inputs.record(join(this.root, rel), rel, data);
        return openSqlite({ kind: 'buffer', data }, rel);
      }
      this.inputs.hashOpened(join(this.root, rel), rel, opened);
      if (wal) this.inputs.hashFileSync(wal, `${rel}-wal`);
      return openSqlite({ kind: 'file', path: opened.path, wal, shm }, rel);
    } finally {
      closeSync(opened.fd);
    }
  }

  async close(): Promise<void> {}

  private sidecar(rel: string): string | undefined {
    const where = this.files.locate(rel);
    return where.kind === 'file' ? where.path : undefined;
  }

  private fileAt(rel: string): EvidenceFile {
    const st = statSync(join(this.root, rel));
    return {
      ref: { root: this.root, storedPath: rel },
      devicePath: `/${rel}`,
      size: st.size,
      mode: st.mode,
      times: { modified: st.mtimeMs / 1000, changed: st.ctimeMs / 1000, born: st.birthtimeMs / 1000 },
    };
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
    let names: string[];
    try {
      names = readdirSync(join(this.root, dir));
    } catch {
      return [];
    }
    return names.filter((n) => re.test(n)).sort((a, b) => a.localeCompare(b));
  }
}
