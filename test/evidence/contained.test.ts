/**
 * Evidence is opened without leaving the acquisition and read to its real size: links that lead out are
 * refused (any link at all in a backup), sizes come from fstat on the opened file, and reads stop there.
 */
import { appendFileSync, mkdirSync, readFileSync, realpathSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainedRoot, copyOpenedHashing, isInside, LINK_IN_BACKUP, LINK_OUTSIDE, openRegular, readOpened } from '../../src/evidence/contained.js';
import { openAcquisition } from '../../src/evidence/detect.js';
import { openIosBackup } from '../../src/evidence/ios-backup.js';
import { sqliteLimits } from '../../src/evidence/sqlite.js';
import { privateTempRoot } from '../../src/evidence/temp.js';
import { fileElsewhere, mvtBackupCopy, SMS, storedPath } from '../fixtures/hostile.js';
import { zipTree } from '../fixtures/archives.js';
import { buildBackup, sqliteWithWal, tempDir } from '../fixtures/ios-backup.js';

/** A root folder holding `a.txt`, `sub/b.txt`, and the links a test adds. */
function root(): string {
  const r = realpathSync(tempDir('root'));
  writeFileSync(join(r, 'a.txt'), 'A');
  mkdirSync(join(r, 'sub'));
  writeFileSync(join(r, 'sub', 'b.txt'), 'B');
  return r;
}

describe('locating a file inside an acquisition', () => {
  it('a plain file is read; a missing one and a folder are absent', () => {
    const r = root();
    const files = new ContainedRoot(r, 'no-links');
    expect(files.locate('sub/b.txt')).toEqual({ kind: 'file', path: join(r, 'sub', 'b.txt') });
    expect(files.locate('nope.txt')).toEqual({ kind: 'absent' });
    expect(files.locate('sub')).toEqual({ kind: 'absent' });
  });

  it.each(['no-links', 'links-inside'] as const)('%s: a link to a file outside is refused', (policy) => {
    const r = root();
    symlinkSync(fileElsewhere('secret.txt', Buffer.from('not the phone')), join(r, 'out.txt'));
    symlinkSync('../../../../../../../../etc', join(r, 'sub', 'etc'));
    const files = new ContainedRoot(r, policy);
    expect(files.locate('out.txt')).toEqual({ kind: 'refused', reason: LINK_OUTSIDE });
    expect(files.locate('sub/etc/hostname')).toEqual({ kind: 'refused', reason: LINK_OUTSIDE });
    expect(() => files.read('out.txt', 'out.txt')).toThrow(`out.txt: ${LINK_OUTSIDE}`);
  });

  it('a link that stays inside: refused in a backup, followed in a filesystem dump', () => {
    const r = root();
    symlinkSync('sub', join(r, 'var'));
    symlinkSync('../a.txt', join(r, 'sub', 'a-link'));
    expect(new ContainedRoot(r, 'no-links').locate('var/b.txt')).toEqual({ kind: 'refused', reason: LINK_IN_BACKUP });
    expect(new ContainedRoot(r, 'no-links').locate('sub/a-link')).toEqual({ kind: 'refused', reason: LINK_IN_BACKUP });
    expect(new ContainedRoot(r, 'links-inside').locate('var/b.txt')).toEqual({ kind: 'file', path: join(r, 'sub', 'b.txt') });
    expect(new ContainedRoot(r, 'links-inside').read('sub/a-link', 'a-link').toString()).toBe('A');
  });

  it('a dangling link: refused in a backup, absent in a dump', () => {
    const r = root();
    symlinkSync(join(r, 'gone'), join(r, 'dangling'));
    expect(new ContainedRoot(r, 'no-links').locate('dangling')).toEqual({ kind: 'refused', reason: LINK_IN_BACKUP });
    expect(new ContainedRoot(r, 'links-inside').locate('dangling')).toEqual({ kind: 'absent' });
  });

  it('a FIFO is refused (reading it would block)', () => {
    const r = root();
    execFileSync('mkfifo', [join(r, 'pipe')]);
    expect(new ContainedRoot(r, 'links-inside').locate('pipe')).toEqual({ kind: 'refused', reason: 'not a regular file: not read' });
  });

  it('"inside" is path-segment exact: `..results` is inside, `..` and a sibling with the same prefix are not', () => {
    expect(isInside('/e/backup', '/e/backup/..results')).toBe(true);
    expect(isInside('/e/backup', '/e/backup')).toBe(true);
    expect(isInside('/e/backup', '/e')).toBe(false);
    expect(isInside('/e/backup', '/e/backup-2/x')).toBe(false);
  });
});

describe('copying into the private temp folder while hashing what is copied', () => {
  const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
  /** 9 MiB and a bit of varied bytes: three 4 MiB chunks, the last one short. */
  const content = (): Buffer => Buffer.from(Array.from({ length: 9 * 1024 * 1024 + 123 }, (_, i) => (i * 7919) % 251));

  it('copies every byte, in several chunks, and the hash is that of the bytes copied', async () => {
    const data = content();
    const dir = tempDir('copy-hash');
    writeFileSync(join(dir, 'evidence.db'), data);
    const opened = openRegular(join(dir, 'evidence.db'), 'evidence.db');
    const hash = createHash('sha256');
    try {
      expect(await copyOpenedHashing(opened, join(dir, 'copy.db'), hash)).toBe(data.length);
    } finally {
      closeSync(opened.fd);
    }
    expect(readFileSync(join(dir, 'copy.db')).equals(data)).toBe(true);
    expect(hash.digest('hex')).toBe(sha256(data));
  });

  it('stops at the size fstat gave when the file was opened, however much it grows, and copies an empty file as empty', async () => {
    const dir = tempDir('copy-grows');
    const path = join(dir, 'evidence.db');
    writeFileSync(path, 'before');
    const opened = openRegular(path, 'evidence.db');
    appendFileSync(path, Buffer.alloc(5 * 1024 * 1024, 1));
    try {
      expect(await copyOpenedHashing(opened, join(dir, 'copy.db'), null)).toBe(6);
    } finally {
      closeSync(opened.fd);
    }
    expect(readFileSync(join(dir, 'copy.db'), 'utf8')).toBe('before');

    writeFileSync(join(dir, 'empty.db'), '');
    const empty = openRegular(join(dir, 'empty.db'), 'empty.db');
    const hash = createHash('sha256');
    try {
      expect(await copyOpenedHashing(empty, join(dir, 'empty-copy.db'), hash)).toBe(0);
    } finally {
      closeSync(empty.fd);
    }
    expect(readFileSync(join(dir, 'empty-copy.db'))).toHaveLength(0);
    expect(hash.digest('hex')).toBe(sha256(Buffer.alloc(0)));
  });

  it('a write that fails (a full disk) rejects with its error, once no write is still running', async () => {
    const dir = tempDir('copy-full');
    writeFileSync(join(dir, 'evidence.db'), content());
    const opened = openRegular(join(dir, 'evidence.db'), 'evidence.db');
    try {
      await expect(copyOpenedHashing(opened, '/dev/full', null)).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      closeSync(opened.fd);
    }
  });
});

describe('reading to the real size', () => {
  it('a file that grows while it is read is cut at the size fstat gave when it was opened', () => {
    const r = root();
    const files = new ContainedRoot(r, 'no-links');
    const opened = files.open('a.txt', 'a.txt');
    try {
      appendFileSync(join(r, 'a.txt'), 'more bytes written after the open');
      expect(opened.size).toBe(1);
      expect(readOpened(opened).toString()).toBe('A');
    } finally {
      closeSync(opened.fd);
    }
  });

  describe('a sparse sms.db much larger than Manifest.db records', () => {
    const limit = sqliteLimits.maxInMemoryBytes;
    afterEach(() => {
      sqliteLimits.maxInMemoryBytes = limit;
      sqliteLimits.copyFromFolders = true;
    });

    it('is opened from a private temp copy, not read into memory, because its real size is above the limit', async () => {
      sqliteLimits.maxInMemoryBytes = 1024 * 1024; // stands in for 64 MB, as a 1.5 GB file stands for 16 MB here
      const backup = mvtBackupCopy();
      truncateSync(join(backup, storedPath(SMS)), 16 * 1024 * 1024); // sparse: 28 KB of database, then holes
      const source = await openIosBackup(backup);
      try {
        const [sms] = await source.find({ by: 'backup', ...SMS });
        expect(sms!.size).toBe(278528); // what Manifest.db says (the stored file is 28 KB)
        const h = await source.openSqlite(sms!);
        expect(h.db.memory).toBe(false);
        expect(h.db.name.startsWith(privateTempRoot())).toBe(true);
        expect(h.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(1);
        h.close();
        expect(source.inputs.all().find((i) => i.label === 'HomeDomain/Library/SMS/sms.db')?.bytes).toBe(16 * 1024 * 1024);
      } finally {
        await source.close();
      }
    });

    it('a sparse -wal beside a small sms.db counts too: the pair is opened from a temp copy, the WAL rows still read', async () => {
      sqliteLimits.maxInMemoryBytes = 1024 * 1024;
      const { db, wal } = sqliteWithWal(
        'CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)',
        (d) => d.prepare("INSERT INTO message (text) VALUES ('in the main file')").run(),
        (d) => d.prepare("INSERT INTO message (text) VALUES ('only in the wal')").run(),
      );
      const backup = buildBackup([
        { ...SMS, data: db },
        { ...SMS, relativePath: `${SMS.relativePath}-wal`, data: wal },
      ]);
      truncateSync(join(backup, storedPath({ ...SMS, relativePath: `${SMS.relativePath}-wal` })), 16 * 1024 * 1024);
      const source = await openIosBackup(backup);
      try {
        const [sms] = await source.find({ by: 'backup', ...SMS });
        const h = await source.openSqlite(sms!);
        expect(h.db.memory).toBe(false);
        expect(h.db.prepare('SELECT text FROM message ORDER BY ROWID').pluck().all()).toEqual(['in the main file', 'only in the wal']);
        h.close();
      } finally {
        await source.close();
      }
    });

    it('must-not: at its recorded size it is read into memory, no copy (where a folder\'s databases are held in memory at all)', async () => {
      sqliteLimits.maxInMemoryBytes = 1024 * 1024;
      sqliteLimits.copyFromFolders = false;
      const source = await openIosBackup(mvtBackupCopy());
      try {
        const [sms] = await source.find({ by: 'backup', ...SMS });
        const h = await source.openSqlite(sms!);
        expect(h.db.memory).toBe(true);
        h.close();
      } finally {
        await source.close();
      }
    });
  });
});

describe('where a database is opened: a private copy for a folder, memory for an archive member', () => {
  it('a plain backup folder\'s sms.db is opened from a private temp copy, small as it is (memory: the page cache, not twice its size)', async () => {
    const source = await openIosBackup(mvtBackupCopy());
    try {
      const [sms] = await source.find({ by: 'backup', ...SMS });
      const h = await source.openSqlite(sms!);
      expect(h.db.memory).toBe(false);
      expect(h.db.name.startsWith(privateTempRoot())).toBe(true);
      expect(h.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(1);
      h.close();
    } finally {
      await source.close();
    }
  });

  it('must-not: the same backup zipped is read into memory (an archive member is never extracted to disk)', async () => {
    const zip = join(tempDir('zipped'), 'backup.zip');
    await zipTree(mvtBackupCopy(), zip);
    const { source } = await openAcquisition(zip);
    try {
      const [sms] = await source.find({ by: 'backup', ...SMS });
      const h = await source.openSqlite(sms!);
      expect(h.db.memory).toBe(true);
      expect(h.db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(1);
      h.close();
    } finally {
      await source.close();
    }
  });
});
