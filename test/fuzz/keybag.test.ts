/**
 * Fuzzing parseKeybag: random bytes, random runs of TLV blocks with real and unknown tags and lying lengths,
 * and encoded keybags mutated byte by byte. Each parses or is refused with a one-line FormatError within the
 * time bound; what parses has iteration counts PBKDF2 accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKeybag, keybagLimits, parseKeybag, type Keybag } from '../../src/formats/keybag.js';
import { checkBounded, fuzz, fuzzRuns, must, mutate, mutations, same, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(500, 4);
const TIMEOUT = timeoutFor(RUNS);
const TAGS = ['VERS', 'TYPE', 'UUID', 'HMCK', 'WRAP', 'SALT', 'ITER', 'DPWT', 'DPIC', 'DPSL', 'CLAS', 'KTYP', 'WPKY', 'PBKY', 'ZZZZ'];

const block = fc.record({
  tag: fc.constantFrom(...TAGS),
  value: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.nat().map((n) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]))),
  lie: fc.option(fc.nat(), { freq: 5 }),
});
/** The blocks a keybag cannot do without, so that runs after them get past the header checks. */
const HEADER_BLOCKS = [
  { tag: 'TYPE', value: Buffer.from([0, 0, 0, 1]), lie: null },
  { tag: 'UUID', value: Buffer.alloc(16, 7), lie: null },
  { tag: 'SALT', value: Buffer.alloc(20, 9), lie: null },
  { tag: 'ITER', value: Buffer.from([0, 0, 0x27, 0x10]), lie: null },
];
const tlvRun = fc.tuple(fc.boolean(), fc.array(block, { maxLength: 30 })).map(([withHeader, random]) => (withHeader ? [...HEADER_BLOCKS, ...random] : random)).map((blocks) =>
  Buffer.concat(
    blocks.map(({ tag, value, lie }) => {
      const head = Buffer.alloc(8);
      head.write(tag, 0, 'latin1');
      head.writeUInt32BE(lie ?? value.length, 4);
      return Buffer.concat([head, Buffer.from(value)]);
    }),
  ),
);

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const keybag: fc.Arbitrary<Keybag> = fc
  .record({ iter: fc.integer({ min: 1, max: 100_000 }), dpic: fc.integer({ min: 1, max: 10_000_000 }), classes: fc.uniqueArray(fc.integer({ min: 1, max: 11 }), { maxLength: 11 }), salt: bytes(20), uuid: bytes(16), wpky: bytes(40) })
  .map(({ iter, dpic, classes, salt, uuid, wpky }) => ({
    version: 5,
    type: 1,
    uuid,
    salt,
    iter,
    dpic,
    dpsl: salt,
    classKeys: new Map(classes.map((clas) => [clas, { clas, uuid, wrap: 3, ktyp: 0, wpky }] as const)),
  }));

const parsesSanely = (data: Buffer) =>
  checkBounded(() => {
    const k = parseKeybag(data);
    const counts = [k.iter, ...(k.dpic === undefined ? [] : [k.dpic])];
    must(counts.every((n) => n >= 1 && n <= keybagLimits.maxIterations), `iteration counts ${counts.join(', ')} passed`);
  });

describe('parseKeybag fuzzing', () => {
  it('random bytes', { timeout: TIMEOUT }, () => {
    fuzz('keybag random bytes', fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), parsesSanely, RUNS);
  });

  it('random runs of TLV blocks, lengths sometimes lying', { timeout: TIMEOUT }, () => {
    const s = fuzz('keybag TLV runs', tlvRun, parsesSanely, RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });

  it('encoded keybags round-trip, and mutated ones parse or are refused', { timeout: TIMEOUT }, () => {
    fuzz('keybag round trip', keybag, (k) => {
      same(parseKeybag(encodeKeybag(k)), k);
      return 'returned';
    }, RUNS);
    const s = fuzz('keybag mutated', fc.tuple(keybag, mutations), ([k, m]) => parsesSanely(mutate(encodeKeybag(k), m)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });
});
