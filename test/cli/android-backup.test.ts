/**
 * `tracehound check` on Android backups: the password comes from where an iOS backup's does (environment,
 * --password, prompt); a wrong or missing one for a `.ab` is exit 2 with one line; for the backup.ab inside an
 * androidqf acquisition it is a note of an incomplete check, and the rest is checked.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD_ENV } from '../../src/cli/credentials.js';
import { shared } from '../helpers/data.js';
import { capturedOutput, run } from '../helpers/cli.js';

const encrypted = () => shared('mvt-test-artifacts', 'android_backup', 'backup2.ab');
const plain = () => shared('mvt-test-artifacts', 'android_backup', 'backup.ab');
let base: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'th-cli-ab-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => {
  delete process.env[PASSWORD_ENV];
});
afterEach(() => {
  delete process.env[PASSWORD_ENV];
});

const out = capturedOutput();

async function withoutTty<T>(fn: () => Promise<T>): Promise<T> {
  const tty = process.stdin.isTTY;
  process.stdin.isTTY = false;
  try {
    return await fn();
  } finally {
    process.stdin.isTTY = tty;
  }
}

describe('tracehound check on a .ab', () => {
  it('an encrypted one opens with TRACEHOUND_BACKUP_PASSWORD: exit 0, its SMS read', async () => {
    process.env[PASSWORD_ENV] = '123456';
    expect(await run('check', encrypted(), '--no-default-iocs', '--json')).toBe(0);
    const summary = JSON.parse(out.stdout) as { acquisition: { kind: string; encrypted: boolean }; coverage: { artifact: string; state: string; records: number }[] };
    expect(summary.acquisition).toMatchObject({ kind: 'android-backup', encrypted: true });
    expect(summary.coverage).toEqual([{ artifact: 'android.sms', state: 'parsed', records: 1 }]);
  });

  it('and with --password (with the process-list warning)', async () => {
    expect(await run('check', encrypted(), '--no-default-iocs', '--password', '123456', '--quiet')).toBe(0);
    expect(out.stderr).toMatch(/visible in the process list/);
  });

  it('a wrong password: exit 2 and one line', async () => {
    process.env[PASSWORD_ENV] = '654321';
    expect(await run('check', encrypted(), '--no-default-iocs')).toBe(2);
    expect(out.stderr).toMatch(new RegExp(`^tracehound: ${encrypted().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: wrong backup password \\(the master key [a-z ]+\\)\\n$`));
  });

  it('no password and no terminal to ask on: exit 2, saying what it needs', async () => {
    expect(await withoutTty(() => run('check', encrypted(), '--no-default-iocs'))).toBe(2);
    expect(out.stderr).toMatch(/this backup is encrypted; set TRACEHOUND_BACKUP_PASSWORD, pass --key-file, or run in a terminal/);
    expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('a password for a plain one is ignored, with a warning', async () => {
    expect(await run('check', plain(), '--no-default-iocs', '--password', 'x', '--quiet')).toBe(0);
    expect(out.stderr).toMatch(/--password ignored: this backup is not encrypted/);
  });

  it('--type android-backup on an iOS backup folder: one line saying what was expected', async () => {
    expect(await run('check', shared('mvt-test-artifacts', 'ios_backup'), '--type', 'android-backup', '--no-default-iocs')).toBe(2);
    expect(out.stderr).toMatch(/not a supported acquisition \(expected an Android backup \(a \.ab file, or its extracted apps\/ folder\)\)\n$/);
  });
});

describe('tracehound check on an androidqf acquisition holding an encrypted backup.ab', () => {
  it('without a password the check goes on: the backup is a note, the run incomplete, not an error', async () => {
    const dir = join(base, 'aqf');
    cpSync(shared('mvt-test-artifacts', 'androidqf'), dir, { recursive: true });
    rmSync(join(dir, 'backup.ab'));
    writeFileSync(join(dir, 'backup.ab'), readFileSync(encrypted()));
    const code = await withoutTty(() => run('check', dir, '--no-default-iocs', '--json', '--fail-on', 'critical'));
    expect(code).toBe(3);
    const summary = JSON.parse(out.stdout) as { complete: boolean; container_notes: string[]; coverage: { artifact: string; state: string }[] };
    expect(summary.complete).toBe(false);
    expect(summary.container_notes).toEqual([expect.stringMatching(/backup\.ab: .*this backup is encrypted; set TRACEHOUND_BACKUP_PASSWORD.*: the SMS in it were not checked$/)]);
    expect(summary.coverage.find((c) => c.artifact === 'android.aqf_packages')!.state).toBe('parsed');
  });

  it('with the password from the environment its SMS are read', async () => {
    process.env[PASSWORD_ENV] = '123456';
    const code = await run('check', join(base, 'aqf'), '--no-default-iocs', '--json', '--fail-on', 'critical');
    const summary = JSON.parse(out.stdout) as { container_notes: string[]; coverage: { artifact: string; state: string; records: number }[] };
    expect(summary.container_notes).toEqual([]);
    expect(summary.coverage.find((c) => c.artifact === 'android.sms')).toEqual({ artifact: 'android.sms', state: 'parsed', records: 1 });
    expect(code).toBe(0);
  });
});
