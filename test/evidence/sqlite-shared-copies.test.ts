/**
 * A large database copied once into the private temp folder is opened there by the worker threads of a `--jobs`
 * pool too (read-only), instead of being copied once per thread; a copy with a WAL beside it is never shared.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputLog } from '../../src/evidence/input-log.js';
import { openSqlite, sqliteCopiesToShare, useSharedSqliteCopies } from '../../src/evidence/sqlite.js';
import { FolderFiles } from '../../src/evidence/stored-files.js';
import { privateTempRoot } from '../../src/evidence/temp.js';
import { sqliteBytes, tempDir } from '../fixtures/ios-backup.js';

describe('private copies shared with worker threads', () => {
  it('a copy held open is offered, opened again without a second copy, and withdrawn when closed', () => {
    const path = join(tempDir('shared-copy'), 'Manifest.db');
    writeFileSync(path, sqliteBytes('CREATE TABLE Files (fileID TEXT); INSERT INTO Files VALUES (\'a\'), (\'b\');'));
    const first = openSqlite({ kind: 'file', path }, 'Manifest.db');
    const copies = sqliteCopiesToShare();
    expect(Object.keys(copies)).toEqual([path]);
    const foldersBefore = readdirSync(privateTempRoot()).length;
    useSharedSqliteCopies(copies);
    try {
      const second = openSqlite({ kind: 'file', path }, 'Manifest.db');
      expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore);
      expect(second.db.prepare('SELECT fileID FROM Files ORDER BY fileID').pluck().all()).toEqual(['a', 'b']);
      second.close();
      // The thread that made the copy removes it; another thread's close leaves it.
      expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore);
    } finally {
      useSharedSqliteCopies({});
    }
    first.close();
    expect(sqliteCopiesToShare()).toEqual({});
    expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore - 1);
  });

  it('a database opened with its WAL is not offered', () => {
    const path = join(tempDir('shared-wal'), 'History.db');
    writeFileSync(path, sqliteBytes('CREATE TABLE t (x INTEGER);'));
    writeFileSync(`${path}-wal`, Buffer.alloc(0));
    const h = openSqlite({ kind: 'file', path, wal: `${path}-wal` }, 'History.db');
    expect(sqliteCopiesToShare()).toEqual({});
    h.close();
  });

  it('a folder\'s database, copied and hashed in one pass, is offered too; a thread given that copy neither copies nor hashes it again', async () => {
    const dir = tempDir('shared-folder');
    writeFileSync(join(dir, 'Manifest.db'), sqliteBytes('CREATE TABLE Files (fileID TEXT); INSERT INTO Files VALUES (\'a\');'));
    const log = new InputLog();
    const files = new FolderFiles(dir, 'no-links');
    const foldersBefore = readdirSync(privateTempRoot()).length;
    const first = openSqlite(await files.largeSqlite('Manifest.db', 'Manifest.db', log, 'Manifest.db', {}), 'Manifest.db');
    const stored = readFileSync(join(dir, 'Manifest.db'));
    expect(log.all().map((r) => [r.label, r.bytes, r.sha256])).toEqual([['Manifest.db', stored.length, createHash('sha256').update(stored).digest('hex')]]);
    const copies = sqliteCopiesToShare();
    expect(Object.keys(copies)).toEqual([join(dir, 'Manifest.db')]);
    expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore + 1);

    useSharedSqliteCopies(copies);
    try {
      const workerLog = InputLog.knowing(log.all());
      const second = openSqlite(await files.largeSqlite('Manifest.db', 'Manifest.db', workerLog, 'Manifest.db', {}), 'Manifest.db');
      expect(second.db.prepare('SELECT fileID FROM Files').pluck().all()).toEqual(['a']);
      expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore + 1);
      second.close();
    } finally {
      useSharedSqliteCopies({});
    }
    first.close();
    expect(sqliteCopiesToShare()).toEqual({});
    expect(readdirSync(privateTempRoot())).toHaveLength(foldersBefore);
  });
});
