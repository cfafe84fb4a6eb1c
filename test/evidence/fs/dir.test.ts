/**
 * What only a real folder can do to a reader: links to folders, FIFOs, names with control characters, files
 * swapped for links after the walk, files that grow after they were listed.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileSystem } from '../../../src/evidence/fs/file-system.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { writeTree } from '../../fixtures/archives.js';

let base: string;
let root: string;
let fs: FileSystem;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-dir-'));
  mkdirSync(join(base, 'elsewhere'));
  writeFileSync(join(base, 'elsewhere', 'secret.txt'), 'not evidence');
  root = join(base, 'root');
  writeTree(root, {
    'docs/readme.txt': 'hello',
    'link-to-folder-inside': { symlink: 'docs' },
    'link-to-folder-outside': { symlink: '../elsewhere' },
    'bad\nname.txt': 'control char',
    'grows.txt': '12345',
    'swapped.txt': 'original',
  });
  execFileSync('mkfifo', [join(root, 'pipe')]);
  fs = await openFileSystem(root);
});
afterAll(async () => {
  await fs.close();
  rmSync(base, { recursive: true, force: true });
});

async function listing(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of fs.entries()) out[e.path] = e.type === 'symlink' ? `symlink -> ${e.linkTarget}` : e.type;
  return out;
}

describe('dir file system', () => {
  it('walks with lstat: links are entries, never descended into; a FIFO is "other"; a control-character name is refused', async () => {
    expect(await listing()).toEqual({
      docs: 'directory',
      'docs/readme.txt': 'file',
      'grows.txt': 'file',
      'link-to-folder-inside': 'symlink -> docs',
      'link-to-folder-outside': 'symlink -> ../elsewhere',
      pipe: 'other',
      'swapped.txt': 'file',
    });
    expect(fs.refused).toEqual([{ name: 'bad\\x0aname.txt', reason: 'control character in the name' }]);
  });

  it('a path through a linked folder is not in the layer, inside or out', async () => {
    expect(await fs.stat('link-to-folder-inside/readme.txt')).toBeNull();
    expect(await fs.stat('link-to-folder-outside/secret.txt')).toBeNull();
    await expect(fs.read('link-to-folder-outside/secret.txt', { maxBytes: 100 })).rejects.toThrow(
      `link-to-folder-outside/secret.txt in ${root}: no such file`,
    );
    expect(await fs.readMany(['link-to-folder-outside/secret.txt'], async () => {})).toEqual(['link-to-folder-outside/secret.txt']);
  });

  it('a FIFO is refused without blocking the read', async () => {
    await expect(fs.read('pipe', { maxBytes: 100 })).rejects.toThrow(`pipe in ${root}: not a regular file: not read`);
  });

  it('a file swapped for a link after the walk is not followed', async () => {
    expect((await fs.stat('swapped.txt'))?.type).toBe('file');
    unlinkSync(join(root, 'swapped.txt'));
    symlinkSync('../elsewhere/secret.txt', join(root, 'swapped.txt'));
    await expect(fs.read('swapped.txt', { maxBytes: 100 })).rejects.toThrow('links are never followed');
  });

  it('reads stop at the size fstat gives when the file is opened', async () => {
    const stream = await fs.openStream('grows.txt');
    appendFileSync(join(root, 'grows.txt'), '678');
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('12345');
    expect((await fs.read('grows.txt', { maxBytes: 100 })).toString()).toBe('12345678');
  });

  it('a closed file system refuses further use with one line', async () => {
    const other = await openFileSystem(root);
    await other.close();
    await expect(other.stat('docs')).rejects.toThrow(`${root}: file system already closed`);
  });
});
