/**
 * Fuzzing the age layer (docs/dev/fuzzing.md): the header parser on random bytes and on real headers mutated
 * byte by byte returns or refuses with a one-line UserError, within the time bound; and a real file mutated
 * anywhere opens to the exact plaintext or fails with one line, never to altered content.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, UserError } from '../../../src/errors.js';
import { AGE_MAGIC, openAgePayload, parseAgeHeader } from '../../../src/evidence/fs/age.js';
import { ageEncrypt, newAgeKeys, type AgeKeys } from '../../fixtures/age.js';
import { noiseBytes } from '../../fixtures/archives.js';
import { checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor } from '../../fuzz/_fuzz.js';

const RUNS = fuzzRuns(300, 3);
const TIMEOUT = timeoutFor(RUNS, 40);
const isUserError = (err: unknown) => err instanceof UserError;
const PLAIN = noiseBytes(2 * 64 * 1024 + 99, 11);

let keys: AgeKeys;
let sealed: Buffer;
let base: string;
beforeAll(async () => {
  keys = await newAgeKeys();
  sealed = await ageEncrypt(PLAIN, { recipient: keys.recipient });
  base = mkdtempSync(join(tmpdir(), 'th-age-fuzz-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('age header parser under fuzzing', () => {
  it('random bytes after the magic line: returned or refused with one line', () => {
    const stats = fuzz('age header random', fc.uint8Array({ maxLength: 3_000 }), (bytes) => checkBounded(() => parseAgeHeader(Buffer.concat([Buffer.from(AGE_MAGIC), bytes]), true, 'f.age'), isUserError), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
    expect(stats.refused).toBeGreaterThan(0);
  }, TIMEOUT);

  it('a real header mutated byte by byte: returned or refused with one line', () => {
    const header = sealed.subarray(0, sealed.indexOf('\n', sealed.indexOf('\n--- ') + 1) + 1);
    const stats = fuzz('age header mutated', fc.tuple(mutations), ([m]) => checkBounded(() => parseAgeHeader(mutate(header, m), true, 'f.age'), isUserError), RUNS);
    expect(stats.returned).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('a whole age file mutated', () => {
  it('gives the exact plaintext or fails with one line naming the file', async () => {
    let exact = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const path = join(base, 'mutated.age');
        writeFileSync(path, mutate(sealed, m));
        try {
          const payload = await openAgePayload(path, async () => ({ identities: [keys.identity] }));
          try {
            const buf = Buffer.alloc(payload.size);
            let at = 0;
            while (at < payload.size) {
              const { bytesRead } = await payload.read(buf, at, payload.size - at, at);
              if (bytesRead === 0) break;
              at += bytesRead;
            }
            if (!buf.equals(PLAIN)) throw new Error('altered plaintext served');
            exact++;
          } finally {
            await payload.close();
          }
        } catch (err) {
          if (!(err instanceof UserError || err instanceof FormatError)) throw err;
          if (/[\n\r]/.test(err.message) || !err.message.startsWith(path)) throw new Error(`bad message: ${err.message}`, { cause: err });
          refused++;
        }
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
    expect(refused).toBeGreaterThan(0);
    expect(exact + refused).toBe(Math.min(RUNS, 200));
  }, TIMEOUT);
});
