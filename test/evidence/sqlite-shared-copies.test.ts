/**
 * A large database copied once into the private temp folder is opened there by the worker threads of a `--jobs`
 * pool too (read-only), instead of being copied once per thread; a copy with a WAL beside it is never shared.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite, sqliteCopiesToShare, useSharedSqliteCopies } from '../../src/evidence/sqlite.js';
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
});
