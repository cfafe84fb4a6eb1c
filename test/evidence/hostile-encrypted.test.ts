/**
 * Issue #7, evidence layer, encrypted backups: keybag iteration counts PBKDF2 cannot take, a truncated
 * Manifest.plist, key files that are not files. Each is one line naming the file and what was expected,
 * found before any password is asked for or any derivation starts.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, buildBinary } from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { FormatError, UserError } from '../../src/errors.js';
import { checkKeybagIterations, deriveBackupKey } from '../../src/evidence/backup-crypto.js';
import { readKeyFile } from '../../src/evidence/ios-backup-keys.js';
import { encodeKeybag, parseKeybag, type Keybag } from '../../src/formats/keybag.js';
import { isDict, parsePlist, type PlistDict } from '../../src/formats/plist.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { snapshotTree } from '../helpers/tree.js';

const PASSWORD = 'pw';
let pristine: string;

beforeAll(() => {
  pristine = join(tempDir('enc-hostile'), 'backup');
  generateIosBackup(pristine, { seed: 7, manifestEntries: 50, messages: 3, visits: 3, processes: 3, encryption: { password: PASSWORD, dpic: 100, iter: 5 } });
});

function copy(): string {
  const dir = join(tempDir('enc-copy'), 'backup');
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function editKeybag(dir: string, edit: (k: Keybag) => Keybag): void {
  const path = join(dir, 'Manifest.plist');
  const plist = parsePlist(readFileSync(path), 'Manifest.plist');
  if (!isDict(plist)) throw new Error('fixture: Manifest.plist is not a dictionary');
  const keybag = encodeKeybag(edit(parseKeybag(plist.BackupKeyBag as Buffer)));
  writeFileSync(path, Buffer.from(buildBinary({ ...plist, BackupKeyBag: keybag } as PlistDict as Parameters<typeof buildBinary>[0])));
}

/** A credential provider that records whether it was asked. */
function recordingCredentials() {
  const asked: string[] = [];
  return { asked, credentials: async (root: string) => (asked.push(root), { kind: 'password' as const, password: PASSWORD }) };
}

describe('keybag iteration counts PBKDF2 cannot take are refused before the password is asked', () => {
  it.each([
    ['ITER 0', (k: Keybag) => ({ ...k, iter: 0 }), /ITER/],
    ['DPIC 2^31', (k: Keybag) => ({ ...k, dpic: 2 ** 31 }), /DPIC/],
  ])('%s', async (_name, edit, tag) => {
    const dir = copy();
    editKeybag(dir, edit);
    const before = snapshotTree(dir);
    const { asked, credentials } = recordingCredentials();
    const err = await check({ target: dir, userIocDir: null, credentials }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/Manifest\\.plist: BackupKeyBag: `));
    expect((err as Error).message).toMatch(tag);
    expect((err as Error).message.split('\n')).toHaveLength(1);
    expect(asked).toEqual([]);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('the derivation itself checks them too (1 and 2^31 − 1 are the bounds)', async () => {
    const keybag = { iter: 0, salt: Buffer.alloc(20), classKeys: new Map() } as unknown as Keybag;
    await expect(deriveBackupKey('pw', keybag)).rejects.toThrow(new FormatError('BackupKeyBag', 'ITER is 0 (expected a PBKDF2 iteration count from 1 to 2147483647)'));
    expect(() => checkKeybagIterations({ iter: 1, dpic: 2 ** 31 - 1 })).not.toThrow();
    expect(() => checkKeybagIterations({ iter: 1, dpic: 2 ** 31 })).toThrow('BackupKeyBag: DPIC is 2147483648');
    expect(() => checkKeybagIterations({ iter: 1.5 })).toThrow('BackupKeyBag: ITER is 1.5');
  });
});

describe('a truncated Manifest.plist is blamed on Manifest.plist', () => {
  it('of an encrypted backup: one line naming Manifest.plist, not Manifest.db', async () => {
    const dir = copy();
    const path = join(dir, 'Manifest.plist');
    truncateSync(path, readFileSync(path).length - 40);
    const { credentials } = recordingCredentials();
    const err = await check({ target: dir, userIocDir: null, credentials }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message.startsWith(`${path}: `)).toBe(true);
    expect(message).toMatch(/\(expected a property list saying whether the backup is encrypted; Manifest\.db is not a plain SQLite database\)$/);
  });
});

describe('an XML Manifest.plist', () => {
  it('gives its keybag and ManifestKey as binary data, so the backup opens as with a binary one', async () => {
    const dir = copy();
    const path = join(dir, 'Manifest.plist');
    const plist = parsePlist(readFileSync(path), 'Manifest.plist');
    writeFileSync(path, build(plist as Parameters<typeof build>[0]));
    expect(readFileSync(path, 'utf8')).toMatch(/^<\?xml/);
    const { asked, credentials } = recordingCredentials();
    const r = await check({ target: dir, userIocDir: null, credentials });
    expect(asked).toHaveLength(1);
    expect(r.coverage.find((c) => c.artifact === 'ios.sms')).toMatchObject({ state: 'parsed', records: 3 });
  });
});

describe('a key file must be a small regular file', () => {
  it.each([
    ['a folder', () => {
      const d = join(tempDir('keyfile'), 'folder.key');
      mkdirSync(d);
      return d;
    }, /: is a folder; expected a key file \(64 hexadecimal digits\)$/],
    ['/dev/zero (endless)', () => '/dev/zero', /^\/dev\/zero: is not a regular file; expected a key file/],
    ['a FIFO (would block)', () => {
      const p = join(tempDir('keyfile'), 'fifo.key');
      execFileSync('mkfifo', [p]);
      return p;
    }, /not a regular file/],
    ['a large file', () => {
      const p = join(tempDir('keyfile'), 'big.key');
      writeFileSync(p, Buffer.alloc(5000, 0x61));
      return p;
    }, /: 5000 bytes; expected a key file \(64 hexadecimal digits\)$/],
  ])('%s is refused with one line', (_name, make, message) => {
    const path = make();
    expect(() => readKeyFile(path)).toThrow(UserError);
    expect(() => readKeyFile(path)).toThrow(message);
  });

  it('64 hex digits and a newline are read', () => {
    const p = join(tempDir('keyfile'), 'good.key');
    writeFileSync(p, `${'ab'.repeat(32)}\n`);
    expect(readKeyFile(p).toString('hex')).toBe('ab'.repeat(32));
  });
});
