/**
 * Property-based fuzzing of parsePlist (binary and XML): random bytes, valid plists with corrupted offsets,
 * references, lengths and trailers, object graphs with shared children and cycles, XML with broken markup,
 * deep nesting, entities and huge integers. Each input decodes or is refused with a one-line FormatError,
 * within the time bound; valid plists decode to exactly the values written (the honesty half).
 */
import fc from 'fast-check';
import { build as buildXml, buildBinary } from 'plist';
import { describe, expect, it } from 'vitest';
import { parsePlist, plistLimits, type PlistLimits, type PlistValue } from '../../src/formats/plist.js';
import { rawBplist, type RawObject } from '../formats/_bplist.js';
import { anyText, checkBounded, fuzz, fuzzRuns, must, mutate, mutations, same, timeoutFor } from './_fuzz.js';

/** Binary and XML are two decoders: each gets its own budget, shared among its five properties. */
const RUNS = fuzzRuns(400, 5);
const TIMEOUT = timeoutFor(RUNS);
/** Small limits keep generated bombs quick; one property runs with the real defaults. */
const SMALL: PlistLimits = { maxValues: 5_000, maxDepth: 32 };

/** Text XML can carry: no C0 controls other than tab/newline, no lone surrogates, no U+FFFE/U+FFFF. */
/** Characters XML 1.0 cannot carry, by code: C0 controls other than tab and newline (CR is normalised), U+FFFE, U+FFFF. */
const xmlUnsafe = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0xfffe || code === 0xffff;
};
const xmlSafeText = fc.string({ unit: 'grapheme', maxLength: 16 }).map((s) => [...s].filter((c) => !xmlUnsafe(c)).join(''));

/**
 * Any plist value the writers encode faithfully, as parsePlist should give it back. With `bigints`, integers
 * beyond ±2^53 too (the plist package's XML writer keeps them; its binary writer rounds them, so binary
 * round trips of big integers are checked on hand-built plists instead).
 */
const plistValueArbitrary = (bigints: boolean) => fc.letrec<{ value: PlistValue; leaf: PlistValue }>((tie) => ({
  leaf: fc.oneof(
    xmlSafeText,
    fc.integer(),
    bigints
      ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((b) => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b))
      : fc.maxSafeInteger(),
    // An integral double beyond 2^53 is written as an <integer> and rightly comes back as a bigint: left out.
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0) && (!Number.isInteger(d) || Number.isSafeInteger(d))),
    fc.boolean(),
    fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }).map((s) => new Date(s * 1000)),
    fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(xmlSafeText.filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;
const plistValue = plistValueArbitrary(false);
const plistValueWithBigints = plistValueArbitrary(true);

const binaryOf = (v: PlistValue): Buffer => Buffer.from(buildBinary(v as never));
const xmlOf = (v: PlistValue): Buffer => Buffer.from(buildXml(v as never));

/** A random object graph: containers whose references may point anywhere (themselves, shared children, past the table). */
const rawObject = (count: number): fc.Arbitrary<RawObject> => {
  const ref = fc.integer({ min: 0, max: count + 1 });
  return fc.oneof(
    fc.array(ref, { maxLength: 4 }).map((array) => ({ array })),
    fc.array(ref, { maxLength: 3 }).map((set) => ({ set })),
    fc.array(fc.tuple(ref, ref), { maxLength: 3 }).map((dict) => ({ dict })),
    fc.record({ int: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), bytes: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const, 16 as const) }),
    fc.string({ maxLength: 6 }).map((s) => ({ ascii: s.replace(/[^\x20-\x7e]/g, '') })),
    fc.uint8Array({ maxLength: 6 }).map((d) => ({ data: Buffer.from(d) })),
    fc.nat(0xffff).map((uid) => ({ uid })),
    fc.uint8Array({ minLength: 1, maxLength: 6 }).map((r) => ({ raw: Buffer.from(r) })),
  );
};
const objectGraph = fc
  .integer({ min: 1, max: 14 })
  .chain((n) => fc.tuple(fc.array(rawObject(n), { minLength: n, maxLength: n }), fc.integer({ min: 0, max: n }), fc.constantFrom(1, 2), fc.constantFrom(1, 2, 4)))
  .map(([objects, top, refSize, offsetSize]) => rawBplist(objects, { top, refSize, offsetSize }));

/** A DAG of `levels` arrays each referencing the next `fanOut` times: the exponential bomb, at random sizes. */
const dagBomb = fc.record({ levels: fc.integer({ min: 1, max: 60 }), fanOut: fc.integer({ min: 1, max: 4 }) }).map(({ levels, fanOut }) =>
  rawBplist([...Array.from({ length: levels }, (_v, i) => ({ array: Array.from({ length: fanOut }, () => i + 1) })), { int: 1n, bytes: 1 as const }]),
);

/** XML fragments that reach the reader's edges. */
const xmlFragment = fc.constantFrom(
  '<dict>', '</dict>', '<array>', '</array>', '<key>k</key>', '<key>', '</key>', '<string>', '</string>', '<integer>', '</integer>',
  '<data>', '</data>', '<real>', '<date>', '<true/>', '<false/>', '<null/>', '<dict/>', '&amp;', '&', '&#x110000;', '&#0;', '&#65;',
  '&undefined;', '<![CDATA[', ']]>', '<!--', '-->', '<?pi x?>', '<!DOCTYPE plist [<!ENTITY a "b">]>', '<', '>', '/>', '"', "'",
  '<integer>99999999999999999999999</integer>', '<integer>-0x8000000000000000</integer>', '<real>nan</real>', '<date>2021-13-45T99:99:99Z</date>',
);
const xmlMutation = fc.record({ at: fc.nat(), insert: fc.oneof(xmlFragment, fc.string({ maxLength: 4 })), remove: fc.nat(8) });
const mutateXml = (xml: Buffer, edits: readonly { at: number; insert: string; remove: number }[]): Buffer => {
  let text = xml.toString('utf8');
  for (const e of edits) {
    const at = e.at % (text.length + 1);
    text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
  }
  return Buffer.from(text);
};

describe('parsePlist fuzzing: binary', () => {
  it('random bytes after the magic', { timeout: TIMEOUT }, () => {
    const s = fuzz('bplist random bytes', fc.uint8Array({ maxLength: 200 }), (b) => checkBounded(() => parsePlist(Buffer.concat([Buffer.from('bplist00'), b]), 'x')), RUNS);
    expect(s.refused).toBeGreaterThan(0);
  });

  it('valid plists decode to exactly what was written', { timeout: TIMEOUT }, () => {
    fuzz('bplist round trip', plistValue, (v) => {
      same(parsePlist(binaryOf(v), 'x'), v);
      return 'returned';
    }, RUNS);
  });

  it('valid plists with corrupted offsets, references, lengths and trailers', { timeout: TIMEOUT }, () => {
    const s = fuzz('bplist mutated', fc.tuple(plistValue, mutations), ([v, m]) => checkBounded(() => parsePlist(mutate(binaryOf(v), m), 'x', SMALL)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });

  it('integers of every width decode exactly', { timeout: TIMEOUT }, () => {
    const int = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((int) => ({ int, bytes: 4 as const, expected: int })),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((int) => ({ int, bytes: 8 as const, expected: int })),
      fc.bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n }).map((int) => ({ int, bytes: 16 as const, expected: int })),
    );
    fuzz('bplist integers', int, ({ int, bytes, expected }) => {
      const v = parsePlist(rawBplist([{ int, bytes }]), 'x');
      must(BigInt(v as number | bigint) === expected, `${int} (${bytes} bytes) decoded as ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x))}`);
      must(typeof v === (expected >= BigInt(Number.MIN_SAFE_INTEGER) && expected <= BigInt(Number.MAX_SAFE_INTEGER) ? 'number' : 'bigint'), `${int} decoded as a ${typeof v}`);
      return 'returned';
    }, RUNS);
  });

  it('hand-built object graphs: shared children, cycles, references past the table', { timeout: TIMEOUT }, () => {
    const s = fuzz('bplist object graphs', objectGraph, (b) => checkBounded(() => parsePlist(b, 'x', SMALL)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });

  // Each bomb may cost up to plistLimits.maxValues decoded values (about a second on a loaded machine): few runs.
  const DAG_RUNS = RUNS > 1000 ? 100 : 5;
  it('exponential DAGs at the default limits', { timeout: DAG_RUNS * 5_000 + 60_000 }, () => {
    fuzz('bplist DAG bombs (default limits)', dagBomb, (b) => checkBounded(() => parsePlist(b, 'x', plistLimits)), DAG_RUNS);
  });
});

describe('parsePlist fuzzing: XML', () => {
  it('random text, bare and inside <plist>', { timeout: TIMEOUT }, () => {
    const text = fc.oneof(anyText(120), anyText(120).map((s) => `<plist>${s}</plist>`));
    fuzz('xml random text', text, (t) => checkBounded(() => parsePlist(Buffer.from(t), 'x')), RUNS);
  });

  it('valid plists decode to exactly what was written', { timeout: TIMEOUT }, () => {
    fuzz('xml round trip', plistValueWithBigints, (v) => {
      same(parsePlist(xmlOf(v), 'x'), v);
      return 'returned';
    }, RUNS);
  });

  it('valid plists with broken markup, entities, comments and CDATA spliced in', { timeout: TIMEOUT }, () => {
    const s = fuzz('xml mutated', fc.tuple(plistValue, fc.array(xmlMutation, { minLength: 1, maxLength: 4 })), ([v, m]) => checkBounded(() => parsePlist(mutateXml(xmlOf(v), m), 'x', SMALL)), RUNS);
    expect(s.returned).toBeGreaterThan(0);
    expect(s.refused).toBeGreaterThan(0);
  });

  it('deep nesting, balanced or not, at the default limits', { timeout: TIMEOUT }, () => {
    const nested = fc.record({ open: fc.integer({ min: 0, max: 5000 }), close: fc.integer({ min: 0, max: 5000 }), tag: fc.constantFrom('array', 'dict') });
    fuzz('xml deep nesting', nested, ({ open, close, tag }) => checkBounded(() => parsePlist(Buffer.from(`<plist>${`<${tag}>`.repeat(open)}${`</${tag}>`.repeat(close)}</plist>`), 'x')), RUNS);
  });

  it('integers of any length are exact or refused', { timeout: TIMEOUT }, () => {
    const digits = fc.tuple(fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{1,30}$/));
    fuzz('xml huge integers', digits, ([sign, d]) => {
      const outcome = checkBounded(() => {
        const v = parsePlist(Buffer.from(`<plist><integer>${sign}${d}</integer></plist>`), 'x');
        must(BigInt(v as number | bigint) === BigInt(`${sign === '-' ? '-' : ''}${d}`), `${sign}${d} decoded as ${JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x))}`);
      });
      const exact = BigInt(`${sign === '-' ? '-' : ''}${d}`);
      must((outcome === 'returned') === (d.length <= 20 && exact >= -(2n ** 63n) && exact <= 2n ** 64n - 1n), `${sign}${d} was ${outcome}`);
      return outcome;
    }, RUNS);
  });
});
