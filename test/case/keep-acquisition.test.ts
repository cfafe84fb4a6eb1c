/**
 * An acquisition kept with its case (issue #12 part 4): packed and age-encrypted as one stream, never written
 * in plaintext, and checked later straight from the encrypted copy with the same findings and records as the
 * original.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { keepAcquisition, keptPath } from '../../src/case/keep-acquisition.js';
import { newSeal, sealingStream, type CaseSeal } from '../../src/case/sealed.js';
import { InterruptedError, OutputError } from '../../src/errors.js';
import type { AgeCredentialProvider } from '../../src/evidence/fs/age.js';
import { ageEncrypt, newAgeKeys, type AgeKeys } from '../fixtures/age.js';
import { tarTree } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';

const summary = (r: CheckResult) => ({
  findings: r.findings.map((f) => `${f.level} ${f.artifact} ${f.message}`).sort(),
  records: Object.fromEntries(r.coverage.map((c) => [c.artifact, `${c.state}:${c.records}`])),
});

/** Phone content of the MVT backup (a link in a message, a contact's number, a file path): never in the kept file. */
const PLAINTEXT = ['badbadbad.example.org', 'example.org/news', 'Library/SMS/sms.db', 'Manifest.db', 'HomeDomain'];

let keys: AgeKeys;
/** The seal of a case encrypted to `keys`: a kept acquisition is sealed under the case's own age header. */
let toKeys: CaseSeal;
let original: CheckResult;
const identity: (k: AgeKeys) => AgeCredentialProvider = (k) => () => Promise.resolve({ identities: [k.identity] });

beforeAll(async () => {
  keys = await newAgeKeys();
  toKeys = await newSeal({ recipients: [keys.recipient] });
  original = await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null });
}, 60_000);

function newCase(): string {
  const dir = join(tempDir('keep'), 'case');
  mkdirSync(join(dir, 'acquisitions'), { recursive: true, mode: 0o700 });
  return dir;
}

describe('keeping an acquisition with its case', () => {
  it('packs the backup folder sealed to a recipient, 0600, with no plaintext, and checks the same from the copy', async () => {
    const dir = newCase();
    const kept = await keepAcquisition(mvtIosBackup(), keptPath(dir, 1), toKeys);
    expect(kept.path).toBe(join(dir, 'acquisitions', '1.zip.age'));
    expect(kept.files).toBe(readdirSync(mvtIosBackup(), { recursive: true }).filter((n) => statSync(join(mvtIosBackup(), String(n))).isFile()).length);
    expect(kept.skipped).toEqual([]);
    expect(statSync(kept.path).mode & 0o777).toBe(0o600);
    expect(kept.sha256).toBe(createHash('sha256').update(readFileSync(kept.path)).digest('hex'));
    expect(readdirSync(join(dir, 'acquisitions'))).toEqual(['1.zip.age']);
    const bytes = readFileSync(kept.path);
    for (const s of PLAINTEXT) expect(bytes.includes(s), s).toBe(false);

    const fromCopy = await check({ target: kept.path, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: identity(keys) });
    expect(fromCopy.acquisition.kind).toBe('ios-backup');
    expect(summary(fromCopy)).toEqual(summary(original));
    expect(fromCopy.findings).toHaveLength(5);
  });

  it('seals with a passphrase (scrypt) as well; another key cannot open the copy', async () => {
    const dir = newCase();
    const kept = await keepAcquisition(mvtIosBackup(), keptPath(dir, 2), await newSeal({ passphrase: 'correct horse battery staple', scryptLogN: 10 }));
    const fromCopy = await check({ target: kept.path, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: () => Promise.resolve({ identities: [], passphrase: 'correct horse battery staple' }) });
    expect(summary(fromCopy)).toEqual(summary(original));
    const other = await newAgeKeys();
    await expect(check({ target: kept.path, userIocDir: null, ageCredentials: identity(other) })).rejects.toThrow(/1\.zip\.age|2\.zip\.age/);
  }, 60_000);

  it('packs a tar.gz in one pass and keeps an age-encrypted input as it came', async () => {
    const dir = newCase();
    const tgz = join(tempDir('keep-tgz'), 'backup.tar.gz');
    await tarTree(mvtIosBackup(), tgz, { gzip: true });
    const kept = await keepAcquisition(tgz, keptPath(dir, 3), toKeys);
    expect(summary(await check({ target: kept.path, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: identity(keys) }))).toEqual(summary(original));

    const sealedInput = join(tempDir('keep-age'), 'acq.zip.age');
    writeFileSync(sealedInput, await ageEncrypt(readFileSync(kept.path), { recipient: keys.recipient }));
    const asIs = await keepAcquisition(sealedInput, keptPath(dir, 4), toKeys);
    expect(asIs.files).toBe(0);
    expect(readFileSync(asIs.path).equals(readFileSync(sealedInput))).toBe(true);
    expect(asIs.sha256).toBe(createHash('sha256').update(readFileSync(sealedInput)).digest('hex'));
  }, 60_000);

  it('never replaces a kept copy, and leaves nothing behind when it cannot write', async () => {
    const dir = newCase();
    const first = await keepAcquisition(mvtIosBackup(), keptPath(dir, 5), toKeys);
    const before = readFileSync(first.path);
    await expect(keepAcquisition(mvtIosBackup(), keptPath(dir, 5), toKeys)).rejects.toThrow(OutputError);
    expect(readFileSync(first.path).equals(before)).toBe(true);

    // A copy that cannot be written (its folder is gone): one line naming it, nothing left behind.
    await expect(keepAcquisition(mvtIosBackup(), join(dir, 'gone', 'deeper', '6.zip.age'), toKeys)).rejects.toThrow(/6\.zip\.age: cannot keep the acquisition .*ENOENT/);
    expect(readdirSync(join(dir, 'acquisitions'))).toEqual(['5.zip.age']);
    expect(existsSync(keptPath(dir, 6))).toBe(false);
  });

  it('stops when interrupted, leaving no partial file', async () => {
    const dir = newCase();
    const controller = new AbortController();
    controller.abort();
    await expect(keepAcquisition(mvtIosBackup(), keptPath(dir, 7), toKeys, controller.signal)).rejects.toThrow(InterruptedError);
    expect(readdirSync(join(dir, 'acquisitions'))).toEqual([]);
    // Interrupted while writing: the pipeline stops, the reading side too, and the partial file is removed.
    const late = new AbortController();
    const kept = keepAcquisition(mvtIosBackup(), keptPath(dir, 8), toKeys, late.signal);
    setTimeout(() => late.abort(), 5);
    await expect(kept).rejects.toThrow(InterruptedError);
    expect(readdirSync(join(dir, 'acquisitions'))).toEqual([]);
  });
});

describe('the sealing stream', () => {
  it.each([0, 1, 65_535, 65_536, 65_537, 3 * 65_536, 200_000])('seals %i bytes as standard age (typage opens it) in chunks of any size', async (n) => {
    const plain = randomBytes(n);
    const parts: Buffer[] = [];
    const stream = sealingStream(toKeys);
    const written = (async () => {
      for await (const c of stream) parts.push(c as Buffer);
    })();
    for (let at = 0; at < n; at += 7_001) stream.write(plain.subarray(at, at + 7_001));
    stream.end();
    await written;
    const d = new Decrypter();
    d.addIdentity(keys.identity);
    expect(Buffer.from(await d.decrypt(Buffer.concat(parts))).equals(plain)).toBe(true);
  });
});
