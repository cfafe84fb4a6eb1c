/**
 * `openFileSystem` recognises a container by its content, never its extension, and anything else gets one
 * line naming the file and what was expected.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { gzip, rawTar, rawZip } from '../../fixtures/archives.js';

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-open-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const path = join(base, name);
  writeFileSync(path, bytes);
  return path;
}

/** A v7 tar header: the ustar magic and version blanked, the checksum recomputed. */
function v7Tar(): Buffer {
  const tar = rawTar([{ name: 'old.txt', data: 'from 1979' }]);
  tar.fill(0, 257, 265);
  tar.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return tar;
}

async function failure(path: string): Promise<UserError> {
  return openFileSystem(path).then(
    () => {
      throw new Error(`${path} opened`);
    },
    (err: unknown) => err as UserError,
  );
}

describe('openFileSystem: recognised by content', () => {
  it.each([
    ['a zip named .tar', 'zip-in-disguise.tar', async () => rawZip([{ name: 'in.txt', data: 'zip' }]), 'zip'],
    ['a tar named .zip', 'tar-in-disguise.zip', async () => rawTar([{ name: 'in.txt', data: 'tar' }]), 'tar'],
    ['a tar.gz with no extension', 'noext', async () => gzip(rawTar([{ name: 'in.txt', data: 'gz' }])), 'tar.gz'],
    ['an old v7 tar (no ustar magic)', 'old.tar', async () => v7Tar(), 'tar'],
  ] as const)('%s', async (_label, name, build, kind) => {
    const fs = await openFileSystem(file(name, await build()));
    expect(fs.kind).toBe(kind);
    const entries: string[] = [];
    for await (const e of fs.entries()) entries.push(e.path);
    expect(entries.length).toBe(1);
    await fs.close();
  });

  it('a folder, also through a link to it; its location is the real path', async () => {
    const real = join(base, 'real-folder');
    mkdirSync(real);
    symlinkSync(real, join(base, 'link-to-folder'));
    const fs = await openFileSystem(join(base, 'link-to-folder'));
    expect(fs.kind).toBe('dir');
    expect(fs.location).toBe(real);
    await fs.close();
  });
});

describe('openFileSystem: anything else is one line naming the file and what was expected', () => {
  const expected = 'expected a folder, a zip, a tar or a tar.gz';
  it.each([
    ['an empty file', 'empty.zip', '', (p: string) => `${p}: an empty file (${expected})`],
    ['a PNG', 'picture.zip', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), (p: string) => `${p}: not a zip, tar or tar.gz (it starts with bytes 89 50 4e 47; ${expected})`],
    ['a text file named .tar.gz', 'notes.tar.gz', 'just some notes\n'.repeat(100), (p: string) => `${p}: not a zip, tar or tar.gz (it starts with bytes 6a 75 73 74; ${expected})`],
    ['gzip of something that is not a tar', 'log.gz', gzip(Buffer.from('a log line\n'.repeat(100))), (p: string) => `${p}: gzip-compressed, but not a tar inside (${expected})`],
    ['a zero-filled file', 'zeros.tar', Buffer.alloc(10240), (p: string) => `${p}: starts with a block of zeros: an empty tar or not an archive (${expected})`],
  ])('%s', async (_label, name, bytes, message) => {
    const path = file(name, bytes);
    const err = await failure(path);
    expect(err).toBeInstanceOf(UserError);
    expect(err.code).toBe('bad-format');
    expect(err.message).toBe(message(path));
  });

  it('a missing path', async () => {
    const path = join(base, 'nothing-here');
    const err = await failure(path);
    expect(err.code).toBe('not-found');
    expect(err.message).toBe(`${path}: no such file or folder`);
  });

  it('a zip cut in half (no central directory)', async () => {
    const zip = await rawZip([{ name: 'a.txt', data: 'x'.repeat(5000) }, { name: 'b.txt', data: 'y' }]);
    const path = file('half.zip', zip.subarray(0, Math.floor(zip.length / 2)));
    const err = await failure(path);
    expect(err.code).toBe('bad-format');
    expect(err.message).toBe(`${path}: not a readable zip (End of central directory record signature not found. Either not a zip file, or file is truncated.)`);
  });

  it('a tar.gz cut before its first tar header', async () => {
    const gz = gzip(rawTar([{ name: 'a.txt', data: 'x' }]));
    const path = file('cut.tar.gz', gz.subarray(0, 12));
    const err = await failure(path);
    expect(err.message).toBe(`${path}: gzip-compressed, but it ends or breaks before the first tar header (${expected})`);
  });
});
