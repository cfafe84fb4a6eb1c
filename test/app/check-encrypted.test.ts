/**
 * Issue #3's acceptance: an encrypted backup is checked in place, with the same results as the same backup
 * unencrypted, without plaintext on disk outside the private temp folder, which is gone at the end.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { decryptBackup, extractBackupKey, writeKeyFile } from '../../src/app/ios-backup-tools.js';
import type { BackupCredential } from '../../src/evidence/ios-backup-keys.js';
import { sqliteLimits } from '../../src/evidence/sqlite.js';
import { DEMO_PLANTS, demoStixBundle } from '../../src/synth/demo.js';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { projectRoot } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const PASSWORD = 'correct horse battery staple';
const encryption = { password: PASSWORD, dpic: 1000, iter: 10 };
const sizes = { seed: 7, manifestEntries: 1500, messages: 40, visits: 60, processes: 20, plant: DEMO_PLANTS };
const password = (pw: string) => async (): Promise<BackupCredential> => ({ kind: 'password', password: pw });

const summary = (r: CheckResult) => ({
  findings: r.findings.map((f) => [f.level, f.artifact, f.message]),
  records: Object.fromEntries(r.coverage.map((c) => [c.artifact, [c.state, c.records]])),
});

let plain: string;
let encrypted: string;
let iocs: string;

beforeAll(() => {
  const base = tempDir('enc');
  plain = join(base, 'plain');
  encrypted = join(base, 'encrypted');
  generateIosBackup(plain, sizes);
  generateIosBackup(encrypted, { ...sizes, encryption });
  iocs = join(base, 'demospy.stix2');
  writeFileSync(iocs, JSON.stringify(demoStixBundle()));
});

describe('checking an encrypted backup in place', () => {
  it('gives the same findings and record counts as the same backup unencrypted', async () => {
    const a = await check({ target: plain, iocs: [iocs], userIocDir: null });
    const b = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: password(PASSWORD) });
    expect(b.acquisition.encrypted).toBe(true);
    expect(summary(b)).toEqual(summary(a));
    expect(a.findings.filter((f) => f.level === 'critical').length).toBe(4);
  });

  it('decrypts only what the parsers read', async () => {
    const r = await check({ target: encrypted, userIocDir: null, credentials: password(PASSWORD), only: ['ios.tcc'] });
    expect(r.decrypted).toEqual({ filesDecrypted: 2, bytesDecrypted: expect.any(Number) as number }); // Manifest.db and TCC.db
    const storedFiles = readdirSync(encrypted, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /^[0-9a-f]{40}$/.test(e.name));
    const all = await check({ target: encrypted, userIocDir: null, credentials: password(PASSWORD) });
    // Manifest.db, sms.db (read by two artifacts, decrypted once), History.db, DataUsage.sqlite, TCC.db,
    // .GlobalPreferences.plist; the other stored files (photos, caches) are never decrypted.
    expect(all.decrypted!.filesDecrypted).toBe(6);
    expect(storedFiles.length).toBeGreaterThan(30); // 5 artifact files and the filler nobody reads
  });

  it('refuses a wrong password after one derivation, writing nothing', async () => {
    const out = join(tempDir('out'), 'never');
    const before = snapshotTree(encrypted);
    await expect(check({ target: encrypted, userIocDir: null, credentials: password('wrong'), output: out })).rejects.toThrow(/wrong backup password/);
    expect(existsSync(out)).toBe(false);
    expect(snapshotTree(encrypted)).toEqual(before);
  });

  it('extract-key writes a 0600 key file that then opens the backup without the password', async () => {
    const keyFile = join(tempDir('key'), 'backup.key');
    writeKeyFile(keyFile, await extractBackupKey(encrypted, password(PASSWORD)));
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = Buffer.from(readFileSync(keyFile, 'utf8'), 'hex');
    const r = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: async () => ({ kind: 'key', key }) });
    expect(r.findings.filter((f) => f.level === 'critical').length).toBe(4);
  });

  it('ios decrypt writes an ordinary backup that checks with the same findings', async () => {
    const out = join(tempDir('dec'), 'decrypted');
    const result = await decryptBackup(encrypted, out, password(PASSWORD));
    const written = readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /^[0-9a-f]{40}$/.test(e.name));
    expect(result.files).toBe(written.length);
    expect(result.bytes).toBe(written.reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0));
    expect(result.files).toBeGreaterThan(30);
    const a = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: password(PASSWORD) });
    const b = await check({ target: out, iocs: [iocs], userIocDir: null });
    expect(b.acquisition.encrypted).toBe(false);
    expect(summary(b)).toEqual(summary(a));
  });

  it('gives the same results when databases are too large for memory and go through the private temp folder', async () => {
    const a = await check({ target: plain, iocs: [iocs], userIocDir: null });
    const limit = sqliteLimits.maxInMemoryBytes;
    sqliteLimits.maxInMemoryBytes = 4096; // every database, Manifest.db included, takes the on-disk path
    try {
      const b = await check({ target: encrypted, iocs: [iocs], userIocDir: null, credentials: password(PASSWORD) });
      expect(summary(b)).toEqual(summary(a));
    } finally {
      sqliteLimits.maxInMemoryBytes = limit;
    }
  });

  it('ios decrypt refuses to write into the source', async () => {
    await expect(decryptBackup(encrypted, join(encrypted, 'out'), password(PASSWORD))).rejects.toThrow(/--output .*: is inside the evidence /);
  });
});

describe('no plaintext on disk', () => {
  const cli = join(projectRoot, 'bin', 'tracehound.js');
  const run = promisify(execFile);

  it('leaves the temp area and the backup as they were, after a check and after an interrupted one', async () => {
    const tmp = tempDir('tmpdir');
    const env = { ...process.env, TMPDIR: tmp, TRACEHOUND_BACKUP_PASSWORD: PASSWORD };
    const backupBefore = snapshotTree(encrypted);
    await run(process.execPath, [cli, 'check', encrypted, '--no-default-iocs', '--quiet'], { env }).catch((e: { code?: number }) => {
      if (e.code !== 1) throw e;
    });
    expect(readdirSync(tmp)).toEqual([]);
    expect(snapshotTree(encrypted)).toEqual(backupBefore);

    // Interrupted: SIGINT while the check runs (a bigger backup, so it is still running).
    const big = join(tempDir('big'), 'b');
    mkdirSync(big);
    generateIosBackup(big, { ...sizes, manifestEntries: 20_000, messages: 20_000, visits: 20_000, encryption });
    // --output makes the run keep a scratch timeline store in the private temp folder while it works.
    const child = execFile(process.execPath, [cli, 'check', big, '--no-default-iocs', '--quiet', '--output', join(tempDir('out'), 'o')], { env });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : null))));
    for (let i = 0; i < 200 && readdirSync(tmp).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(tmp).length).toBe(1); // the private scratch folder, nothing else
    expect(statSync(join(tmp, readdirSync(tmp)[0]!)).mode & 0o777).toBe(0o700);
    child.kill('SIGINT');
    await exited;
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);
});
