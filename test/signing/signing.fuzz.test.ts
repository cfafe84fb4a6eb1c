/**
 * Property-based fuzzing of what `verify` and `export --sign` read from others (docs/dev/fuzzing.md): an SSHSIG
 * signature from a bundle, a public key, a private key. The binary inside the armor is mutated byte by byte
 * (mutating the base64 text alone would mostly test the base64 check); each input must verify, fail to verify,
 * or throw a one-line FormatError, within the time bound.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair, formatPrivateKey, formatPublicKey, parsePrivateKey, parsePublicKey } from '../../src/signing/keys.js';
import { signMessage, verifyMessage } from '../../src/signing/sshsig.js';
import { armor, unarmor } from '../../src/signing/ssh-wire.js';
import { anyText, checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor } from '../fuzz/_fuzz.js';

const RUNS = fuzzRuns(300, 4);
const TIMEOUT = timeoutFor(RUNS, 20);
const pair = generateKeyPair('fuzz@example');
const message = Buffer.from('{"format":"tracehound-bundle-manifest"}\n');
const signature = signMessage(pair, message);

const reArmored = (label: string, text: string) => (m: Parameters<typeof mutate>[1]) => armor(label, mutate(unarmor(label, text, 'sample'), m));

describe('SSHSIG verifier under fuzzing', () => {
  it('verifies, refuses to verify, or throws one FormatError line on a mutated signature; never verifies a changed one', () => {
    let verified = 0;
    const stats = fuzz(
      'sshsig mutated',
      mutations,
      (m) => {
        const sig = reArmored('SSH SIGNATURE', signature)(m);
        return checkBounded(() => {
          if (verifyMessage(sig, message, pair.key).ok && sig !== signature) verified++;
        });
      },
      RUNS,
    );
    expect(stats.inputs).toBe(RUNS);
    // A mutation can land in the reserved field or the hash name's case only if it still verifies: the
    // signed blob covers everything but the outer public key (which must equal the trusted one anyway).
    expect(verified).toBe(0);
    expect(stats.refused).toBeGreaterThan(RUNS / 4);
  }, TIMEOUT);

  it('throws one FormatError line on any text', () => {
    const stats = fuzz('sshsig text', anyText(600), (t) => checkBounded(() => verifyMessage(t, message, pair.key)), RUNS);
    expect(stats.inputs).toBe(RUNS);
  }, TIMEOUT);
});

describe('key parsers under fuzzing', () => {
  it('the private-key parser returns the same key or throws one FormatError line on a mutated key', () => {
    const text = formatPrivateKey(pair);
    const stats = fuzz('private key mutated', mutations, (m) => checkBounded(() => {
      const parsed = parsePrivateKey(reArmored('OPENSSH PRIVATE KEY', text)(m));
      // Padding and comment bytes may change; the key material may not.
      if (!parsed.seed.equals(pair.seed) || !parsed.key.equals(pair.key)) throw new Error('a mutated key parsed as another key');
    }), RUNS);
    expect(stats.refused).toBeGreaterThan(RUNS / 2);
  }, TIMEOUT);

  it('the public-key parser returns or throws one FormatError line on a mutated line', () => {
    const line = Buffer.from(formatPublicKey(pair));
    const stats = fuzz('public key mutated', mutations, (m) => checkBounded(() => parsePublicKey(mutate(line, m).toString('utf8'))), RUNS);
    expect(stats.inputs).toBe(RUNS);
  }, TIMEOUT);
});
