/**
 * The file of an encrypted case (case/sealed.ts): a standard age file that typage (and so `age -d`) decrypts,
 * written atomically as ciphertext only, each save under a fresh payload nonce; opened only with its
 * passphrase or identity, and refused with one line naming the file when damaged or cut.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decrypter } from 'age-encryption';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newSeal, openSeal, readSealed, writeSealed, type CaseSeal } from '../../src/case/sealed.js';
import { UserError } from '../../src/errors.js';
import type { AgeCredential, AgeCredentialProvider } from '../../src/evidence/fs/age.js';
import { ageEncrypt, newAgeKeys } from '../fixtures/age.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { checkBounded, fuzzRuns } from '../fuzz/_fuzz.js';

const given = (credential: AgeCredential): AgeCredentialProvider => async () => credential;
const passphrase = (p: string) => given({ identities: [], passphrase: p });
/** scrypt 2^10: fast in tests (the CLI uses age's default, 2^18). */
const fastSeal = (p: string) => newSeal({ passphrase: p, scryptLogN: 10 });

async function typageDecrypt(file: Buffer, credential: AgeCredential): Promise<Buffer> {
  const d = new Decrypter();
  for (const i of credential.identities) d.addIdentity(i);
  if (credential.passphrase !== undefined) d.addPassphrase(credential.passphrase);
  return Buffer.from(await d.decrypt(file));
}

describe('the encrypted case file', () => {
  it.each([
    ['one byte', 1],
    ['one page', 4096],
    ['exactly one chunk', 64 * 1024],
    ['exactly two chunks', 128 * 1024],
    ['two chunks and a bit', 128 * 1024 + 5],
  ])('is a standard age file a passphrase opens, in typage and here (%s)', async (_label, size) => {
    const dir = tempDir('sealed');
    const path = join(dir, 'case.db.age');
    const plain = randomBytes(size);
    const seal = await fastSeal('correct horse');
    writeSealed(path, seal, plain);
    expect(await typageDecrypt(readFileSync(path), { identities: [], passphrase: 'correct horse' })).toEqual(plain);
    const reopened = await openSeal(path, passphrase('correct horse'));
    expect(readSealed(path, reopened)).toEqual(plain);
    // Ciphertext only, mode 0600, and no scratch file left beside it.
    expect(readdirSync(dir)).toEqual(['case.db.age']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('reads an age file typage wrote (the other direction)', async () => {
    const path = join(tempDir('sealed-typage'), 'case.db.age');
    const plain = randomBytes(200_000);
    writeFileSync(path, await ageEncrypt(plain, { passphrase: 'pw' }));
    expect(readSealed(path, await openSeal(path, passphrase('pw')))).toEqual(plain);
  });

  it('saves each version under a fresh nonce, with the same header and no second scrypt', async () => {
    const path = join(tempDir('sealed-nonce'), 'case.db.age');
    const seal = await fastSeal('pw');
    const plain = Buffer.alloc(10_000, 7);
    writeSealed(path, seal, plain);
    const first = readFileSync(path);
    writeSealed(path, seal, plain);
    const second = readFileSync(path);
    expect(first.subarray(0, seal.header.length)).toEqual(second.subarray(0, seal.header.length));
    expect(first.subarray(seal.header.length, seal.header.length + 16)).not.toEqual(second.subarray(seal.header.length, seal.header.length + 16));
    expect(first.subarray(seal.header.length + 16)).not.toEqual(second.subarray(seal.header.length + 16));
    expect(await typageDecrypt(second, { identities: [], passphrase: 'pw' })).toEqual(plain);
  });

  it('to an age recipient: only its identity opens it, not a passphrase or another key', async () => {
    const lab = await newAgeKeys();
    const other = await newAgeKeys();
    const path = join(tempDir('sealed-recipient'), 'case.db.age');
    const seal = await newSeal({ recipients: [lab.recipient] });
    expect(seal.recipientTypes).toEqual(['X25519']);
    const plain = randomBytes(70_000);
    writeSealed(path, seal, plain);
    expect(await typageDecrypt(readFileSync(path), { identities: [lab.identity] })).toEqual(plain);
    expect(readSealed(path, await openSeal(path, given({ identities: [lab.identity] })))).toEqual(plain);
    await expect(openSeal(path, given({ identities: [other.identity] }))).rejects.toThrow(
      new RegExp(`^${path}: 1 age identity cannot open this age file \\(wrong identity or passphrase; it is encrypted to: X25519\\)$`),
    );
    await expect(openSeal(path, passphrase('pw'))).rejects.toThrow(/the passphrase cannot open this age file/);
  });

  it('refuses a wrong passphrase with one line naming the file', async () => {
    const path = join(tempDir('sealed-wrong'), 'case.db.age');
    writeSealed(path, await fastSeal('right'), Buffer.alloc(100, 1));
    const err = await openSeal(path, passphrase('wrong')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('wrong-password');
    expect((err as UserError).message).toBe(`${path}: the passphrase cannot open this age file (wrong identity or passphrase; it is encrypted to: scrypt)`);
  });

  it('refuses a cut, altered or foreign file with one line naming it', async () => {
    const dir = tempDir('sealed-damaged');
    const path = join(dir, 'case.db.age');
    const seal = await fastSeal('pw');
    writeSealed(path, seal, randomBytes(150_000));
    const whole = readFileSync(path);
    const cases: [string, Buffer, RegExp][] = [
      ['cut in the payload', whole.subarray(0, whole.length - 1000), /: encrypted case damaged, altered or truncated \(age chunk 2 of 3 fails authentication\)$/],
      ['cut at a chunk boundary', whole.subarray(0, seal.header.length + 16 + 2 * (64 * 1024 + 16)), /: encrypted case damaged, altered or truncated \(age chunk 1 of 2 fails authentication\)$/],
      ['cut after the header', whole.subarray(0, seal.header.length + 10), /: encrypted case truncated \(\d+ bytes: no payload after the age header\)$/],
      ['one byte flipped', Buffer.from(whole).fill(whole[100_000]! ^ 1, 100_000, 100_001), /: encrypted case damaged, altered or truncated \(age chunk 1 of 3 fails authentication\)$/],
    ];
    for (const [label, bytes, message] of cases) {
      writeFileSync(path, bytes);
      let err: unknown;
      try {
        readSealed(path, seal);
      } catch (e) {
        err = e;
      }
      expect(err, label).toBeInstanceOf(UserError);
      expect((err as Error).message, label).toMatch(new RegExp(`^${path}${message.source}`));
    }
    writeFileSync(path, 'SQLite format 3\u0000 not an age file');
    await expect(openSeal(path, passphrase('pw'))).rejects.toThrow(`${path}: not an age file (expected the line "age-encryption.org/v1")`);
    writeFileSync(path, whole.subarray(0, 30));
    await expect(openSeal(path, passphrase('pw'))).rejects.toThrow(`${path}: age header without its MAC line (the file ends inside it (truncated?))`);
  });

  it('is bounded on hostile bytes: any mutation of a real file is opened or refused with one line', async () => {
    const dir = tempDir('sealed-fuzz');
    const path = join(dir, 'case.db.age');
    const seal: CaseSeal = await fastSeal('pw');
    const plain = randomBytes(3 * 64 * 1024 + 99);
    writeSealed(path, seal, plain);
    const whole = readFileSync(path);
    const digest = createHash('sha256').update(plain).digest('hex');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: whole.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: whole.length }), (at, byte, cut) => {
        const bytes = Buffer.from(whole);
        bytes[at] = byte;
        writeFileSync(path, bytes.subarray(0, cut));
        const outcome = checkBounded(
          () => {
            const back = readSealed(path, seal);
            // Whatever is returned is the real plaintext: a changed byte never yields altered content.
            if (createHash('sha256').update(back).digest('hex') !== digest) throw new Error('altered plaintext returned');
          },
          (err) => err instanceof UserError,
        );
        return outcome === 'refused' || (bytes[at] === whole[at] && cut === whole.length);
      }),
      { numRuns: fuzzRuns(200) },
    );
  });
});
