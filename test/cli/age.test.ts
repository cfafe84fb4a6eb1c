/** `tracehound check` on an age-encrypted androidqf zip: where identities and passphrases come from, exit codes. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGE_PASSPHRASE_ENV } from '../../src/evidence/fs/age.js';
import { ageEncrypt, newAgeKeys, type AgeKeys } from '../fixtures/age.js';
import { packAcquisition } from '../fixtures/archives.js';
import { mvtTestStix, shared } from '../helpers/data.js';
import { AQF_ALERTS } from '../artifacts/android/_aqf.js';
import { capturedOutput, run } from '../helpers/cli.js';

let base: string;
let keys: AgeKeys;
let byKey: string;
let byPassphrase: string;
let identityFile: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-cli-age-'));
  keys = await newAgeKeys();
  mkdirSync(join(base, 'pack'));
  const zip = readFileSync(await packAcquisition(shared('mvt-test-artifacts', 'androidqf'), 'zip', join(base, 'pack', 'aqf.zip'), 'androidqf'));
  rmSync(join(base, 'pack'), { recursive: true });
  byKey = join(base, 'aqf.zip.age');
  writeFileSync(byKey, await ageEncrypt(zip, { recipient: keys.recipient }));
  byPassphrase = join(base, 'aqf-pass.zip.age');
  writeFileSync(byPassphrase, await ageEncrypt(zip, { passphrase: 'swordfish' }));
  identityFile = join(base, 'key.txt');
  writeFileSync(identityFile, `# created: 2024-05-01T10:00:00Z\n# public key: ${keys.recipient}\n${keys.identity}\n`);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));
beforeEach(() => {
  delete process.env[AGE_PASSPHRASE_ENV];
});
afterEach(() => {
  delete process.env[AGE_PASSPHRASE_ENV];
});

const out = capturedOutput();

/** Runs with standard input not a terminal, as in scripts and CI. */
async function noTerminal<T>(f: () => Promise<T>): Promise<T> {
  const tty = process.stdin.isTTY;
  process.stdin.isTTY = false;
  try {
    return await f();
  } finally {
    process.stdin.isTTY = tty;
  }
}

describe('tracehound check on an age-encrypted androidqf zip', () => {
  it('with --age-identity: MVT\'s ten alerts, exit 1', async () => {
    expect(await run('check', byKey, '--age-identity', identityFile, '--iocs', mvtTestStix(), '--no-default-iocs', '--json')).toBe(1);
    const summary = JSON.parse(out.stdout) as { acquisition: { encrypted: boolean; container: { encryption: string } }; findings: unknown[] };
    expect(summary.findings).toHaveLength(AQF_ALERTS.length);
    expect(summary.acquisition.encrypted).toBe(true);
    expect(summary.acquisition.container.encryption).toBe('age');
    expect(out.stderr).toBe('');
  });

  it('with the passphrase from TRACEHOUND_AGE_PASSPHRASE', async () => {
    process.env[AGE_PASSPHRASE_ENV] = 'swordfish';
    expect(await run('check', byPassphrase, '--iocs', mvtTestStix(), '--no-default-iocs', '--json')).toBe(1);
    expect((JSON.parse(out.stdout) as { findings: unknown[] }).findings).toHaveLength(AQF_ALERTS.length);
  });

  it('exits 2 with one line for a wrong identity or passphrase', async () => {
    const other = await newAgeKeys();
    const wrongKey = join(base, 'other.txt');
    writeFileSync(wrongKey, `${other.identity}\n`);
    expect(await run('check', byKey, '--age-identity', wrongKey, '--no-default-iocs')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${byKey}: 1 age identity cannot open this age file (wrong identity or passphrase; it is encrypted to: X25519)\n`);
    out.stderr = '';
    process.env[AGE_PASSPHRASE_ENV] = 'wrong';
    expect(await run('check', byPassphrase, '--no-default-iocs')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${byPassphrase}: the passphrase cannot open this age file (wrong identity or passphrase; it is encrypted to: scrypt)\n`);
  });

  it('says what it needs when no credential is given and there is no terminal to ask on', async () => {
    expect(await noTerminal(() => run('check', byKey, '--no-default-iocs'))).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${byKey}: age-encrypted to a recipient key (X25519); pass its identity file with --age-identity FILE\n`);
    out.stderr = '';
    expect(await noTerminal(() => run('check', byPassphrase, '--no-default-iocs'))).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${byPassphrase}: age-encrypted with a passphrase; set TRACEHOUND_AGE_PASSPHRASE or run in a terminal to be asked for it\n`);
  });

  it('a bad identity file fails before the evidence is opened; an unused one is a warning', async () => {
    const bad = join(base, 'bad.txt');
    writeFileSync(bad, 'hello\n');
    expect(await run('check', join(base, 'absent.zip.age'), '--age-identity', bad, '--no-default-iocs')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${bad}: line 1 is not an age identity; expected an age identity file: AGE-SECRET-KEY-1… lines, # comments and blank lines\n`);
    out.stderr = '';
    expect(await run('check', shared('mvt-test-artifacts', 'androidqf'), '--age-identity', identityFile, '--no-default-iocs', '--quiet')).not.toBe(2);
    expect(out.stderr).toBe('warning: --age-identity ignored: this acquisition is not age-encrypted\n');
  });
});
