/**
 * Nothing is extracted: with the temp area pointed at a fresh folder, every read path over every container
 * leaves that folder empty, and the folder holding the evidence (tree and archives) byte-for-byte unchanged.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { tarTree, writeContractTree, zipTree } from '../../fixtures/archives.js';
import { snapshotTree } from '../../helpers/tree.js';

let base: string;
let watchedTemp: string;
let savedTmpdir: string | undefined;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-noextract-'));
  const tree = writeContractTree(base);
  mkdirSync(join(base, 'archives'));
  await zipTree(tree, join(base, 'archives', 'tree.zip'));
  await tarTree(tree, join(base, 'archives', 'tree.tar'), { gzip: false });
  await tarTree(tree, join(base, 'archives', 'tree.tar.gz'), { gzip: true });
  watchedTemp = mkdtempSync(join(tmpdir(), 'th-fs-watched-temp-'));
  savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = watchedTemp;
});

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(base, { recursive: true, force: true });
  rmSync(watchedTemp, { recursive: true, force: true });
});

describe('no extraction to disk', () => {
  it('reading every member of every container writes nothing to the temp area or beside the evidence', async () => {
    expect(tmpdir()).toBe(watchedTemp);
    const before = snapshotTree(base);
    let bytesRead = 0;
    for (const name of ['tree', 'archives/tree.zip', 'archives/tree.tar', 'archives/tree.tar.gz']) {
      const fs = await openFileSystem(join(base, name));
      const files: string[] = [];
      for await (const e of fs.entries()) if (e.type === 'file') files.push(e.path);
      for (const path of files) {
        bytesRead += (await fs.read(path, { maxBytes: 4 * 1024 * 1024 })).length;
        for await (const chunk of (await fs.openStream(path)) as AsyncIterable<Buffer>) bytesRead += chunk.length;
      }
      await fs.readMany(files, async (_f, content) => {
        for await (const chunk of content as AsyncIterable<Buffer>) bytesRead += chunk.length;
      });
      await fs.close();
    }
    expect(bytesRead).toBeGreaterThan(4 * 3 * 1024 * 1024);
    expect(readdirSync(watchedTemp)).toEqual([]);
    expect(snapshotTree(base)).toEqual(before);
  });
});
