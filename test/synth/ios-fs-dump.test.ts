import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileSystem } from '../../src/evidence/fs/open.js';
import type { FsEntry } from '../../src/evidence/fs/file-system.js';
import { DUMP_FILES, generateIosFilesystemDump, storedPathIn } from '../../src/synth/ios-fs-dump.js';
import { tempDir } from '../fixtures/ios-backup.js';

async function entriesOf(path: string): Promise<FsEntry[]> {
  const fs = await openFileSystem(path);
  try {
    const out: FsEntry[] = [];
    for await (const e of fs.entries()) out.push(e);
    expect(fs.refused).toEqual([]);
    expect(fs.damage).toBeNull();
    return out;
  } finally {
    await fs.close();
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('generateIosFilesystemDump', () => {
  it('writes exactly the files asked for, with their folders first, as a tar our own layer reads whole', async () => {
    const path = join(tempDir('dump'), 'dump.tar');
    const result = await generateIosFilesystemDump(path, { seed: 5, files: 2_000, format: 'tar', messages: 50, visits: 50, processes: 20 });
    const entries = await entriesOf(path);
    const files = entries.filter((e) => e.type === 'file');
    const folders = entries.filter((e) => e.type === 'directory');
    expect(files).toHaveLength(2_000);
    expect(result.files).toBe(2_000);
    expect(folders).toHaveLength(result.directories);
    // Every member's parent folder comes before it, as tar tools write them.
    const seen = new Set<string>();
    for (const e of entries) {
      const parent = e.path.slice(0, Math.max(0, e.path.lastIndexOf('/')));
      if (parent) expect(seen.has(parent)).toBe(true);
      seen.add(e.path);
    }
    const names = new Set(files.map((f) => f.path));
    expect(names.size).toBe(2_000);
    for (const device of Object.values(DUMP_FILES)) expect(names.has(device.slice(1))).toBe(true);
    // About one filler file in twenty has content; the rest are empty, as in a listing.
    const withContent = files.filter((f) => f.size > 0).length;
    expect(withContent).toBeGreaterThan(50);
    expect(withContent).toBeLessThan(250);
  });

  it('is deterministic: the same seed gives the same archive, another seed another one', async () => {
    const dir = tempDir('dump-seed');
    const make = async (name: string, seed: number) => {
      const path = join(dir, name);
      await generateIosFilesystemDump(path, { seed, files: 500, format: 'tar', messages: 20, visits: 20, processes: 10 });
      return sha(path);
    };
    const a = await make('a.tar', 9);
    expect(await make('b.tar', 9)).toBe(a);
    expect(await make('c.tar', 10)).not.toBe(a);
  });

  it('stores the filesystem1/filesystem2 layout: / under filesystem1, /private/var under filesystem2, also gzip-compressed', async () => {
    expect(storedPathIn('filesystem12', '/private/var/mobile/Library/SMS/sms.db')).toBe('filesystem2/mobile/Library/SMS/sms.db');
    expect(storedPathIn('filesystem12', '/usr/libexec/BackupAgent')).toBe('filesystem1/usr/libexec/BackupAgent');
    expect(storedPathIn('private-var', '/private/var/db/x')).toBe('private/var/db/x');
    const path = join(tempDir('dump-fs12'), 'dump.tar.gz');
    await generateIosFilesystemDump(path, {
      seed: 2,
      files: 300,
      format: 'tar.gz',
      layout: 'filesystem12',
      messages: 10,
      visits: 10,
      processes: 5,
      extra: [{ devicePath: '/usr/libexec/BackupAgent', data: 'stock binary' }],
    });
    const entries = await entriesOf(path);
    expect(new Set(entries.map((e) => e.path.split('/')[0]))).toEqual(new Set(['filesystem1', 'filesystem2']));
    expect(entries.find((e) => e.path === 'filesystem2/wireless/Library/Databases/DataUsage.sqlite')?.type).toBe('file');
    expect(entries.find((e) => e.path === 'filesystem1/usr/libexec/BackupAgent')).toMatchObject({ type: 'file', size: 12 });
  });
});
