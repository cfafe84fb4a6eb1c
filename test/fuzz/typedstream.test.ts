/**
 * Fuzzing attributedBodyText (typedstream): it never throws and returns a string or null, within the time
 * bound, on random bytes, on random bytes behind a typedstream header, and on real-shaped message bodies
 * (the synthetic generator's) with corrupted lengths, class names and type tags.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { attributedBodyText } from '../../src/formats/typedstream.js';
import { attributedBody } from '../../src/synth/ios-content.js';
import { checkBounded, fuzz, fuzzRuns, must, mutate, mutations, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(1000, 3);
const TIMEOUT = timeoutFor(RUNS);
const HEADER = Buffer.from('040b73747265616d7479706564', 'hex');
const nothingAllowed = () => false;

const textOrNull = (blob: Uint8Array) =>
  checkBounded(() => {
    const text = attributedBodyText(blob);
    must(text === null || (typeof text === 'string' && Buffer.byteLength(text) <= blob.length * 3), `unexpected result ${String(text)}`);
  }, nothingAllowed);

describe('attributedBodyText fuzzing', () => {
  it('random bytes, bare and behind a typedstream header', { timeout: TIMEOUT }, () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 160 }),
      fc.uint8Array({ maxLength: 160 }).map((b) => Buffer.concat([HEADER, b])),
      fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 60 })).map(([a, b]) => Buffer.concat([HEADER, a, Buffer.from('NSString'), b])),
    );
    fuzz('typedstream random bytes', bytes, textOrNull, RUNS);
  });

  it('message bodies with corrupted lengths, class names and type tags', { timeout: TIMEOUT }, () => {
    const body = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 300 }), mutations).map(([text, m]) => mutate(attributedBody(text), m));
    fuzz('typedstream mutated bodies', body, textOrNull, RUNS);
  });

  it('an unmutated body always gives its text back', { timeout: TIMEOUT }, () => {
    fuzz('typedstream round trip', fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
      must(attributedBodyText(attributedBody(text)) === text, `${JSON.stringify(text)} did not come back`);
      return 'returned';
    }, RUNS);
  });
});
