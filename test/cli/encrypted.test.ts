import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD_ENV } from '../../src/cli/credentials.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { capturedOutput, run } from '../helpers/cli.js';

const PASSWORD = 'hunter2';
let backup: string;

beforeAll(() => {
  backup = join(tempDir('cli-enc'), 'backup');
  generateIosBackup(backup, { seed: 3, manifestEntries: 100, messages: 5, visits: 5, processes: 5, encryption: { password: PASSWORD, dpic: 100, iter: 5 } });
});
beforeEach(() => {
  delete process.env[PASSWORD_ENV];
});
afterEach(() => {
  delete process.env[PASSWORD_ENV];
});

const out = capturedOutput();

describe('tracehound check on an encrypted backup', () => {
  it('takes the password from TRACEHOUND_BACKUP_PASSWORD', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    expect(await run('check', backup, '--no-default-iocs')).toBe(0);
    expect(out.stdout).toContain('28 artifacts');
  });

  it('reports in --json how much was decrypted', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    expect(await run('check', backup, '--no-default-iocs', '--json', '--only', 'ios.tcc')).toBe(0);
    const summary = JSON.parse(out.stdout) as { acquisition: { encrypted: boolean }; decrypted: { files: number; bytes: number } };
    expect(summary.acquisition.encrypted).toBe(true);
    expect(summary.decrypted.files).toBe(2); // Manifest.db and TCC.db
    expect(summary.decrypted.bytes).toBeGreaterThan(0);
  });

  it('exits 2 with one line for a wrong password', async () => {
    process.env[PASSWORD_ENV] = 'wrong';
    expect(await run('check', backup, '--no-default-iocs')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${backup}: wrong backup password (it does not unlock the backup's keybag)\n`);
  });

  it('says what it needs when there is no password and no terminal to ask on', async () => {
    const tty = process.stdin.isTTY;
    process.stdin.isTTY = false;
    try {
      expect(await run('check', backup, '--no-default-iocs')).toBe(2);
    } finally {
      process.stdin.isTTY = tty;
    }
    expect(out.stderr).toMatch(/this backup is encrypted; set TRACEHOUND_BACKUP_PASSWORD, pass --key-file, or run in a terminal/);
  });

  it('warns that --password shows in the process list, and works', async () => {
    expect(await run('check', backup, '--no-default-iocs', '--password', PASSWORD, '--quiet')).toBe(0);
    expect(out.stderr).toMatch(/visible in the process list/);
  });

  it('extract-key, then --key-file', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const key = join(tempDir('key'), 'k');
    expect(await run('ios', 'extract-key', backup, '--output', key)).toBe(0);
    delete process.env[PASSWORD_ENV];
    expect(await run('check', backup, '--no-default-iocs', '--key-file', key, '--quiet')).toBe(0);
  });

  it.each([
    ['a key file that is not one', 'not a key', /not a backup key file \(expected 64 hexadecimal digits\)/],
    ['a key for another backup', 'ab'.repeat(32), /the key file does not unlock this backup/],
  ])('rejects %s with one line', async (_n, content, message) => {
    const key = join(tempDir('badkey'), 'k');
    writeFileSync(key, content);
    expect(await run('check', backup, '--no-default-iocs', '--key-file', key)).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('accepts a key file written with a trailing newline (MVT rejects it)', async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    const key = join(tempDir('key'), 'k');
    expect(await run('ios', 'extract-key', backup, '--output', key)).toBe(0);
    delete process.env[PASSWORD_ENV];
    const { readFileSync } = await import('node:fs');
    writeFileSync(key, `${readFileSync(key, 'utf8')}\n`);
    expect(await run('check', backup, '--no-default-iocs', '--key-file', key, '--quiet')).toBe(0);
  });
});
