/**
 * Property-based fuzzing of the timeline.csv reader (docs/dev/fuzzing.md): on random text and on a real
 * timeline fragment mutated byte by byte it returns rows or throws its one-line FormatError, in bounded
 * time; and whatever the chunking, the rows are the same.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../../src/report/html/_csv.js';
import { anyText, checkBounded, fuzz, fuzzRuns, mutate, mutations, same, timeoutFor } from '../../fuzz/_fuzz.js';

const RUNS = fuzzRuns(300, 3);
const TIMEOUT = timeoutFor(RUNS, 20);
const SAMPLE = Buffer.from(
  'time,artifact,event,description\n2019-08-27T15:08:09.253102Z,ios.datausage,first_seen,"1FB47783/com.apple.Fitness, ""wifi"" 0"\n2019-07-14T07:39:58.000000Z,ios.manifest,M--B,lsd - DatabaseDomain\n',
);
const LIMITS = { maxFieldChars: 10_000, maxFields: 64 };

function parse(text: string, chunk: number): string[][] {
  const out: string[][] = [];
  const p = new CsvParser((r) => out.push(r), LIMITS);
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  p.end();
  return out;
}

describe('timeline.csv reader under fuzzing', () => {
  it('returns or refuses with one line on any text, the same rows in any chunking', () => {
    const stats = fuzz(
      'csv random',
      fc.tuple(anyText(2_000), fc.integer({ min: 1, max: 64 })),
      ([text, chunk]) =>
        checkBounded(() => {
          let whole: string[][] | null = null;
          try {
            whole = parse(text, text.length || 1);
          } catch {
            // refused whole: it must be refused in chunks too
          }
          if (whole === null) return parse(text, chunk);
          same(parse(text, chunk), whole);
          return whole;
        }),
      RUNS,
    );
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, TIMEOUT);

  it('returns or refuses with one line on a real fragment mutated byte by byte', () => {
    const stats = fuzz('csv mutated', fc.tuple(mutations), ([m]) => checkBounded(() => parse(mutate(SAMPLE, m).toString('utf8'), 17)), RUNS);
    expect(stats.returned).toBeGreaterThan(0);
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, TIMEOUT);
});
