/**
 * Hostile zips: every refused class is listed with its exact reason, and the good members stay readable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { FileSystem, FsEntry } from '../../../src/evidence/fs/file-system.js';
import { archiveLimits } from '../../../src/evidence/fs/limits.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { noiseBytes, overlappingZip, rawZip, type RawZipMember } from '../../fixtures/archives.js';

let base: string;
let counter = 0;
const defaults = { ...archiveLimits };

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-zip-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
afterEach(() => Object.assign(archiveLimits, defaults));

async function zipFile(members: readonly RawZipMember[]): Promise<string> {
  const path = join(base, `z${counter++}.zip`);
  writeFileSync(path, await rawZip(members));
  return path;
}

async function openZip(members: readonly RawZipMember[]): Promise<FileSystem> {
  return openFileSystem(await zipFile(members));
}

async function paths(fs: FileSystem): Promise<string[]> {
  const out: string[] = [];
  for await (const e of fs.entries()) out.push(e.path);
  return out.sort();
}

const read = (fs: FileSystem, path: string) => fs.read(path, { maxBytes: 10 * 1024 * 1024 }).then((b) => b.toString());

describe('zip: hostile names', () => {
  let fs: FileSystem;
  beforeAll(async () => {
    fs = await openZip([
      { name: 'good.txt', data: 'good' },
      { name: '/abs/path.txt', data: 'x' },
      { name: '../../etc/evil.txt', data: 'x' },
      { name: 'a\\..\\..\\evil.txt', data: 'x' },
      { name: 'C:/windows/evil.txt', data: 'x' },
      { name: 'nul\u0000byte.txt', data: 'x' },
      { name: 'esc\u001b[31mred.txt', data: 'x' },
      { name: 'dup.txt', data: 'first' },
      { name: 'dup.txt', data: 'second' },
      { name: 'win\\style\\name.txt', data: 'backslashes' },
      { name: './dot/./name.txt', data: 'dots' },
      { name: 'link-out', data: '../../../etc/passwd', mode: 0o120777, compress: false },
      { name: 'good.txt/child.txt', data: 'x' },
      { name: 'link-out/through.txt', data: 'x' },
    ]);
  });
  afterAll(() => fs.close());

  it('refuses each unsafe name with its reason, in archive order, printable on one line', () => {
    expect(fs.refused).toEqual([
      { name: '../../etc/evil.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'a\\\\..\\\\..\\\\evil.txt', reason: 'parent-folder component (..) in the name' },
      { name: 'C:/windows/evil.txt', reason: 'drive letter in the name (an absolute Windows path)' },
      { name: 'nul\\x00byte.txt', reason: 'control character in the name' },
      { name: 'esc\\x1b[31mred.txt', reason: 'control character in the name' },
      { name: 'dup.txt', reason: 'duplicate name: the first member with this name is used' },
      { name: 'good.txt/child.txt', reason: 'inside good.txt, which is a file in this archive, not a folder' },
      { name: 'link-out/through.txt', reason: 'inside link-out, which is a symbolic link in this archive, not a folder' },
    ]);
    expect(fs.damage).toBeNull();
  });

  it('keeps the good members readable; a duplicate gives the first member', async () => {
    expect(await paths(fs)).toEqual(['abs', 'abs/path.txt', 'dot', 'dot/name.txt', 'dup.txt', 'good.txt', 'link-out', 'win', 'win/style', 'win/style/name.txt']);
    expect(await read(fs, 'good.txt')).toBe('good');
    expect(await read(fs, 'dup.txt')).toBe('first');
    expect(await read(fs, 'win/style/name.txt')).toBe('backslashes');
    expect(await read(fs, 'dot/name.txt')).toBe('dots');
  });

  it('lists a link out as a link with its target and never follows it', async () => {
    expect(await fs.stat('link-out')).toMatchObject({ path: 'link-out', type: 'symlink', linkTarget: '../../../etc/passwd' } satisfies Partial<FsEntry>);
    await expect(fs.read('link-out', { maxBytes: 100 })).rejects.toThrow('links are never followed');
    expect(await fs.stat('etc/passwd')).toBeNull();
  });
});

describe('zip: members that cannot be read honestly', () => {
  it('a damaged central directory keeps the records before the damage, with one line', async () => {
    const zip = await rawZip([
      { name: 'first.txt', data: 'kept' },
      { name: 'second.txt', data: 'lost' },
    ]);
    const centrals: number[] = [];
    for (let at = zip.indexOf('PK\u0001\u0002'); at >= 0; at = zip.indexOf('PK\u0001\u0002', at + 1)) centrals.push(at);
    zip.write('XX', centrals[1]!, 'latin1');
    const path = join(base, 'damaged-cd.zip');
    writeFileSync(path, zip);
    const fs = await openFileSystem(path);
    expect(await paths(fs)).toEqual(['first.txt']);
    expect(fs.damage).toBe('central directory damaged after 1 of its 2 records (invalid central directory file header signature: 0x2015858): the rest are not listed');
    expect(await read(fs, 'first.txt')).toBe('kept');
    await fs.close();
  });

  it('refuses encrypted members and unsupported compression, keeps the rest', async () => {
    const fs = await openZip([
      { name: 'secret.txt', data: 'plain but flagged', encrypted: true },
      { name: 'bzip2.txt', data: 'x', method: 12 },
      { name: 'fine.txt', data: 'fine' },
    ]);
    expect(fs.refused).toEqual([
      { name: 'secret.txt', reason: 'encrypted member: not read' },
      { name: 'bzip2.txt', reason: 'unsupported compression method 12: not read' },
    ]);
    expect(await read(fs, 'fine.txt')).toBe('fine');
    expect(await fs.stat('secret.txt')).toBeNull();
    await fs.close();
  });

  it('cuts a deflated member that yields more bytes than declared, with one line', async () => {
    const fs = await openZip([{ name: 'liar.txt', data: 'a'.repeat(1000), declaredSize: 10 }]);
    expect(fs.refused).toEqual([]);
    expect(await fs.stat('liar.txt')).toMatchObject({ type: 'file', size: 10 });
    const where = `liar.txt in ${fs.location}`;
    await expect(fs.read('liar.txt', { maxBytes: 100 })).rejects.toThrow(`${where}: more bytes than the declared 10: cut there (the archive's sizes lie)`);
    const got: string[] = [];
    await fs.readMany(['liar.txt'], async (_f, content) => {
      await expect(
        (async () => {
          for await (const chunk of content as AsyncIterable<Buffer>) got.push(chunk.toString());
        })(),
      ).rejects.toThrow('more bytes than the declared 10');
    });
    expect(got.join('').length).toBeLessThanOrEqual(10);
    await fs.close();
  });

  it('reports a member shorter than declared as truncated', async () => {
    const fs = await openZip([{ name: 'short.bin', data: noiseBytes(1000), declaredSize: 5000 }]);
    await expect(fs.read('short.bin', { maxBytes: 10_000 })).rejects.toThrow(`short.bin in ${fs.location}: truncated: 1000 of the declared 5000 bytes`);
    await fs.close();
  });

  it('reports a member whose bytes do not match the CRC-32 the archive declares as damaged, and reads its neighbours', async () => {
    const buf = await rawZip([
      { name: 'altered.txt', data: 'the original text', compress: false },
      { name: 'intact.txt', data: 'untouched', compress: false },
    ]);
    const at = buf.indexOf('original');
    buf.write('ORIGINAL', at); // same length: only the checksum can tell
    const path = join(base, `z${counter++}.zip`);
    writeFileSync(path, buf);
    const fs = await openFileSystem(path);
    await expect(fs.read('altered.txt', { maxBytes: 100 })).rejects.toThrow(/^altered\.txt in .*: damaged: its CRC-32 is [0-9a-f]{8}, the archive declares [0-9a-f]{8}$/);
    expect(await read(fs, 'intact.txt')).toBe('untouched');
    await fs.close();
  });

  it('refuses a stored member whose two sizes disagree', async () => {
    const fs = await openZip([{ name: 'stored.txt', data: 'abcdef', compress: false, declaredSize: 3 }]);
    expect(fs.refused).toEqual([{ name: 'stored.txt', reason: 'stored member whose sizes disagree (6 stored, 3 declared): not read' }]);
    await fs.close();
  });
});

/** The compressed size yauzl reads from the central directory, to put a limit exactly at a member's ratio. */
async function compressedSize(path: string, name: string): Promise<{ compressed: number; uncompressed: number }> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true });
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      });
      if (!entry) throw new Error(`no ${name}`);
      if (entry.fileName === name) return { compressed: entry.compressedSize, uncompressed: entry.uncompressedSize };
    }
  } finally {
    zip.close();
  }
}

describe('zip bombs (archiveLimits, checked at the bound)', () => {
  it('refuses a member whose ratio is above maxCompressionRatio, and accepts it exactly at the limit', async () => {
    const members = [
      { name: 'zeros.bin', data: Buffer.alloc(1024 * 1024) },
      { name: 'ok.txt', data: 'ok' },
    ];
    const path = await zipFile(members);
    const { compressed, uncompressed } = await compressedSize(path, 'zeros.bin');
    const ratio = uncompressed / compressed;
    expect(ratio).toBeGreaterThan(500); // deflate of zeros: about 1000:1

    archiveLimits.maxCompressionRatio = ratio;
    const atLimit = await openFileSystem(path);
    expect(atLimit.refused).toEqual([]);
    expect((await atLimit.read('zeros.bin', { maxBytes: uncompressed })).equals(Buffer.alloc(1024 * 1024))).toBe(true);
    await atLimit.close();

    archiveLimits.maxCompressionRatio = ratio - 0.01;
    const over = await openFileSystem(path);
    expect(over.refused).toEqual([{ name: 'zeros.bin', reason: `compression ratio ${Math.round(ratio)}:1 above the limit of ${ratio - 0.01}:1 (zip bomb?): not read` }]);
    expect(await read(over, 'ok.txt')).toBe('ok');
    await over.close();
  });

  it('refuses the members that would bring the total past maxTotalUncompressedBytes, exactly at the bound', async () => {
    const members = [
      { name: 'a.bin', data: noiseBytes(3000, 1) },
      { name: 'b.bin', data: noiseBytes(2000, 2) },
      { name: 'c.bin', data: noiseBytes(500, 3) },
    ];
    const path = await zipFile(members);
    archiveLimits.maxTotalUncompressedBytes = 5500;
    const atLimit = await openFileSystem(path);
    expect(atLimit.refused).toEqual([]);
    await atLimit.close();

    archiveLimits.maxTotalUncompressedBytes = 5499;
    const over = await openFileSystem(path);
    expect(over.refused).toEqual([{ name: 'c.bin', reason: "would bring the members' total size past 5499 bytes (zip bomb?): not read" }]);
    expect((await over.read('b.bin', { maxBytes: 2000 })).equals(noiseBytes(2000, 2))).toBe(true);
    await over.close();
  });

  it('refuses overlapping members (a non-recursive zip bomb) once the total passes the ratio to the file size', async () => {
    const data = noiseBytes(20_000, 7);
    const bomb = overlappingZip(data, 10);
    const path = join(base, 'overlap.zip');
    writeFileSync(path, bomb);
    // Each member is honest (stored, 1:1); together they declare 10 x 20,000 bytes in a ~20.6 kB file.
    archiveLimits.maxCompressionRatio = 45_000 / bomb.length; // room for two members' declared bytes
    const fs = await openFileSystem(path);
    const limit = archiveLimits.maxCompressionRatio * bomb.length;
    expect(fs.refused.map((r) => r.name)).toEqual(['copy2.bin', 'copy3.bin', 'copy4.bin', 'copy5.bin', 'copy6.bin', 'copy7.bin', 'copy8.bin', 'copy9.bin']);
    expect(fs.refused[0]!.reason).toBe(
      `would bring the members' total size past ${limit} bytes, ${archiveLimits.maxCompressionRatio}x the ${bomb.length}-byte archive (zip bomb?): not read`,
    );
    expect((await fs.read('copy1.bin', { maxBytes: 20_000 })).equals(data)).toBe(true);
    await fs.close();
  });

  it('stops listing at maxMembers with one line of damage', async () => {
    const members = [1, 2, 3].map((i) => ({ name: `m${i}.txt`, data: `${i}` }));
    const path = await zipFile(members);
    archiveLimits.maxMembers = 3;
    const whole = await openFileSystem(path);
    expect(whole.damage).toBeNull();
    expect(await paths(whole)).toEqual(['m1.txt', 'm2.txt', 'm3.txt']);
    await whole.close();
    archiveLimits.maxMembers = 2;
    const cut = await openFileSystem(path);
    expect(cut.damage).toBe('more than 2 members: the rest are not listed');
    expect(await paths(cut)).toEqual(['m1.txt', 'm2.txt']);
    await cut.close();
  });

  it('refuses a link whose target is longer than maxLinkTargetBytes, exactly at the bound', async () => {
    const path = await zipFile([{ name: 'link', data: 'a/b/c/d/e/f/g/h/i/j/', mode: 0o120777, compress: false }]);
    archiveLimits.maxLinkTargetBytes = 20;
    const atLimit = await openFileSystem(path);
    expect(await atLimit.stat('link')).toMatchObject({ type: 'symlink', linkTarget: 'a/b/c/d/e/f/g/h/i/j/' });
    await atLimit.close();
    archiveLimits.maxLinkTargetBytes = 19;
    const over = await openFileSystem(path);
    expect(over.refused).toEqual([{ name: 'link', reason: 'symbolic link target longer than 19 bytes: not read' }]);
    await over.close();
  });
});
