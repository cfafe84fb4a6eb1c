/**
 * A full-filesystem dump of an iPhone, extracted to a folder (`private/var/…` at its root). Files are
 * addressed by device path; SQLite is opened from a private copy with its -wal/-shm so rows that live
 * only in the WAL are read and nothing is created beside the evidence.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { segmentGlobToRegExp } from './_glob.js';
import type { InputLog } from './input-log.js';
import { sqliteLimits, openSqlite, type SqliteHandle } from './sqlite.js';
import type { AcquisitionInfo, EvidenceFile, FileSpec, Source } from './source.js';

export function looksLikeIosFilesystem(dir: string): boolean {
  return existsSync(join(dir, 'private', 'var', 'mobile')) || existsSync(join(dir, 'private', 'var', 'wireless'));
}

export function openIosFilesystem(root: string, inputs: InputLog): Source {
  return new IosFilesystemSource(root, inputs);
}

class IosFilesystemSource implements Source {
  readonly kind = 'ios-fs' as const;

  constructor(
    readonly root: string,
    private readonly inputs: InputLog,
  ) {}

  describe(): AcquisitionInfo {
    return { kind: this.kind, root: this.root, encrypted: false };
  }

  async find(spec: FileSpec): Promise<EvidenceFile[]> {
    if (spec.by !== 'device-glob') return [];
    return globSegments(this.root, spec.pattern.split('/').filter(Boolean)).map((rel) => this.fileAt(rel));
  }

  async missing(): Promise<EvidenceFile[]> {
    return [];
  }

  async read(file: EvidenceFile): Promise<Buffer> {
    const path = join(this.root, file.ref.storedPath);
    const data = await readFile(path);
    this.inputs.record(path, file.ref.storedPath, data);
    return data;
  }

  async openSqlite(file: EvidenceFile): Promise<SqliteHandle> {
    const path = join(this.root, file.ref.storedPath);
    const wal = existsSync(`${path}-wal`) ? `${path}-wal` : undefined;
    const shm = existsSync(`${path}-shm`) ? `${path}-shm` : undefined;
    if (!wal && (file.size ?? 0) <= sqliteLimits.maxInMemoryBytes) {
      return openSqlite({ kind: 'buffer', data: await this.read(file) }, file.ref.storedPath);
    }
    this.inputs.hashFileSync(path, file.ref.storedPath);
    if (wal) this.inputs.hashFileSync(wal, `${file.ref.storedPath}-wal`);
    return openSqlite({ kind: 'file', path, wal, shm }, file.ref.storedPath);
  }

  async close(): Promise<void> {}

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
}

/** Expands a device-path pattern segment by segment; `*` never crosses `/` and symlinks are not followed. */
function globSegments(root: string, segments: string[]): string[] {
  let current = [''];
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!seg.includes('*')) {
        const rel = dir ? `${dir}/${seg}` : seg;
        if (exists(root, rel, last)) next.push(rel);
        continue;
      }
      const re = segmentGlobToRegExp(seg);
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(join(root, dir), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (!re.test(e.name) || e.isSymbolicLink()) continue;
        if (last ? e.isFile() : e.isDirectory()) next.push(dir ? `${dir}/${e.name}` : e.name);
      }
    }
    current = next;
  });
  return current;
}

function exists(root: string, rel: string, wantFile: boolean): boolean {
  try {
    const st = statSync(join(root, rel));
    return wantFile ? st.isFile() : st.isDirectory();
  } catch {
    return false;
  }
}
