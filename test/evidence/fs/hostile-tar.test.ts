/**
 * Hostile and damaged tars, plain and gzip-compressed: the same name rules as zip, links listed and never
 * followed, truncation and gzip bombs reported as one line of damage with the members before it readable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FileSystem } from '../../../src/evidence/fs/file-system.js';
import { archiveLimits } from '../../../src/evidence/fs/limits.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { gzip, noiseBytes, rawTar, type RawTarMember } from '../../fixtures/archives.js';

let base: string;
let counter = 0;
const defaults = { ...archiveLimits };

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-tar-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
afterEach(() => Object.assign(archiveLimits, defaults));

function archiveFile(bytes: Buffer, ext: string): string {
  const path = join(base, `t${counter++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

type Packing = 'tar' | 'tar.gz';
const pack = (tar: Buffer, packing: Packing) => archiveFile(packing === 'tar' ? tar : gzip(tar), packing);

async function paths(fs: FileSystem): Promise<string[]> {
  const out: string[] = [];
  for await (const e of fs.entries()) out.push(e.path);
  return out.sort();
}

const read = (fs: FileSystem, path: string) => fs.read(path, { maxBytes: 10 * 1024 * 1024 }).then((b) => b.toString());

const longName = `long/${'n'.repeat(140)}.txt`;
const hostileMembers: RawTarMember[] = [
  { name: 'good.txt', data: 'good' },
  { name: '/etc/passwd', data: 'x' },
  { name: '../evil.txt', data: 'x' },
  { name: 'a/../../evil.txt', data: 'x' },
  { name: 'back\\..\\slash.txt', data: 'x' },
  { name: 'ctl\u001b.txt', data: 'x' },
  { name: 'dup.txt', data: 'first' },
  { name: 'dup.txt', data: 'second' },
  { name: 'link-out', type: '2', linkpath: '/etc/passwd' },
  { name: 'hard-good', type: '1', linkpath: 'good.txt' },
  { name: 'hard-out', type: '1', linkpath: '../../etc/passwd' },
  { name: longName, data: 'long', pax: true },
  { name: '../pax-evil.txt', data: 'x', pax: true },
  { name: 'sparse.bin', type: 'S', data: 'x' },
  { name: 'dev/null-ish', type: '3' },
  { name: './folder/', type: '5' },
  { name: 'good.txt/child.txt', data: 'x' },
  { name: 'link-out/through.txt', data: 'x' },
  { name: 'after.txt', data: 'still read' },
];

describe.each(['tar', 'tar.gz'] as const)('%s: hostile members', (packing) => {
  let fs: FileSystem;
  beforeAll(async () => {
    fs = await openFileSystem(pack(rawTar(hostileMembers), packing));
  });
  afterAll(() => fs.close());

  it('refuses each unsafe member with its reason, printable on one line', () => {
    expect(fs.kind).toBe(packing);
    expect(fs.refused).toEqual([
      { name: '../evil.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'a/../../evil.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'back\\\\..\\\\slash.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'ctl\\x1b.txt', reason: 'control character in the name' },
      { name: 'dup.txt', reason: 'duplicate name: the first member with this name is used' },
      { name: 'hard-out', reason: 'hard link to ../../etc/passwd, which is not an earlier file in this archive' },
      { name: '../pax-evil.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'sparse.bin', reason: 'GNU sparse member: not supported, not read' },
      { name: 'good.txt/child.txt', reason: 'inside good.txt, which is a file in this archive, not a folder' },
      { name: 'link-out/through.txt', reason: 'inside link-out, which is a symbolic link in this archive, not a folder' },
    ]);
    expect(fs.damage).toBeNull();
  });

  it('keeps the good members readable: first duplicate, hard link to an earlier file, pax long name', async () => {
    expect(await paths(fs)).toEqual(['after.txt', 'dev', 'dev/null-ish', 'dup.txt', 'etc', 'etc/passwd', 'folder', 'good.txt', 'hard-good', 'link-out', 'long', longName].sort());
    expect(await read(fs, 'good.txt')).toBe('good');
    expect(await read(fs, 'dup.txt')).toBe('first');
    expect(await read(fs, 'hard-good')).toBe('good');
    expect(await read(fs, longName)).toBe('long');
    expect(await read(fs, 'after.txt')).toBe('still read');
    expect(await fs.stat('dev/null-ish')).toMatchObject({ type: 'other' });
    await expect(fs.read('dev/null-ish', { maxBytes: 1 })).rejects.toThrow('not a regular file: not read');
  });

  it('serves a file and a hard link to it from one pass', async () => {
    const served: Record<string, string> = {};
    const unserved = await fs.readMany(['hard-good', 'good.txt', 'after.txt', 'link-out', 'sparse.bin'], async (file, content) => {
      const chunks: Buffer[] = [];
      for await (const c of content as AsyncIterable<Buffer>) chunks.push(c);
      served[file.path] = Buffer.concat(chunks).toString();
    });
    expect(served).toEqual({ 'good.txt': 'good', 'hard-good': 'good', 'after.txt': 'still read' });
    expect(unserved).toEqual(['link-out', 'sparse.bin']);
  });

  it('lists a link out with its target and never follows it', async () => {
    expect(await fs.stat('link-out')).toMatchObject({ type: 'symlink', linkTarget: '/etc/passwd' });
    await expect(fs.read('link-out', { maxBytes: 100 })).rejects.toThrow('a symbolic link (to "/etc/passwd"): links are never followed');
  });
});

describe.each(['tar', 'tar.gz'] as const)('%s: GNU long names', (packing) => {
  it('a GNU long name (type L) names the next member, and is checked like any name', async () => {
    const gnuName = `gnu/${'g'.repeat(150)}.txt`;
    const tar = rawTar([
      { name: '././@LongLink', type: 'L', data: `${gnuName}\0` },
      { name: gnuName.slice(0, 99), data: 'gnu long' },
      { name: '././@LongLink', type: 'L', data: `../${'e'.repeat(120)}\0` },
      { name: 'short-alias.txt', data: 'x' },
    ]);
    const fs = await openFileSystem(pack(tar, packing));
    expect(await paths(fs)).toEqual(['gnu', gnuName]);
    expect(await read(fs, gnuName)).toBe('gnu long');
    expect(fs.refused).toEqual([{ name: `../${'e'.repeat(120)}`, reason: 'parent-folder component (..) in the name' }]);
    await fs.close();
  });
});

/** Three members; the middle one is big noise so a cut lands inside it. */
function threeMembers(): Buffer {
  return rawTar([
    { name: 'a.txt', data: 'first member' },
    { name: 'b.bin', data: noiseBytes(200_000) },
    { name: 'c.txt', data: 'never reached' },
  ]);
}

describe.each(['tar', 'tar.gz'] as const)('%s: damage', (packing) => {
  it('a truncated archive gives the members before the damage and one line saying where it broke', async () => {
    const whole = packing === 'tar' ? threeMembers() : gzip(threeMembers());
    const fs = await openFileSystem(archiveFile(whole.subarray(0, Math.floor(whole.length * 0.6)), packing));
    expect(await paths(fs)).toEqual(['a.txt']);
    expect(fs.damage).toMatch(/^truncated at byte \d+: "b\.bin" has \d+ of its 200000 bytes$/);
    expect(await read(fs, 'a.txt')).toBe('first member');
    expect(await fs.readMany(['a.txt', 'b.bin'], async () => {})).toEqual(['b.bin']);
    await fs.close();
  });

  it('an archive without its end-of-archive marker says so (a cut exactly between members)', async () => {
    const fs = await openFileSystem(pack(rawTar([{ name: 'only.txt', data: 'x' }], { end: false }), packing));
    expect(await paths(fs)).toEqual(['only.txt']);
    expect(fs.damage).toBe('ends at byte 1024 without the end-of-archive marker (truncated?)');
    await fs.close();
  });

  it('a header whose size lies desynchronises the walk: the damage is named, earlier members kept', async () => {
    const tar = rawTar([
      { name: 'before.txt', data: 'kept' },
      { name: 'liar.txt', data: 'short', declaredSize: 1024 },
      { name: 'lost.txt', data: noiseBytes(3000) },
    ]);
    const fs = await openFileSystem(pack(tar, packing));
    expect(await paths(fs)).toEqual(['before.txt', 'liar.txt']);
    expect(fs.damage).toBe('bad header checksum at byte 2560: not a tar header (damaged archive?)');
    expect(await read(fs, 'before.txt')).toBe('kept');
    await fs.close();
  });

  it('stops listing at maxMembers with one line of damage, exactly at the bound', async () => {
    const path = pack(rawTar([1, 2, 3].map((i) => ({ name: `m${i}.txt`, data: `${i}` }))), packing);
    archiveLimits.maxMembers = 3;
    const whole = await openFileSystem(path);
    expect(whole.damage).toBeNull();
    await whole.close();
    archiveLimits.maxMembers = 2;
    const cut = await openFileSystem(path);
    expect(cut.damage).toBe('more than 2 members: the rest are not listed');
    expect(await paths(cut)).toEqual(['m1.txt', 'm2.txt']);
    expect(await read(cut, 'm2.txt')).toBe('2');
    await cut.close();
  });

  it('refuses a pax header longer than maxTarMetaHeaderBytes, exactly at the bound', async () => {
    const tar = rawTar([
      { name: 'first.txt', data: '1' },
      { name: longName, data: 'long', pax: true },
    ]);
    // The pax body for `path=<long name>`: "<len> path=<name>\n".
    const body = `path=${longName}\n`;
    const paxBytes = `${body.length + 4} ${body}`.length;
    archiveLimits.maxTarMetaHeaderBytes = paxBytes;
    const atLimit = await openFileSystem(pack(tar, packing));
    expect(atLimit.damage).toBeNull();
    expect(await read(atLimit, longName)).toBe('long');
    await atLimit.close();
    archiveLimits.maxTarMetaHeaderBytes = paxBytes - 1;
    const over = await openFileSystem(pack(tar, packing));
    expect(over.damage).toBe(`a ${paxBytes}-byte ExtendedHeader header at byte 1024, above the ${paxBytes - 1}-byte limit: stopped`);
    expect(await paths(over)).toEqual(['first.txt']);
    await over.close();
  });
});

describe('tar.gz: gzip bombs (archiveLimits, checked at the bound)', () => {
  function zerosTar(): Buffer {
    return rawTar([
      { name: 'first.txt', data: 'before the bomb' },
      { name: 'zeros.bin', data: Buffer.alloc(4 * 1024 * 1024) },
      { name: 'after.txt', data: 'after the bomb' },
    ]);
  }

  it('stops decompressing past maxCompressionRatio x the compressed size; members before it stay readable', async () => {
    const compressed = gzip(zerosTar());
    const path = archiveFile(compressed, 'tar.gz');
    archiveLimits.maxCompressionRatio = 50;
    const fs = await openFileSystem(path);
    expect(await paths(fs)).toEqual(['first.txt']);
    const limit = 50 * compressed.length;
    expect(fs.damage).toMatch(
      new RegExp(`^broken after \\d+ bytes of tar data \\(decompressed past ${limit} bytes \\(50x the ${compressed.length}-byte file\\), above the limits: stopped \\(gzip bomb\\?\\)\\)$`),
    );
    expect(await read(fs, 'first.txt')).toBe('before the bomb');
    await fs.close();
  });

  it('stops at maxTotalUncompressedBytes, and reads the whole archive exactly at the bound', async () => {
    const tar = zerosTar();
    const path = archiveFile(gzip(tar), 'tar.gz');
    archiveLimits.maxTotalUncompressedBytes = tar.length;
    const atLimit = await openFileSystem(path);
    expect(atLimit.damage).toBeNull();
    expect(await paths(atLimit)).toEqual(['after.txt', 'first.txt', 'zeros.bin']);
    expect(await read(atLimit, 'after.txt')).toBe('after the bomb');
    await atLimit.close();

    archiveLimits.maxTotalUncompressedBytes = tar.length - 1;
    const over = await openFileSystem(path);
    expect(over.damage).toContain(`decompressed past ${tar.length - 1} bytes`);
    expect(await paths(over)).not.toContain('after.txt');
    await over.close();
  });

  it('damaged deflate data in the middle gives the members before it', async () => {
    const compressed = Buffer.from(gzip(threeMembers()));
    // Overwrite a run of bytes in the middle of the deflate stream: zlib fails there.
    compressed.fill(0xff, Math.floor(compressed.length / 2), Math.floor(compressed.length / 2) + 64);
    const fs = await openFileSystem(archiveFile(compressed, 'tar.gz'));
    expect(await paths(fs)).toEqual(['a.txt']);
    expect(fs.damage).toMatch(/^(broken after \d+ bytes of tar data \(.+\)|truncated at byte \d+: "b\.bin" has \d+ of its 200000 bytes)$/);
    expect(await read(fs, 'a.txt')).toBe('first member');
    await fs.close();
  });
});
