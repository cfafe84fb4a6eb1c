/**
 * Fuzzing the STIX pattern parser (src/indicators/pattern.ts): it never throws, whatever the text (a bad
 * pattern is one skipped indicator with a one-line reason), and stays within the time bound on random text,
 * on text made of grammar pieces, on deep nesting and on long literals with escapes.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parsePattern } from '../../src/indicators/pattern.js';
import { anyText, checkBounded, fuzz, fuzzRuns, must, same, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(1000, 2); // plus a hundredth more for the deep and long inputs
const TIMEOUT = timeoutFor(RUNS);
const nothingAllowed = () => false;

const fragment = fc.oneof(
  fc.constantFrom('[', ']', '(', ')', ',', "'", '\\', '\\\\', "\\'", '=', '!=', '<=', ' ', 'OR', 'AND', 'IN', 'NOT', 'LIKE', 'MATCHES', 'FOLLOWEDBY', 'WITHIN', 'SECONDS', 'REPEATS', 'TIMES', 'START', 'STOP', "t'2020-01-01T00:00:00Z'", "h'ff'", "b'AA=='", '1', '-2.5e3', 'true'),
  fc.constantFrom('domain-name:value', "file:hashes.'SHA-256'", 'url:value', 'email-addr:value', 'process:name', 'a:b[*].c', 'x:y[0]', "x:'q'.'r'"),
  fc.string({ maxLength: 6 }),
);
const patternLike = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

const parsesQuietly = (text: string) =>
  checkBounded(() => {
    const r = parsePattern(text);
    must(r.skipped.every((s) => !/[\n\r]/.test(s.reason)), 'a skipped reason is not one line');
    must(r.comparisons.every((c) => typeof c.value === 'string' && typeof c.key === 'string'), 'a comparison without a string key and value');
    // The full grammar agrees with the fast path on every input.
    same(parsePattern(text, true), r);
  }, nothingAllowed);

describe('parsePattern fuzzing', () => {
  it('random text', { timeout: TIMEOUT }, () => {
    fuzz('stix random text', anyText(120), parsesQuietly, RUNS);
  });

  it('text made of grammar pieces', { timeout: TIMEOUT }, () => {
    fuzz('stix grammar pieces', patternLike, parsesQuietly, RUNS);
  });

  it('deep nesting and long escaped literals', { timeout: TIMEOUT }, () => {
    const hostile = fc.oneof(
      fc.record({ depth: fc.integer({ min: 0, max: 20_000 }), open: fc.constantFrom('(', '[', '(['), inner: patternLike }).map(({ depth, open, inner }) => `${open.repeat(depth)}${inner}`),
      fc.record({ n: fc.integer({ min: 0, max: 5_000 }), piece: fc.constantFrom("\\'", '\\\\', "'", ' OR ', "[a:b = 'c'] OR ") }).map(({ n, piece }) => `[domain-name:value = '${piece.repeat(n)}']`),
    );
    fuzz('stix deep and long', hostile, parsesQuietly, Math.max(50, Math.floor(RUNS / 100)));
  });
});
