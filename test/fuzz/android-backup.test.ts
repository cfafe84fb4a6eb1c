/**
 * Fuzzing the Android backup decoders (docs/dev/fuzzing.md): the header parser on random and mutated headers,
 * and the whole pass (header, master key, decipher, inflate, tar walk, SMS JSON) on MVT's real backups mutated
 * byte by byte. The header refuses with one FormatError line; the pass never throws: damage is a note.
 */
import { readFileSync } from 'node:fs';
import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBackupContents } from '../../src/evidence/android-backup.js';
import { FormatError } from '../../src/errors.js';
import { parseAbHeader, slices, unlockAbMasterKey, WrongBackupPasswordError, type AbMasterKey } from '../../src/formats/android-backup.js';
import { decodeSmsBackupFile } from '../../src/formats/android-sms-backup.js';
import { buildAndroidBackup, ordinarySms } from '../../src/synth/android-backup.js';
import { shared } from '../helpers/data.js';
import { anyText, checkBounded, fuzz, fuzzRuns, MAX_MS_PER_INPUT, must, mutate, mutations, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(300, 2);
const real = (name: string) => readFileSync(shared('mvt-test-artifacts', 'android_backup', name));
const headerOf = (b: Buffer) => b.subarray(0, 700);

describe('the .ab header parser under fuzzing', () => {
  it('refuses or returns on any text after the magic', () => {
    const stats = fuzz('ab header random', anyText(600), (text) => checkBounded(() => parseAbHeader(Buffer.from(`ANDROID BACKUP\n${text}`, 'latin1'))), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
    expect(stats.refused).toBeGreaterThan(0);
  }, timeoutFor(RUNS));

  it.each(['backup.ab', 'backup2.ab'])('refuses or returns on %s\'s header mutated byte by byte', (name) => {
    const sample = headerOf(real(name));
    const stats = fuzz(`ab header ${name} mutated`, fc.tuple(mutations), ([m]) => checkBounded(() => parseAbHeader(mutate(sample, m))), RUNS);
    expect(stats.returned).toBeGreaterThan(0);
  }, timeoutFor(RUNS));
});

describe('the telephony backup decoder under fuzzing', () => {
  const smsFile = () => readFileSync(shared('mvt-test-artifacts', 'android_backup', 'apps', 'com.android.providers.telephony', 'd_f', '000001_mms_backup'));

  it('refuses or returns on random bytes', () => {
    const stats = fuzz('sms backup random', fc.uint8Array({ maxLength: 2_000 }), (bytes) => checkBounded(() => decodeSmsBackupFile(Buffer.from(bytes), 'x_sms_backup')), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, timeoutFor(RUNS));

  it('refuses or returns on MVT\'s MMS backup mutated, and on its JSON mutated then compressed again', () => {
    const sample = smsFile();
    const json = inflateSync(sample);
    const stats = fuzz('sms backup mutated', fc.tuple(mutations, fc.boolean()), ([m, inner]) => checkBounded(() => decodeSmsBackupFile(inner ? deflateSync(mutate(json, m)) : mutate(sample, m), 'x_mms_backup')), RUNS);
    expect(stats.returned).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  }, timeoutFor(RUNS));
});

/**
 * The whole pass over one file: what check does after detection, with the password 123456. Returns whether
 * the file was refused before the tar (header, password) or read; anything thrown that is not one of those is a bug.
 */
async function wholePass(file: Buffer): Promise<'refused' | 'read'> {
  let header;
  try {
    header = parseAbHeader(file.subarray(0, 4096));
  } catch (err) {
    if (err instanceof FormatError) return 'refused';
    throw err;
  }
  let masterKey: AbMasterKey | undefined;
  if (header.encryption === 'AES-256') {
    try {
      masterKey = await unlockAbMasterKey(header, '123456');
    } catch (err) {
      if (err instanceof WrongBackupPasswordError) return 'refused';
      throw err;
    }
  } else if (header.encryption !== 'none') return 'refused';
  const payload = file.subarray(header.payloadOffset);
  const contents = await readBackupContents('fuzz.ab', header, slices(payload, 4096), payload.length, masterKey);
  for (const note of contents.notes) must(!/[\n\r]/.test(note), `note is not one line: ${JSON.stringify(note)}`);
  for (const [path, member] of contents.kept) {
    try {
      decodeSmsBackupFile(member.data, path);
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      must(!/[\n\r]/.test(err.message), `error is not one line: ${JSON.stringify(err.message)}`);
    }
  }
  return 'read';
}

const ASYNC_RUNS = fuzzRuns(150, 4);
/**
 * backup2.ab costs two 10,000-round PBKDF2 per input (~20 ms): its share stays at a few hundred even in the long
 * run; the generated encrypted backup (10 rounds) takes the encrypted path's share instead.
 */
const REAL_ENCRYPTED_RUNS = Math.min(ASYNC_RUNS, 300);

describe.each([
  ['backup.ab (v1, compressed)', () => real('backup.ab'), ASYNC_RUNS],
  ['backup2.ab (AES-256)', () => real('backup2.ab'), REAL_ENCRYPTED_RUNS],
  ['a generated compressed backup with 30 messages', () => buildAndroidBackup({ sms: ordinarySms(5, 30) }), ASYNC_RUNS],
  ['a generated encrypted, compressed backup (10 rounds, password 123456)', () => buildAndroidBackup({ sms: ordinarySms(6, 10), password: '123456', rounds: 10 }), ASYNC_RUNS],
])('the whole pass on %s mutated byte by byte', (_, sample, runs) => {
  it('never throws, never hangs: refused at the header or password, or read with its damage noted', async () => {
    const data = sample();
    const inputs = fc.sample(mutations, { numRuns: runs, seed: 42 });
    const outcomes = { refused: 0, read: 0 };
    for (const m of inputs) {
      const started = performance.now();
      outcomes[await wholePass(mutate(data, m))]++;
      const ms = performance.now() - started;
      if (ms > MAX_MS_PER_INPUT) throw new Error(`took ${ms.toFixed(0)} ms on mutations ${JSON.stringify(m)}`);
    }
    expect(outcomes.refused + outcomes.read).toBe(runs);
    expect(outcomes.read).toBeGreaterThan(0);
    console.log(`fuzz ab whole pass ${_}: ${runs} inputs, ${outcomes.read} read, ${outcomes.refused} refused`);
  }, timeoutFor(ASYNC_RUNS, 100));
});
