/**
 * An encrypted case (`check --case DIR --encrypt`): after checking the MVT test backup, no byte of any file in
 * the case folder holds the backup's message texts, links, domains, addresses, process names or file paths,
 * neither at the end nor at any moment of the run; it stays encrypted through later checks and rechecks; its
 * readers ask for the key; `case lock`/`case unlock` turn one kind into the other; a wrong passphrase or
 * identity, or a damaged file, is one line and exit 2 with nothing changed on disk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCaseDb } from '../../src/case/db.js';
import { createRecordReader } from '../../src/case/record-store.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newAgeKeys } from '../fixtures/age.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { capturedOutput, run } from '../helpers/cli.js';
import { mvtIosBackup, mvtTestStix, projectRoot } from '../helpers/data.js';

const out = capturedOutput();
const PASS = 'correct horse battery staple';
const ENV = 'TRACEHOUND_CASE_PASSPHRASE';
const CHILD = join(projectRoot, 'test', 'cli', '_cli-child.ts');

let plainCase = '';
let sealedCase = '';
/** Strings of the backup's content, taken from what the plain case stored (so the list is real). */
let secrets: string[] = [];

beforeEach(() => {
  process.env[ENV] = PASS;
});
afterEach(() => {
  delete process.env[ENV];
});

beforeAll(async () => {
  const root = tempDir('enc');
  plainCase = join(root, 'plain');
  sealedCase = join(root, 'sealed');
  process.env[ENV] = PASS;
  try {
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--iocs', mvtTestStix(), '--case', plainCase, '--device', 'phone-a', '--quiet')).toBe(1);
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--iocs', mvtTestStix(), '--case', sealedCase, '--device', 'phone-a', '--quiet', '--encrypt')).toBe(1);
  } finally {
    delete process.env[ENV];
  }
  secrets = backupStrings(join(plainCase, 'case.db'));
}, 180_000);

afterAll(() => {
  delete process.env[ENV];
});

/** The message texts among the secrets: the plain case holds them too, but deflated in its record blocks. */
let deflatedTexts: string[] = [];

/** Message texts, links, domains, addresses, process names, file paths and evidence files the plain case holds. */
function backupStrings(dbPath: string): string[] {
  const db = openCaseDb(dbPath);
  try {
    const col = (sql: string) => db.prepare(sql).all().map((r) => String(Object.values(r)[0]));
    // Record data is deflated in blocks (record-store.ts): read through the case's own reader.
    const read = createRecordReader(db);
    const texts = col(`SELECT r.id FROM records r JOIN record_sources s ON s.id = r.source_id WHERE s.artifact IN ('ios.sms', 'ios.whatsapp')`).flatMap((id) => {
      const r = (read(Number(id))?.data ?? {}) as Record<string, unknown>;
      return [r.text, r.ZTEXT, r.message].filter((t): t is string => typeof t === 'string' && t.length >= 8);
    });
    const observed = `SELECT DISTINCT o.value FROM observables o JOIN observable_fields f ON f.id = o.field_id WHERE`;
    const all = [
      ...texts,
      ...col(`${observed} f.kind IN ('url', 'domain', 'email')`),
      ...col(`${observed} f.kind = 'process' AND length(o.value) >= 10 ORDER BY o.value LIMIT 10`),
      ...col(`${observed} f.kind = 'file_path' AND length(o.value) BETWEEN 30 AND 90 ORDER BY o.value LIMIT 15`),
      ...col('SELECT DISTINCT evidence_file FROM record_sources WHERE length(evidence_file) >= 10'),
    ];
    expect(texts.length).toBeGreaterThan(0);
    deflatedTexts = texts;
    return [...new Set(all)];
  } finally {
    db.close();
  }
}

/** Every file under `dir`, with the secrets found in its bytes (none, for an encrypted case). */
function leaks(dir: string): { file: string; found: string[] }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const bytes = readFileSync(join(e.parentPath, e.name));
      return { file: e.name, found: secrets.filter((s) => bytes.includes(s)) };
    });
}

/** Names, sizes and SHA-256 of everything in `dir`: what "nothing changed on disk" compares. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((name) => `${name} ${statSync(join(dir, name)).size} ${createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')}`);
}

async function showJson(dir: string, ...extra: string[]): Promise<{ findings: unknown[]; counts: Record<string, number> }> {
  out.stdout = '';
  expect(await run('case', 'show', dir, '--json', ...extra)).toBe(0);
  return JSON.parse(out.stdout) as { findings: unknown[]; counts: Record<string, number> };
}

const copyCase = (from: string, label: string): string => {
  const to = join(tempDir(label), 'case');
  cpSync(from, to, { recursive: true });
  return to;
};

describe('an encrypted case', () => {
  it('holds no byte of the backup in any file of its folder', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(20);
    expect(secrets).toContain('Please click here https://badbadbad.example.org/');
    expect(secrets).toContain('HomeDomain/Library/SMS/sms.db');
    expect(secrets).toContain('user@example.org');
    // The search works: the plain case holds every one of them as bytes, but for the record data it deflates.
    expect(leaks(plainCase).flatMap((l) => l.found).sort()).toEqual(secrets.filter((s) => !deflatedTexts.includes(s)).sort());
    expect(deflatedTexts).toContain('Please click here https://badbadbad.example.org/');
    expect(readdirSync(sealedCase)).toEqual(['case.db.age']);
    expect(statSync(join(sealedCase, 'case.db.age')).mode & 0o777).toBe(0o600);
    expect(leaks(sealedCase)).toEqual([{ file: 'case.db.age', found: [] }]);
    expect(readFileSync(join(sealedCase, 'case.db.age')).subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
  });

  it('holds no byte of the backup at any moment of the run (the case folder and the temp folder polled every 20 ms while the CLI checks into it)', async () => {
    const caseDir = join(tempDir('enc-poll'), 'case');
    // The child's own temp folder; tsx's compile cache in it (tsx-*) is the project's source, not the backup's.
    const tmp = tempDir('enc-poll-tmp');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'check', mvtIosBackup(), '--no-default-iocs', '--iocs', mvtTestStix(), '--case', caseDir, '--encrypt', '--quiet'], {
      cwd: projectRoot,
      env: { ...process.env, [ENV]: PASS, TMPDIR: tmp },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let exited: number | null = null;
    const ended = new Promise<void>((resolve) => child.on('exit', (code) => ((exited = code ?? -1), resolve())));
    const seen = new Set<string>();
    const found: string[] = [];
    const tempFiles = new Set<string>();
    let polls = 0;
    while (exited === null) {
      polls++;
      if (existsSync(caseDir)) {
        for (const name of readdirSync(caseDir)) {
          let bytes: Buffer;
          try {
            bytes = readFileSync(join(caseDir, name)); // a copy of the file as it is now
          } catch {
            continue; // a scratch file renamed away between the listing and the read
          }
          seen.add(name.replace(/\.[0-9a-f]{12}\.tmp$/, '.XXXX.tmp'));
          for (const s of secrets) if (bytes.includes(s)) found.push(`${name}: ${s}`);
        }
      }
      for (const e of readdirSync(tmp, { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || /(^|\/)tsx-[^/]*/.test(e.parentPath.slice(tmp.length))) continue;
        let bytes: Buffer;
        try {
          bytes = readFileSync(join(e.parentPath, e.name));
        } catch {
          continue; // removed between the listing and the read
        }
        tempFiles.add(join(e.parentPath, e.name).slice(tmp.length));
        for (const s of secrets) if (bytes.includes(s)) found.push(`temp ${e.name}: ${s}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await ended;
    expect(stderr).toBe('');
    expect(exited).toBe(1);
    expect(polls).toBeGreaterThan(10);
    expect(found).toEqual([]);
    // The MVT backup's databases are small: read from memory, never copied to the temp folder.
    expect([...tempFiles]).toEqual([]);
    expect([...seen].every((n) => n === 'case.db.age' || n === '.case.db.age.XXXX.tmp')).toBe(true);
    expect(seen.has('case.db.age')).toBe(true);
    expect(readdirSync(caseDir)).toEqual(['case.db.age']);
    expect(leaks(caseDir)).toEqual([{ file: 'case.db.age', found: [] }]);
  }, 180_000);

  it('shows, with its passphrase, the same findings as the unencrypted case; `case unlock` gives a plain case showing them too', async () => {
    const plain = await showJson(plainCase);
    expect(plain.counts).toEqual({ informational: 1, low: 1, medium: 0, high: 0, critical: 3 });
    expect((await showJson(sealedCase)).findings).toEqual(plain.findings);
    // `report CASE` reads it too, writing only the report asked for, and nothing in the case folder.
    const report = join(tempDir('enc-report'), 'report.html');
    out.stdout = '';
    expect(await run('report', sealedCase, '--output', report)).toBe(0);
    expect(out.stdout).toContain(`Report with 5 finding(s) written to ${report}`);
    expect(readFileSync(report, 'utf8')).toContain('badbadbad.example.org');
    // `export CASE --device` too: the bundle is the one of the unencrypted case.
    const bundles = tempDir('enc-export');
    out.stdout = '';
    expect(await run('export', sealedCase, '--device', 'phone-a', '--output', join(bundles, 'sealed.zip'))).toBe(0);
    expect(out.stdout).toContain(`${join(bundles, 'sealed.zip')}: 5 findings (acquisition 1: ${mvtIosBackup()})`);
    expect(readdirSync(sealedCase)).toEqual(['case.db.age']);

    const unlocked = copyCase(sealedCase, 'enc-unlock');
    out.stdout = '';
    expect(await run('case', 'unlock', unlocked)).toBe(0);
    expect(out.stdout).toContain(`${join(unlocked, 'case.db')}: the case is decrypted`);
    expect(readdirSync(unlocked)).toEqual(['case.db']);
    expect(statSync(join(unlocked, 'case.db')).mode & 0o777).toBe(0o600);
    delete process.env[ENV]; // a plain case asks for nothing
    expect((await showJson(unlocked)).findings).toEqual(plain.findings);
  }, 180_000);

  it('lock then unlock: a plain case encrypted (the plaintext file removed), then decrypted, shows the same findings', async () => {
    const caseDir = copyCase(plainCase, 'enc-lock');
    const before = await showJson(caseDir);
    out.stdout = '';
    expect(await run('case', 'lock', caseDir)).toBe(0);
    expect(out.stdout).toContain('the plaintext case.db was overwritten and removed');
    expect(readdirSync(caseDir)).toEqual(['case.db.age']);
    expect(leaks(caseDir)).toEqual([{ file: 'case.db.age', found: [] }]);
    expect((await showJson(caseDir)).findings).toEqual(before.findings);

    out.stderr = '';
    expect(await run('case', 'lock', caseDir)).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${caseDir}: the case is already encrypted (case.db.age); nothing changed\n`);

    expect(await run('case', 'unlock', caseDir)).toBe(0);
    expect(readdirSync(caseDir)).toEqual(['case.db']);
    expect((await showJson(caseDir)).findings).toEqual(before.findings);
    out.stderr = '';
    expect(await run('case', 'unlock', caseDir)).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${caseDir}: the case is not encrypted (case.db); nothing changed\n`);
  }, 180_000);

  it('refuses a wrong passphrase in one line naming the case, exit 2, for every command, with nothing changed on disk', async () => {
    const caseDir = copyCase(sealedCase, 'enc-wrong');
    const before = snapshot(caseDir);
    process.env[ENV] = 'not the passphrase';
    const line = `tracehound: ${join(caseDir, 'case.db.age')}: the passphrase cannot open this age file (wrong identity or passphrase; it is encrypted to: scrypt)\n`;
    for (const args of [
      ['case', 'show', caseDir],
      ['case', 'list', caseDir],
      ['case', 'unlock', caseDir],
      ['report', caseDir, '--output', join(tempDir('enc-wrong-report'), 'r.html')],
      ['export', caseDir, '--device', 'phone-a', '--output', join(tempDir('enc-wrong-export'), 'b.zip')],
      ['check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--quiet'],
    ]) {
      out.stderr = '';
      out.stdout = '';
      expect(await run(...args), args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toBe(line);
      expect(snapshot(caseDir)).toEqual(before);
    }
    out.stderr = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(2);
    expect(out.stderr).toBe(line);
    expect(snapshot(caseDir)).toEqual(before);
  }, 180_000);

  it('stays encrypted when a second check and a recheck add to it (no case.db ever appears)', async () => {
    const caseDir = copyCase(sealedCase, 'enc-second');
    out.stderr = '';
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--device', 'phone-b')).toBe(3);
    expect(out.stderr).toContain(`added to the encrypted case ${caseDir} (acquisition 2)`);
    expect(readdirSync(caseDir)).toEqual(['case.db.age']);
    out.stdout = '';
    expect(await run('recheck', caseDir, '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(1);
    expect(out.stdout).toContain('2 acquisition(s), 3 new finding(s), 0 gone, 6 indicator finding(s) now');
    expect(readdirSync(caseDir)).toEqual(['case.db.age']);
    expect(leaks(caseDir)).toEqual([{ file: 'case.db.age', found: [] }]);
    out.stdout = '';
    expect(await run('case', 'list', caseDir)).toBe(0);
    expect(out.stdout).toContain('2 device(s), 2 acquisition(s), 3 run(s)');
  }, 180_000);

  it('to an age recipient: the field laptop cannot reopen it, the lab opens it with --identity', async () => {
    const lab = await newAgeKeys();
    const keyDir = tempDir('enc-keys');
    const identityFile = join(keyDir, 'lab.key');
    writeFileSync(identityFile, `# lab key\n${lab.identity}\n`, { mode: 0o600 });
    const recipientsFile = join(keyDir, 'recipients.txt');
    writeFileSync(recipientsFile, `# the lab\n${lab.recipient}\n`);
    delete process.env[ENV];
    const caseDir = join(tempDir('enc-recipient'), 'case');
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--iocs', mvtTestStix(), '--case', caseDir, '--device', 'phone-a', '--recipients-file', recipientsFile, '--quiet')).toBe(1);
    expect(readdirSync(caseDir)).toEqual(['case.db.age']);
    expect(readFileSync(join(caseDir, 'case.db.age')).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> X25519 /);
    expect(leaks(caseDir)).toEqual([{ file: 'case.db.age', found: [] }]);

    const before = snapshot(caseDir);
    out.stderr = '';
    process.env[ENV] = PASS; // a passphrase does not open a case encrypted to a key
    expect(await run('case', 'show', caseDir)).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${join(caseDir, 'case.db.age')}: encrypted case for a recipient key (X25519); pass its identity file with --identity FILE\n`);
    const otherKey = join(keyDir, 'other.key');
    writeFileSync(otherKey, `${(await newAgeKeys()).identity}\n`, { mode: 0o600 });
    out.stderr = '';
    expect(await run('case', 'show', caseDir, '--identity', otherKey)).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${join(caseDir, 'case.db.age')}: 1 age identity cannot open this age file (wrong identity or passphrase; it is encrypted to: X25519)\n`);
    expect(snapshot(caseDir)).toEqual(before);

    expect((await showJson(caseDir, '--identity', identityFile)).findings).toEqual((await showJson(plainCase)).findings);
    // A later check by the lab keeps the case encrypted to the same key.
    const stanzaLine = (dir: string) => readFileSync(join(dir, 'case.db.age')).subarray(0, 300).toString('latin1').split('\n')[1];
    const stanza = stanzaLine(caseDir);
    expect(stanza).toMatch(/^-> X25519 /);
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', caseDir, '--case-identity', identityFile, '--device', 'phone-b', '--quiet')).toBe(3);
    expect(stanzaLine(caseDir)).toBe(stanza);
    out.stdout = '';
    expect(await run('case', 'list', caseDir, '--identity', identityFile)).toBe(0);
    expect(out.stdout).toContain('2 device(s), 2 acquisition(s)');

    // `case lock --recipient`: a plain case locked to the lab's key, opened by the lab and unlocked by it.
    const locked = copyCase(plainCase, 'enc-lock-recipient');
    delete process.env[ENV];
    expect(await run('case', 'lock', locked, '--recipient', lab.recipient, '--quiet')).toBe(0);
    expect(readFileSync(join(locked, 'case.db.age')).toString('latin1')).toMatch(/^age-encryption\.org\/v1\n-> X25519 /);
    expect((await showJson(locked, '--identity', identityFile)).findings).toEqual((await showJson(plainCase)).findings);
    expect(await run('case', 'unlock', locked, '--identity', identityFile, '--quiet')).toBe(0);
    expect(readdirSync(locked)).toEqual(['case.db']);
  }, 180_000);

  it('refuses a damaged or cut case.db.age in one line, exit 2, and leaves it as it is', async () => {
    const whole = readFileSync(join(sealedCase, 'case.db.age'));
    const cut = copyCase(sealedCase, 'enc-cut');
    writeFileSync(join(cut, 'case.db.age'), whole.subarray(0, Math.floor(whole.length / 2)));
    const flipped = copyCase(sealedCase, 'enc-flip');
    const bytes = Buffer.from(whole);
    bytes[bytes.length - 5000] = bytes[bytes.length - 5000]! ^ 0x40;
    writeFileSync(join(flipped, 'case.db.age'), bytes);
    for (const dir of [cut, flipped]) {
      const before = snapshot(dir);
      out.stderr = '';
      expect(await run('case', 'show', dir)).toBe(2);
      expect(out.stderr).toMatch(new RegExp(`^tracehound: ${join(dir, 'case.db.age')}: encrypted case damaged, altered or truncated \\(age chunk \\d+ of \\d+ fails authentication\\)\\n$`));
      expect(snapshot(dir)).toEqual(before);
    }
  }, 180_000);

  it('is refused with one line where encryption does not apply', async () => {
    const plain = copyCase(plainCase, 'enc-refuse');
    out.stderr = '';
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', plain, '--encrypt', '--quiet')).toBe(2);
    expect(out.stderr).toBe(`tracehound: ${plain}: the case is not encrypted; \`tracehound case lock ${plain}\` encrypts it (--encrypt applies to a new case)\n`);
    out.stderr = '';
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--encrypt')).toBe(2);
    expect(out.stderr).toBe('tracehound: --encrypt, --recipient, --recipients-file and --case-identity are about the case: use them with --case DIR\n');
    out.stderr = '';
    expect(await run('report', sealedCase, '--output', join(sealedCase, 'report.html'))).toBe(2);
    expect(out.stderr).toBe(`tracehound: --output ${join(sealedCase, 'report.html')}: is inside the encrypted case ${sealedCase}; write the report elsewhere (an encrypted case folder holds only ciphertext)\n`);
    out.stderr = '';
    expect(await run('export', sealedCase, '--device', 'phone-a', '--output', join(sealedCase, 'b.zip'))).toBe(2);
    expect(out.stderr).toBe(`tracehound: --output ${join(sealedCase, 'b.zip')}: is inside the encrypted case ${sealedCase}; write the bundle elsewhere (an encrypted case folder holds only ciphertext)\n`);
    expect(readdirSync(sealedCase)).toEqual(['case.db.age']);
    out.stderr = '';
    expect(await run('check', mvtIosBackup(), '--no-default-iocs', '--case', join(tempDir('enc-badrcpt'), 'c'), '--recipient', 'age1notakey', '--quiet')).toBe(2);
    expect(out.stderr).toMatch(/^tracehound: age1notakey: not an age recipient \(expected a public key age1…: .*\)\n$/);
  }, 180_000);
});
