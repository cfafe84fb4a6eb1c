/**
 * MVT's androidqf folder zipped and age-encrypted (as androidqf does with a recipient key), checked in place:
 * the same records and the same ten alerts as the folder (reference-spec §14.2), with an X25519 identity and
 * with a passphrase; never a byte of plaintext in the temp area; wrong identities, cut and altered files are
 * one line naming the file, and damage to one member costs only the artifacts that read it.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { UserError } from '../../../src/errors.js';
import type { AgeCredential, AgeCredentialProvider } from '../../../src/evidence/fs/age.js';
import { describeFile } from '../../../src/evidence/source.js';
import { ageEncrypt, newAgeKeys, type AgeKeys } from '../../fixtures/age.js';
import { noiseBytes, packAcquisition } from '../../fixtures/archives.js';
import { mvtTestStix } from '../../helpers/data.js';
import { snapshotTree } from '../../helpers/tree.js';
import { watchTemp } from '../../helpers/watch-temp.js';
import { intrusionLogText, PLANTED } from '../../../src/synth/intrusion-logs.js';
import { AQF_ALERTS, AQF_COUNTS, mvtAndroidqf } from './_aqf.js';
import { mvtBugreport } from './_bugreport.js';

const CHUNK = 64 * 1024;
const SEALED = CHUNK + 16;
const LEAD = 'androidqf_2024-05-01';
const PASSPHRASE = 'light-original-energy-average-wish';

let base: string;
let keys: AgeKeys;
/** The zip's bytes (kept in memory only: the test's own plaintext, never in the watched temp area). */
let zip: Buffer;
let byIdentity: string;
let byPassphrase: string;

const giving = (credential: AgeCredential): AgeCredentialProvider => async () => credential;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-aqf-age-'));
  keys = await newAgeKeys();
  const packed = await packAcquisition(mvtAndroidqf(), 'zip', join(base, 'packing', 'aqf.zip'), LEAD).catch(async () => {
    mkdirSync(join(base, 'packing'), { recursive: true });
    return packAcquisition(mvtAndroidqf(), 'zip', join(base, 'packing', 'aqf.zip'), LEAD);
  });
  zip = readFileSync(packed);
  rmSync(join(base, 'packing'), { recursive: true, force: true });
  mkdirSync(join(base, 'evidence'));
  byIdentity = join(base, 'evidence', 'aqf.zip.age');
  writeFileSync(byIdentity, await ageEncrypt(zip, { recipient: keys.recipient }));
  byPassphrase = join(base, 'evidence', 'aqf-pass.zip.age');
  writeFileSync(byPassphrase, await ageEncrypt(zip, { passphrase: PASSPHRASE }));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function alertsAndCounts(result: Awaited<ReturnType<typeof check>>) {
  return {
    alerts: result.findings.map((f) => [f.level, f.artifact, f.message]),
    counts: Object.fromEntries(result.coverage.map((c) => [c.artifact, c.records])),
    issues: result.coverage.flatMap((c) => c.issues),
  };
}

describe('check on MVT\'s androidqf, zipped and age-encrypted', () => {
  it('with an X25519 identity: MVT\'s 10 alerts and record counts, refs naming the age layer', async () => {
    const result = await check({ target: byIdentity, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: giving({ identities: [keys.identity] }) });
    expect(alertsAndCounts(result)).toEqual({ alerts: AQF_ALERTS, counts: AQF_COUNTS, issues: [] });
    expect(result.acquisition).toMatchObject({ kind: 'android-androidqf', encrypted: true, container: { container: 'zip', archive: byIdentity, prefix: LEAD, encryption: 'age' } });
    const root = result.findings.find((f) => f.artifact === 'android.root_binaries')!;
    expect(describeFile({ ref: root.evidence.ref })).toBe(`${LEAD}/root_binaries.json inside the age-encrypted zip ${byIdentity}`);
  });

  it('with a passphrase: the same', async () => {
    const result = await check({ target: byPassphrase, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: giving({ identities: [], passphrase: PASSPHRASE }) });
    expect(alertsAndCounts(result)).toEqual({ alerts: AQF_ALERTS, counts: AQF_COUNTS, issues: [] });
  });

  it('writes no plaintext: the temp area holds no file during the check and nothing after, and the evidence is unchanged', async () => {
    const watched = mkdtempSync(join(tmpdir(), 'th-aqf-age-watched-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    const before = snapshotTree(join(base, 'evidence'));
    try {
      expect(tmpdir()).toBe(watched);
      const { result, seen } = await watchTemp(watched, () => check({ target: byIdentity, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: giving({ identities: [keys.identity] }) }));
      expect(result.findings).toHaveLength(AQF_ALERTS.length);
      // The run's private scratch folder may appear (it is created per run); nothing is ever put in it here.
      expect([...seen].filter((p) => p.includes('/'))).toEqual([]);
      expect(readdirSync(watched)).toEqual([]);
      expect(snapshotTree(join(base, 'evidence'))).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(watched, { recursive: true, force: true });
    }
  });
});

describe('intrusion logs inside an age-encrypted androidqf zip', () => {
  it('planted traces are found as in a folder, with the Paris wall clock from the encrypted getprop.txt', async () => {
    const tree = join(base, 'with-logs');
    cpSync(mvtAndroidqf(), join(tree, LEAD), { recursive: true });
    writeFileSync(join(tree, LEAD, 'getprop.txt'), '[persist.sys.timezone]: [Europe/Paris]\n');
    mkdirSync(join(tree, LEAD, 'intrusion_logs'));
    writeFileSync(join(tree, LEAD, 'intrusion_logs', 'day.txt'), intrusionLogText({ seed: 3, events: 200, planted: true }));
    const plain = readFileSync(await packAcquisition(tree, 'zip', join(base, 'with-logs.zip')));
    rmSync(join(base, 'with-logs.zip'));
    rmSync(tree, { recursive: true });
    const aged = join(base, 'evidence', 'with-logs.zip.age');
    writeFileSync(aged, await ageEncrypt(plain, { recipient: keys.recipient }));
    try {
      const result = await check({ target: aged, iocs: [], userIocDir: null, only: ['android.intrusion_dns', 'android.intrusion_security'], ageCredentials: giving({ identities: [keys.identity] }) });
      expect(result.findings.map((f) => f.message)).toEqual([
        `Certificate authority installed: ${PLANTED.caSubject}`,
        expect.stringMatching(/^Key integrity violation detected: /),
        'Device wipe failure detected',
        'Cryptographic self test failed',
      ]);
      const dns = result.findings[0]!.record as { device_time_zone: string };
      expect(dns.device_time_zone).toBe('Europe/Paris');
      expect(result.coverage.map((c) => [c.artifact, c.state])).toEqual([['android.intrusion_dns', 'parsed'], ['android.intrusion_security', 'parsed']]);
    } finally {
      rmSync(aged);
    }
  });
});

describe('bad age input: one line naming the file, or the damage confined to what it touches', () => {
  const failure = (target: string, credential: AgeCredential) =>
    check({ target, iocs: [], userIocDir: null, ageCredentials: giving(credential) }).then(
      () => {
        throw new Error('the check succeeded');
      },
      (err: unknown) => err as UserError,
    );

  it('a wrong identity or passphrase', async () => {
    const other = await newAgeKeys();
    const err = await failure(byIdentity, { identities: [other.identity] });
    expect([err.code, err.message]).toEqual(['wrong-password', `${byIdentity}: 1 age identity cannot open this age file (wrong identity or passphrase; it is encrypted to: X25519)`]);
    const wrong = await failure(byPassphrase, { identities: [], passphrase: 'nope' });
    expect([wrong.code, wrong.message]).toEqual(['wrong-password', `${byPassphrase}: the passphrase cannot open this age file (wrong identity or passphrase; it is encrypted to: scrypt)`]);
  });

  it('a truncated file: its last chunk fails authentication when the zip\'s end is read', async () => {
    const sealed = readFileSync(byIdentity);
    const cut = join(base, 'cut.zip.age');
    writeFileSync(cut, sealed.subarray(0, sealed.length - 100));
    const err = await failure(cut, { identities: [keys.identity] });
    expect(err.code).toBe('bad-format');
    expect(err.message).toMatch(/^.*cut\.zip\.age: age chunk 0 of 1 \(bytes \d+-\d+\) fails authentication: the file is damaged, altered or truncated$/);
    expect(err.message.startsWith(`${cut}: `)).toBe(true);
  });

  it('a flipped bit in a member\'s chunk: the check goes on, and each artifact reading it fails with one line', async () => {
    // Padding (stored noise) before, between and after the members: getprop.txt and files.json end up chunks
    // away from packages.json, and the zip's directory chunks later.
    const padded = join(base, 'padded');
    cpSync(mvtAndroidqf(), join(padded, LEAD), { recursive: true });
    writeFileSync(join(padded, LEAD, 'aa-padding.bin'), noiseBytes(2 * CHUNK, 5));
    writeFileSync(join(padded, LEAD, 'ox-padding.bin'), noiseBytes(2 * CHUNK, 6));
    writeFileSync(join(padded, LEAD, 'zz-padding.bin'), noiseBytes(2 * CHUNK, 7));
    const plain = readFileSync(await packAcquisition(padded, 'zip', join(base, 'padded.zip')));
    rmSync(join(base, 'padded.zip'));
    const sealed = await ageEncrypt(plain, { recipient: keys.recipient });
    const at = plain.indexOf(`${LEAD}/packages.json`);
    const chunk = Math.floor(at / CHUNK);
    expect(Math.floor(plain.indexOf(`${LEAD}/getprop.txt`) / CHUNK)).toBeLessThan(chunk);
    const start = sealed.indexOf('\n', sealed.indexOf('\n--- ') + 1) + 1 + 16 + chunk * SEALED;
    sealed[start + (at % CHUNK)]! ^= 0x04;
    const flipped = join(base, 'flipped.zip.age');
    writeFileSync(flipped, sealed);

    const result = await check({ target: flipped, iocs: [mvtTestStix()], userIocDir: null, ageCredentials: giving({ identities: [keys.identity] }) });
    const failed = result.coverage.filter((c) => c.state === 'failed');
    expect(failed.map((c) => c.artifact)).toContain('android.aqf_packages');
    for (const c of failed) expect(c.reason).toMatch(new RegExp(`age chunk ${chunk} of \\d+ \\(bytes ${start}-${start + SEALED - 1}\\) fails authentication: the file is damaged or altered\\)$`));
    // What lies in other chunks is read as usual.
    const parsed = result.coverage.filter((c) => c.state === 'parsed').map((c) => [c.artifact, c.records]);
    expect(parsed).toEqual(expect.arrayContaining([['android.aqf_getprop', 10], ['android.aqf_files', 3], ['android.sms', 2]]));
    expect(parsed.length + failed.length).toBe(result.coverage.filter((c) => c.state !== 'missing' && c.state !== 'empty').length);
  });
});

describe('the bugreport.zip inside an age-encrypted androidqf zip', () => {
  it('is checked in memory: MVT\'s bugreport tombstones found, refs naming bugreport.zip and the age layer, no file in the temp area', async () => {
    const tree = join(base, 'with-bugreport');
    cpSync(mvtAndroidqf(), join(tree, LEAD), { recursive: true });
    await packAcquisition(mvtBugreport(), 'zip', join(tree, LEAD, 'bugreport.zip'));
    const plain = readFileSync(await packAcquisition(tree, 'zip', join(base, 'with-bugreport.zip')));
    rmSync(join(base, 'with-bugreport.zip'));
    rmSync(tree, { recursive: true });
    const aged = join(base, 'evidence', 'with-bugreport.zip.age');
    writeFileSync(aged, await ageEncrypt(plain, { recipient: keys.recipient }));
    const watched = mkdtempSync(join(tmpdir(), 'th-aqf-age-watched-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = watched;
    try {
      const { result, seen } = await watchTemp(watched, () => check({ target: aged, iocs: [], userIocDir: null, only: ['android.tombstones', 'android.dumpsys_appops'], ageCredentials: giving({ identities: [keys.identity] }) }));
      expect(result.findings.map((f) => [f.level, f.artifact, describeFile({ ref: f.evidence.ref })])).toEqual([
        ['medium', 'android.dumpsys_appops', `${LEAD}/bugreport.zip/dumpstate.txt inside the age-encrypted zip ${aged}`],
        ['medium', 'android.tombstones', `${LEAD}/bugreport.zip/FS/data/tombstones/tombstone_00 inside the age-encrypted zip ${aged}`],
        ['medium', 'android.tombstones', `${LEAD}/bugreport.zip/FS/data/tombstones/tombstone_01 inside the age-encrypted zip ${aged}`],
      ]);
      expect(result.containerNotes).toEqual([]);
      expect([...seen].filter((p) => p.includes('/'))).toEqual([]);
      expect(readdirSync(watched)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(watched, { recursive: true, force: true });
      rmSync(aged);
    }
  });
});
