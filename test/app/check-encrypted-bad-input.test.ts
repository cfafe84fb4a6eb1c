/** Damaged encrypted backups: a clear message for what cannot be opened at all, coverage entries for the rest. */
import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary } from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { fileIdOf } from '../../src/evidence/ios-backup.js';
import { encodeKeybag, parseKeybag } from '../../src/formats/keybag.js';
import { isDict, parsePlist, type PlistDict } from '../../src/formats/plist.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';

const PASSWORD = 'pw';
let pristine: string;
const credentials = async () => ({ kind: 'password' as const, password: PASSWORD });

beforeAll(() => {
  pristine = join(tempDir('enc-bad'), 'backup');
  generateIosBackup(pristine, { seed: 11, manifestEntries: 200, messages: 10, visits: 10, processes: 10, encryption: { password: PASSWORD, dpic: 100, iter: 5 } });
});

function copy(): string {
  const dir = join(tempDir('enc-copy'), 'backup');
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

function editManifestPlist(dir: string, edit: (p: PlistDict) => PlistDict): void {
  const path = join(dir, 'Manifest.plist');
  const plist = parsePlist(readFileSync(path), 'Manifest.plist');
  if (!isDict(plist)) throw new Error('fixture');
  writeFileSync(path, Buffer.from(buildBinary(edit(plist) as Parameters<typeof buildBinary>[0])));
}

describe('an encrypted backup that cannot be unlocked is refused with one line', () => {
  it('a truncated keybag, naming the offset', async () => {
    const dir = copy();
    editManifestPlist(dir, (p) => ({ ...p, BackupKeyBag: (p.BackupKeyBag as Buffer).subarray(0, 61) }));
    await expect(check({ target: dir, userIocDir: null, credentials })).rejects.toThrow(/Manifest\.plist: BackupKeyBag: .*offset \d+/);
  });

  it('a missing ManifestKey', async () => {
    const dir = copy();
    editManifestPlist(dir, ({ ManifestKey: _k, ...rest }) => rest);
    await expect(check({ target: dir, userIocDir: null, credentials })).rejects.toThrow(/Manifest\.plist: no ManifestKey, and Manifest\.db is encrypted/);
  });
});

describe('damage to single files becomes coverage entries, and the check goes on', () => {
  it('a truncated encrypted database', async () => {
    const dir = copy();
    const id = fileIdOf('HomeDomain', 'Library/TCC/TCC.db');
    const path = join(dir, id.slice(0, 2), id);
    truncateSync(path, readFileSync(path).length - 100);
    const r = await check({ target: dir, userIocDir: null, credentials });
    const cov = Object.fromEntries(r.coverage.map((c) => [c.artifact, c]));
    expect(cov['ios.tcc']!.state).toBe('failed');
    expect(cov['ios.tcc']!.reason).toMatch(/TCC\.db \(HomeDomain\/Library\/TCC\/TCC\.db.*truncated ciphertext/);
    expect(cov['ios.sms']!.state).toBe('parsed');
  });

  it('a file whose protection class key is missing from the keybag', async () => {
    const dir = copy();
    editManifestPlist(dir, (p) => {
      const bag = parseKeybag(p.BackupKeyBag as Buffer);
      const classKeys = new Map([...bag.classKeys].filter(([clas]) => clas !== 3));
      return { ...p, BackupKeyBag: encodeKeybag({ ...bag, classKeys }) };
    });
    const r = await check({ target: dir, userIocDir: null, credentials });
    const cov = Object.fromEntries(r.coverage.map((c) => [c.artifact, c]));
    expect(cov['ios.manifest']!.state).toBe('parsed'); // Manifest.db is class 4
    expect(cov['ios.tcc']!.state).toBe('failed');
    expect(cov['ios.tcc']!.reason).toMatch(/class 3/);
  });
});
