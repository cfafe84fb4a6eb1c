/**
 * Filesystem dump layouts (src/evidence/fs-layout.ts): which layout a dump is in, and the partition-per-folder
 * view (`filesystem1/` = `/`, `filesystem2/` = `/private/var/`) as the phone mounts it.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileSystem } from '../../src/evidence/fs/open.js';
import { dumpLayoutOf, MountedFiles, PARTITION_MOUNTS } from '../../src/evidence/fs-layout.js';
import { FolderFiles } from '../../src/evidence/stored-files.js';
import { rawTar, writeTree } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';

describe('which layout a dump is in', () => {
  const layoutOf = (folders: string[]) => dumpLayoutOf((p) => folders.includes(p));
  it.each([
    [['private/var/mobile'], 'tree'],
    [['private/var/wireless'], 'tree'],
    [['filesystem2/mobile'], 'partitions'],
    [['filesystem1/private/var', 'filesystem2/wireless'], 'partitions'],
    [['private/var/mobile', 'filesystem2/mobile'], 'tree'],
    [['filesystem1/private/var/mobile'], null],
    [['private/var', 'Library'], null],
  ] as const)('%j → %s', (folders, layout) => {
    expect(layoutOf([...folders])).toBe(layout);
  });
});

describe('a partition-per-folder dump seen as the device\'s tree', () => {
  let files: MountedFiles;
  beforeAll(() => {
    const root = realpathSync(tempDir('partitions'));
    writeTree(root, {
      'filesystem1/usr/libexec/BackupAgent': 'apple',
      'filesystem1/private/var/db/timezone/localtime': 'system volume only',
      'filesystem1/private/var/mobile/.file': 'system volume copy',
      'filesystem2/mobile/.file': 'data volume copy',
      'filesystem2/mobile/Library/SMS/sms.db': 'sms',
      'extra/KeychainDump/backup_keychain_v2.plist': 'tool',
    });
    files = new MountedFiles(new FolderFiles(root, 'links-inside'), PARTITION_MOUNTS);
  });
  afterAll(() => files.close());

  it('lists device paths once; the data volume hides what the system volume also has at that path; tool files are not listed', async () => {
    const listed: string[] = [];
    for await (const e of files.list()) listed.push(`${e.type} /${e.path} <- ${e.storedPath}`);
    expect(listed.sort()).toEqual([
      'directory /private <- filesystem1/private',
      'directory /private/var <- filesystem2',
      'directory /private/var/db <- filesystem1/private/var/db',
      'directory /private/var/db/timezone <- filesystem1/private/var/db/timezone',
      'directory /private/var/mobile <- filesystem2/mobile',
      'directory /private/var/mobile/Library <- filesystem2/mobile/Library',
      'directory /private/var/mobile/Library/SMS <- filesystem2/mobile/Library/SMS',
      'directory /usr <- filesystem1/usr',
      'directory /usr/libexec <- filesystem1/usr/libexec',
      'file /private/var/db/timezone/localtime <- filesystem1/private/var/db/timezone/localtime',
      'file /private/var/mobile/.file <- filesystem2/mobile/.file',
      'file /private/var/mobile/Library/SMS/sms.db <- filesystem2/mobile/Library/SMS/sms.db',
      'file /usr/libexec/BackupAgent <- filesystem1/usr/libexec/BackupAgent',
    ]);
  });

  it('reads a device path from the data volume first, then from the system volume below it', async () => {
    expect((await files.read('private/var/mobile/.file', 'x')).toString()).toBe('data volume copy');
    expect((await files.read('private/var/db/timezone/localtime', 'x')).toString()).toBe('system volume only');
    expect(files.toStored('private/var/mobile/Library/SMS/sms.db')).toBe('filesystem2/mobile/Library/SMS/sms.db');
    expect(files.toStored('private/var/db/timezone/localtime')).toBe('filesystem1/private/var/db/timezone/localtime');
    expect(files.toDevice('filesystem2/mobile/Library/SMS/sms.db')).toBe('private/var/mobile/Library/SMS/sms.db');
    expect(files.toDevice('extra/KeychainDump/backup_keychain_v2.plist')).toBeNull();
    expect(files.locate('extra/KeychainDump/backup_keychain_v2.plist').kind).toBe('absent');
  });

  it('folders: a mount point is a folder, and names below it merge both volumes', () => {
    expect(files.locateFolder('private/var').kind).toBe('folder');
    expect(files.namesIn('private/var').sort()).toEqual(['db', 'mobile']);
    expect(files.namesIn('').sort()).toEqual(['private', 'usr']);
  });
});

describe('absolute member names', () => {
  it('`a` after `/a` is a duplicate: the first member wins and the second is listed as refused', async () => {
    const path = join(realpathSync(tempDir('abs-dup')), 'dup.tar');
    writeFileSync(path, rawTar([{ name: '/private/var/a', data: 'first' }, { name: 'private/var/a', data: 'second' }]));
    const fs = await openFileSystem(path);
    try {
      expect(fs.refused).toEqual([{ name: 'private/var/a', reason: 'duplicate name: the first member with this name is used' }]);
      expect((await fs.read('private/var/a', { maxBytes: 10 })).toString()).toBe('first');
    } finally {
      await fs.close();
    }
  });
});
