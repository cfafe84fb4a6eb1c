/** One-line errors, up front, for credentials and output targets of the commands that read encrypted backups. */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { saveBackupKey } from '../../src/app/ios-backup-tools.js';
import { PASSWORD_ENV } from '../../src/cli/credentials.js';
import { main } from '../../src/cli/main.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const PASSWORD = 'hunter2';
let backup: string;
let stderr = '';

beforeAll(() => {
  backup = join(tempDir('cred'), 'ENC');
  generateIosBackup(backup, { seed: 4, manifestEntries: 60, messages: 3, visits: 3, processes: 3, encryption: { password: PASSWORD, dpic: 100, iter: 5 } });
});
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  delete process.env[PASSWORD_ENV];
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env[PASSWORD_ENV];
});

const run = (...args: string[]) => main(['node', 'tracehound', ...args]);
const oneLine = () => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};
/** Runs and reports how long it took: the bounded checks must answer at once, not after a hang. */
async function timed(...args: string[]): Promise<{ code: number; ms: number }> {
  const started = performance.now();
  const code = await run(...args);
  return { code, ms: performance.now() - started };
}

function bigFile(bytes: number): string {
  const path = join(tempDir('big'), 'k');
  writeFileSync(path, 'a'.repeat(bytes));
  return path;
}

describe('--key-file that is not a key file answers at once, in one line', () => {
  it.each([
    ['a folder', () => tempDir('keydir'), /: is a folder; expected a key file \(64 hexadecimal digits\)$/],
    ['/dev/zero (read whole, it never ended)', () => '/dev/zero', /^tracehound: \/dev\/zero: is not a regular file; expected a key file/],
    ['a 10 MB file', () => bigFile(10_000_000), /: 10000000 bytes; expected a key file \(64 hexadecimal digits\)$/],
  ])('%s', async (_name, make, message) => {
    const path = make();
    for (const args of [['check', backup, '--no-default-iocs', '--key-file', path], ['ios', 'decrypt', backup, '-o', join(tempDir('d'), 'out'), '--key-file', path]]) {
      stderr = '';
      const { code, ms } = await timed(...args);
      expect(code).toBe(2);
      expect(stderr.trim()).toMatch(message);
      oneLine();
      expect(ms).toBeLessThan(2000);
    }
  });
});

describe('credentials a backup does not need are not ignored silently', () => {
  it('--key-file on an unencrypted backup: a warning on stderr, the check runs', async () => {
    const key = join(tempDir('k'), 'k');
    writeFileSync(key, 'ab'.repeat(32));
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--key-file', key, '--quiet', '--only', 'ios.tcc')).toBe(0);
    expect(stderr).toBe('warning: --key-file ignored: this backup is not encrypted\n');
  });

  it('--password on an unencrypted backup: the same', async () => {
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--password', 'x', '--quiet', '--only', 'ios.tcc')).toBe(0);
    expect(stderr).toBe('warning: --password ignored: this backup is not encrypted\n');
  });
});

describe('the command line beats the environment, and says so', () => {
  it('--password wins over TRACEHOUND_BACKUP_PASSWORD (which used to win silently)', async () => {
    process.env[PASSWORD_ENV] = 'wrong';
    expect(await run('check', backup, '--no-default-iocs', '--password', PASSWORD, '--quiet', '--only', 'ios.tcc')).toBe(0);
    expect(stderr).toContain(`warning: both --password and ${PASSWORD_ENV} are set; using --password\n`);
  });

  it('--key-file wins over TRACEHOUND_BACKUP_PASSWORD', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const key = join(tempDir('k'), 'k');
    expect(await run('ios', 'extract-key', backup, '-o', key)).toBe(0);
    process.env[PASSWORD_ENV] = 'wrong';
    stderr = '';
    expect(await run('check', backup, '--no-default-iocs', '--key-file', key, '--quiet', '--only', 'ios.tcc')).toBe(0);
    expect(stderr).toBe(`warning: both --key-file and ${PASSWORD_ENV} are set; using --key-file\n`);
  });
});

describe('ios extract-key -o', () => {
  it('refuses BACKUP/Info.plist, even with --force (it used to replace Info.plist with the key)', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const before = snapshotTree(backup);
    expect(await run('ios', 'extract-key', backup, '-o', join(backup, 'Info.plist'), '--force')).toBe(2);
    expect(stderr).toMatch(/--output .*ENC\/Info\.plist: is inside the evidence/);
    oneLine();
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('refuses an existing file without --force, replaces it with --force (mode 0600)', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const key = join(tempDir('k'), 'backup.key');
    writeFileSync(key, 'my notes');
    expect(await run('ios', 'extract-key', backup, '-o', key)).toBe(2);
    expect(stderr).toMatch(/backup\.key: already exists; choose a new name, or pass --force to replace it/);
    expect(readFileSync(key, 'utf8')).toBe('my notes');
    expect(await run('ios', 'extract-key', backup, '-o', key, '--force')).toBe(0);
    expect(readFileSync(key, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  it('a folder as -o is refused before the key derivation (the password is never even asked for)', async () => {
    let asked = 0;
    const dir = tempDir('kdir');
    await expect(saveBackupKey(backup, dir, async () => (asked++, { kind: 'password', password: PASSWORD }))).rejects.toThrow(/: is a folder; expected a new file name/);
    await expect(saveBackupKey(backup, '/dev/null', async () => (asked++, { kind: 'password', password: PASSWORD }))).rejects.toThrow(/is a device or special file/);
    expect(asked).toBe(0);
  });
});

describe('ios decrypt -o', () => {
  it('refuses ENC/..plain (plaintext written inside the encrypted evidence before)', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const before = snapshotTree(backup);
    expect(await run('ios', 'decrypt', backup, '-o', join(backup, '..plain'))).toBe(2);
    expect(stderr).toMatch(/--output .*ENC\/\.\.plain: is inside the evidence/);
    oneLine();
    expect(snapshotTree(backup)).toEqual(before);
  });

  it('refuses a non-empty folder, whatever it holds', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const out = join(tempDir('dec'), 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'info.json'), '{}');
    expect(await run('ios', 'decrypt', backup, '-o', out)).toBe(2);
    expect(stderr).toMatch(/out: is not empty; choose a new or empty folder/);
  });
});

describe('a temp area that cannot be used is one line, before any work', () => {
  it.each([
    ['missing', '/nonexistent/tmp', /^tracehound: temp folder \/nonexistent\/tmp: no such folder \(Tracehound needs a private scratch folder there; set TMPDIR to a writable folder\)$/],
    ['not a folder', '/dev/null', /^tracehound: temp folder \/dev\/null: not a folder/],
    ['read-only', '/sys/kernel', /^tracehound: temp folder \/sys\/kernel: not writable/],
  ])('TMPDIR %s', async (_name, tmp, message) => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      expect(await run('check', mvtIosBackup(), '--no-default-iocs')).toBe(2);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
    expect(stderr.trim()).toMatch(message);
    oneLine();
  });
});
