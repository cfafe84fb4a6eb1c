/**
 * Fuzzing unarchive (NSKeyedArchiver): random bytes, and generated archives whose objects reference each
 * other at random (shared children, cycles, references past $objects, fields of the wrong type, every
 * Foundation class the decoder knows), also mutated byte by byte. Each decodes or is refused with a
 * one-line FormatError within the time bound.
 */
import fc from 'fast-check';
import { buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { keyedArchiveLimits, unarchive, type KeyedArchiveLimits } from '../../src/formats/nskeyed.js';
import { UID } from '../../src/formats/plist.js';
import { checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(400, 3);
const TIMEOUT = timeoutFor(RUNS);
const SMALL: KeyedArchiveLimits = { maxDepth: 24, maxValues: 5_000 };

const CLASSES = ['NSDictionary', 'NSMutableDictionary', 'NSArray', 'NSMutableArray', 'NSSet', 'NSOrderedSet', 'NSString', 'NSData', 'NSDate', 'NSUUID', 'NSURL', 'NSNull', 'Custom'];
const FIELDS = ['NS.keys', 'NS.objects', 'NS.string', 'NS.bytes', 'NS.data', 'NS.time', 'NS.uuidbytes', 'NS.base', 'NS.relative', 'other', '__proto__'];

/** An archive of `n` objects; the class objects sit after them, one per known class name. */
const archive = fc.integer({ min: 1, max: 12 }).chain((n) => {
  const uid = fc.integer({ min: 0, max: n + CLASSES.length + 2 }).map((i) => new UID(i));
  const field = fc.oneof(uid, fc.array(uid, { maxLength: 4 }), fc.string({ maxLength: 8 }), fc.double(), fc.integer(), fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)));
  const object = fc.oneof(
    fc.record({ cls: fc.nat(CLASSES.length - 1), fields: fc.dictionary(fc.constantFrom(...FIELDS), field, { maxKeys: 4 }) }).map(({ cls, fields }) => {
      const o: Record<string, unknown> = { $class: new UID(n + 1 + cls) };
      for (const [k, v] of Object.entries(fields)) if (k !== '__proto__') o[k] = v;
      return o;
    }),
    fc.string({ maxLength: 10 }),
    fc.array(uid, { maxLength: 4 }),
    fc.constant('$null'),
  );
  return fc.tuple(fc.array(object, { minLength: n, maxLength: n }), uid).map(([objects, root]) =>
    Buffer.from(
      buildBinary({
        $archiver: 'NSKeyedArchiver',
        $version: 100000,
        $top: { root },
        $objects: ['$null', ...objects, ...CLASSES.map((c) => ({ $classname: c, $classes: [c, 'NSObject'] }))],
      } as never),
    ),
  );
});

describe('unarchive fuzzing', () => {
  it('random bytes, bare and after the binary plist magic', { timeout: TIMEOUT }, () => {
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('bplist00'), b])));
    const s = fuzz('nskeyed random bytes', bytes, (b) => checkBounded(() => unarchive(Buffer.from(b), 'x')), RUNS);
    expect(s.refused).toBeGreaterThan(0);
  });

  it('generated archives with random references, cycles and wrongly typed fields', { timeout: TIMEOUT }, () => {
    const s = fuzz('nskeyed generated archives', archive, (b) => checkBounded(() => unarchive(b, 'x', SMALL)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
  });

  it('generated archives mutated byte by byte, at the default limits', { timeout: TIMEOUT }, () => {
    const s = fuzz('nskeyed mutated archives', fc.tuple(archive, mutations), ([b, m]) => checkBounded(() => unarchive(mutate(b, m), 'x', keyedArchiveLimits)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });
});
