/**
 * Properties of the STIX pattern parser over generated input (fast-check): it never throws, its reasons
 * are one line, what it reads back is what was written, and the fast path agrees with the grammar.
 * A short run here; the fuzzing suite runs the long one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedValue, SUPPORTED_KEYS } from '../../src/indicators/keys.js';
import { MAX_PATTERN_NESTING, parsePattern } from '../../src/indicators/pattern.js';

/** A STIX string literal for `value`: the two escapes the grammar has. */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Pieces patterns are made of, so generated text reaches deep into the grammar, not only the first "[". */
const fragment = fc.oneof(
  fc.constantFrom('[', ']', '(', ')', ',', "'", '\\', '=', '!=', ' ', 'OR', 'AND', 'IN', 'NOT', 'FOLLOWEDBY', 'WITHIN', 'SECONDS', 'START', 'STOP', "t'", "h'", '1', '-2.5e3'),
  fc.constantFrom('domain-name:value', "file:hashes.'SHA-256'", 'a:b[*].c', 'x:y[0]'),
  fc.string({ maxLength: 6 }),
);
const patternLike = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''));

const RUNS = 1000;

describe('parsePattern on generated input', () => {
  it('never throws, and every skipped reason is one line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), patternLike), (text) => {
        const r = parsePattern(text);
        for (const s of r.skipped) expect(s.reason).not.toMatch(/[\n\r]/);
        for (const c of r.comparisons) expect(typeof c.value).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('the fast path and the full grammar give the same answer', () => {
    fc.assert(
      fc.property(fc.oneof(patternLike, fc.string({ maxLength: 40 }).map((v) => `[domain-name:value = '${v}']`)), (text) => {
        expect(parsePattern(text)).toEqual(parsePattern(text, true));
      }),
      { numRuns: RUNS },
    );
  });

  it('reads back any value written as a literal, under any supported key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUPPORTED_KEYS), fc.string({ maxLength: 60, unit: 'binary' }), (key, value) => {
        expect(parsePattern(`[${key} = ${literal(value)}]`)).toEqual({ comparisons: [{ key, value }], skipped: [] });
      }),
      { numRuns: RUNS },
    );
  });

  it('an OR or IN of n values gives n comparisons, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 8 }), (values) => {
        const or = `[${values.map((v) => `process:name = ${literal(v)}`).join(' OR ')}]`;
        const inSet = `[process:name IN (${values.map(literal).join(', ')})]`;
        const expected = values.map((value) => ({ key: 'process:name', value }));
        expect(parsePattern(or).comparisons).toEqual(expected);
        expect(parsePattern(inSet).comparisons).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('nesting is read up to the bound and refused beyond it, never overflowing the stack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (depth) => {
        const r = parsePattern(`${'('.repeat(depth)}[process:name = 'x']${')'.repeat(depth)}`);
        // The observation's own `[` is one level.
        if (depth + 1 <= MAX_PATTERN_NESTING) expect(r).toEqual({ comparisons: [{ key: 'process:name', value: 'x' }], skipped: [] });
        else expect(r.skipped[0]!.reason).toBe(`cannot parse pattern: nested deeper than ${MAX_PATTERN_NESTING} levels at offset ${MAX_PATTERN_NESTING}`);
      }),
      { numRuns: 300 },
    );
  });

  it('keyedValue never throws and its reasons are one line, for any value under any key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUPPORTED_KEYS, 'x-unknown:y'), fc.string({ maxLength: 60, unit: 'binary' }), (key, value) => {
        const r = keyedValue(key, value);
        if (!r.ok) expect(r.reason).not.toMatch(/[\n\r]/);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parsePattern bounds', () => {
  it('a pattern of 100,000 nested "(" is one skipped indicator, not a stack overflow', () => {
    const text = `${'('.repeat(100_000)}[process:name = 'x']${')'.repeat(100_000)}`;
    expect(parsePattern(text).skipped.map((s) => s.reason)).toEqual([`cannot parse pattern: nested deeper than ${MAX_PATTERN_NESTING} levels at offset ${MAX_PATTERN_NESTING}`]);
  });

  it('a 400 KB pattern of numbers is read in linear time', () => {
    const text = `[process:name = 'x' ${'1 '.repeat(200_000)}]`;
    const started = performance.now();
    expect(parsePattern(text).skipped).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
