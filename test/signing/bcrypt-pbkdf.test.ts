/**
 * bcrypt_pbkdf's building blocks. Its output is checked end to end in signing.test.ts against keys ssh-keygen
 * encrypted and decrypts; here, the Blowfish tables and the bounds a hostile key file could abuse.
 */
import { describe, expect, it } from 'vitest';
import { PI_HEX } from '../../src/signing/blowfish-pi.js';
import { MAX_ROUNDS, bcryptPbkdf } from '../../src/signing/bcrypt-pbkdf.js';

/** pi's fractional hex digits, recomputed with BigInt by Machin's formula: pi = 16 atan(1/5) - 4 atan(1/239). */
function piHex(digits: number): string {
  const bits = BigInt(digits * 4 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint) => {
    let term = one / x;
    let total = term;
    for (let n = 1n, sign = -1n; term !== 0n; n++, sign = -sign) {
      term /= x * x;
      total += (sign * term) / (2n * n + 1n);
    }
    return total;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  return ((pi - (3n << bits)) >> 64n).toString(16).padStart(digits, '0');
}

describe('bcrypt_pbkdf', () => {
  it("holds Blowfish's initial tables: pi's first 8,336 fractional hex digits", () => {
    expect(PI_HEX).toHaveLength((18 + 1024) * 8);
    expect(PI_HEX).toBe(piHex(PI_HEX.length));
    // Published words: P[0], P[17], S1[0], S4[255].
    expect([PI_HEX.slice(0, 8), PI_HEX.slice(17 * 8, 18 * 8), PI_HEX.slice(18 * 8, 19 * 8), PI_HEX.slice(-8)]).toEqual(['243f6a88', '8979fb1b', 'd1310ba6', '3ac372e6']);
  });

  it('is deterministic, depends on every input, and spreads output over the whole key', () => {
    const salt = Buffer.from('0123456789abcdef');
    const a = bcryptPbkdf(Buffer.from('pass'), salt, 48, 2);
    expect(a).toHaveLength(48);
    expect(bcryptPbkdf(Buffer.from('pass'), salt, 48, 2).equals(a)).toBe(true);
    expect(bcryptPbkdf(Buffer.from('pasS'), salt, 48, 2).equals(a)).toBe(false);
    expect(bcryptPbkdf(Buffer.from('pass'), Buffer.from('0123456789abcdeF'), 48, 2).equals(a)).toBe(false);
    expect(bcryptPbkdf(Buffer.from('pass'), salt, 48, 3).equals(a)).toBe(false);
    expect(a.subarray(40).equals(Buffer.alloc(8))).toBe(false);
  });

  it(`refuses more than ${MAX_ROUNDS} rounds (a hostile key file would otherwise hang the export)`, () => {
    expect(() => bcryptPbkdf(Buffer.from('p'), Buffer.from('s'), 48, 2 ** 32 - 1)).toThrow(RangeError);
    expect(() => bcryptPbkdf(Buffer.from('p'), Buffer.alloc(0), 48, 16)).toThrow(RangeError);
  });
});
