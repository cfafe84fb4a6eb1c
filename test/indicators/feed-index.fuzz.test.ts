/**
 * Property-based fuzzing of the feed-index reader (docs/dev/fuzzing.md): the index comes from the network,
 * so on random text, YAML-looking text and the real index mutated byte by byte it must return an index or
 * throw its one-line IndexYamlError, within the time bound.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexYamlError } from '../../src/indicators/_index-yaml.js';
import { parseFeedIndex } from '../../src/indicators/feed-index.js';
import { anyText, checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor } from '../fuzz/_fuzz.js';
import { shared } from '../helpers/data.js';

const RUNS = fuzzRuns(300, 3);
const TIMEOUT = timeoutFor(RUNS, 40);
const REAL = readFileSync(shared('iocs', 'mvt-indicators', 'indicators.yaml'));
const isIndexError = (err: unknown) => err instanceof IndexYamlError;

/** Lines built from YAML's own punctuation, so the reader's branches are reached, not only its first check. */
const yamlish = fc
  .array(
    fc.tuple(fc.integer({ min: 0, max: 12 }), fc.constantFrom('- ', '-', 'key: ', 'indicators:', 'type: github', 'github:', 'owner: a', "'q''", '"e\\"', '# c', '&a', '*a', '[x]', '|', '---', 'path: ../x', '')),
    { maxLength: 60 },
  )
  .map((lines) => lines.map(([indent, text]) => `${' '.repeat(indent)}${text}`).join('\n'));

describe('feed index reader under fuzzing', () => {
  it.each([
    ['random text', anyText(2_000)],
    ['YAML-looking lines', yamlish],
  ])('returns or refuses with one line on %s', (label, arbitrary) => {
    const stats = fuzz(`index ${label}`, arbitrary, (text) => checkBounded(() => parseFeedIndex(text), isIndexError), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
  }, TIMEOUT);

  it('returns or refuses with one line on the real index mutated byte by byte', () => {
    const stats = fuzz('index mutated', fc.tuple(mutations), ([m]) => checkBounded(() => parseFeedIndex(mutate(REAL, m).toString('utf8')), isIndexError), RUNS);
    expect(stats.returned + stats.refused).toBe(RUNS);
    // Most single mutations leave an index that still reads (a changed letter in a name or path).
    expect(stats.returned).toBeGreaterThan(RUNS / 4);
  }, TIMEOUT);
});
