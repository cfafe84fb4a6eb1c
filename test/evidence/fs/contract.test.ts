/**
 * One contract, every container: the same tree as a folder, a zip, a tar (members named `./…`) and a tar.gz
 * must list the same entries and give the same bytes through every read path.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSystem, FileSystemKind, FsEntry } from '../../../src/evidence/fs/file-system.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { BIG_FILE_BYTES, OUTSIDE_SECRET, contractTree, noiseBytes, tarTree, writeContractTree, zipTree } from '../../fixtures/archives.js';

let base: string;
const paths = {} as Record<FileSystemKind, string>;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-contract-'));
  paths.dir = writeContractTree(base);
  mkdirSync(join(base, 'archives'));
  paths.zip = join(base, 'archives', 'tree.zip');
  paths.tar = join(base, 'archives', 'tree.tar');
  paths['tar.gz'] = join(base, 'archives', 'tree.tar.gz');
  await zipTree(paths.dir, paths.zip);
  await tarTree(paths.dir, paths.tar, { gzip: false, dotRoot: true });
  await tarTree(paths.dir, paths['tar.gz'], { gzip: true });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

/** What every container must list: path → type (and size for files, target for links). */
const expectedEntries: Record<string, string> = {
  'big.bin': `file ${BIG_FILE_BYTES}`,
  docs: 'directory',
  'docs/nested': 'directory',
  'docs/nested/deep': 'directory',
  'docs/nested/deep/leaf.txt': 'file 4',
  'docs/readme.txt': 'file 6',
  'empty-folder': 'directory',
  'empty.txt': 'file 0',
  links: 'directory',
  'links/inside': 'symlink -> ../docs/readme.txt',
  'links/outside': 'symlink -> ../../outside-secret.txt',
  'naïve café': 'directory',
  'naïve café/日本語.txt': `file ${Buffer.byteLength('unicode ✓\n')}`,
  'with space': 'directory',
  'with space/a file.txt': 'file 6',
};

function describeEntry(e: FsEntry): string {
  if (e.type === 'file') return `file ${e.size}`;
  if (e.type === 'symlink') return `symlink -> ${e.linkTarget}`;
  return e.type;
}

async function listing(fs: FileSystem): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of fs.entries()) {
    expect(out[e.path], `listed twice: ${e.path}`).toBeUndefined();
    out[e.path] = describeEntry(e);
  }
  return out;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const regularFiles = Object.entries(contractTree()).filter((e): e is [string, string | Buffer] => typeof e[1] === 'string' || Buffer.isBuffer(e[1]));

describe.each(['dir', 'zip', 'tar', 'tar.gz'] as const)('file-system contract: %s', (kind) => {
  let fs: FileSystem;
  beforeAll(async () => {
    fs = await openFileSystem(paths[kind]);
  });
  afterAll(async () => {
    await fs.close();
  });

  it('is recognised by its content, whole, with nothing refused', () => {
    expect(fs.kind).toBe(kind);
    expect(fs.randomAccess).toBe(kind !== 'tar.gz');
    expect(fs.damage).toBeNull();
    expect(fs.refused).toEqual([]);
  });

  it('lists the same entries (paths, types, sizes, link targets) with parents implied', async () => {
    expect(await listing(fs)).toEqual(expectedEntries);
  });

  it('gives every file mtime and permission bits', async () => {
    const readme = await fs.stat('docs/readme.txt');
    expect(readme?.mtimeMs).toBeGreaterThan(Date.UTC(2000, 0, 1));
    expect(readme?.mode).toBe(0o644);
  });

  it('gives the same bytes through read, openStream and readMany', async () => {
    for (const [path, content] of regularFiles) {
      const want = Buffer.from(content);
      expect(sha(await fs.read(path, { maxBytes: 2 * 1024 * 1024 })), path).toBe(sha(want));
      expect(sha(await drain(await fs.openStream(path))), path).toBe(sha(want));
    }
    const served: Record<string, string> = {};
    const unserved = await fs.readMany(['big.bin', 'links/outside', 'missing.txt', ...regularFiles.map(([p]) => p), 'docs'], async (file, content) => {
      served[file.path] = sha(await drain(content));
    });
    expect(served).toEqual(Object.fromEntries(regularFiles.map(([p, c]) => [p, sha(Buffer.from(c))])));
    expect(unserved).toEqual(['docs', 'links/outside', 'missing.txt']);
  });

  it('readMany serves a callback that reads nothing and moves on', async () => {
    const seen: string[] = [];
    const unserved = await fs.readMany(['big.bin', 'docs/readme.txt'], async (file) => {
      seen.push(file.path);
    });
    expect(seen.sort()).toEqual(['big.bin', 'docs/readme.txt']);
    expect(unserved).toEqual([]);
  });

  it('accepts device-style paths (leading /) and refuses paths outside normal form', async () => {
    expect((await fs.stat('/docs/readme.txt'))?.type).toBe('file');
    expect(await fs.stat('docs/../docs/readme.txt')).toBeNull();
    expect(await fs.stat('docs\u0000/readme.txt')).toBeNull();
  });

  it('stat of a missing path is null', async () => {
    expect(await fs.stat('docs/missing.txt')).toBeNull();
    expect(await fs.stat('nowhere/at/all')).toBeNull();
  });

  it('a read over maxBytes fails with one line naming the member and the container', async () => {
    const err = await fs.read('big.bin', { maxBytes: 1024 * 1024 }).then(
      () => new Error('read did not fail'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toBe(`big.bin in ${fs.location}: ${BIG_FILE_BYTES} bytes, more than the 1048576-byte read limit`);
    expect(err.message).not.toContain('\n');
  });

  it('never follows a link, inside or out', async () => {
    await expect(fs.read('links/outside', { maxBytes: 1024 })).rejects.toThrow(
      `links/outside in ${fs.location}: a symbolic link (to "../../outside-secret.txt"): links are never followed`,
    );
    await expect(fs.openStream('links/inside')).rejects.toThrow('links are never followed');
    // Nor through a folder: a path below a link is not in the layer.
    expect(await fs.stat('links/inside/x')).toBeNull();
    const served: string[] = [];
    await fs.readMany(['links/outside'], async (_f, c) => void served.push((await drain(c)).toString()));
    expect(served).not.toContain(OUTSIDE_SECRET);
    expect(served).toEqual([]);
  });

  it('reading a folder or a missing file fails with one line', async () => {
    await expect(fs.read('docs', { maxBytes: 10 })).rejects.toThrow(`docs in ${fs.location}: a folder, not a file`);
    await expect(fs.read('docs/missing.txt', { maxBytes: 10 })).rejects.toThrow(`docs/missing.txt in ${fs.location}: no such file`);
  });
});

describe('the big file', () => {
  it('is noise, so no container compresses it into looking like a bomb', () => {
    expect(noiseBytes(BIG_FILE_BYTES).length).toBe(BIG_FILE_BYTES);
  });
});
