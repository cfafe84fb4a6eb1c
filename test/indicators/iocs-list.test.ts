/**
 * `tracehound iocs list` output (src/cli/iocs-command.ts), from real loads. Kept beside the loader tests
 * because it shows what the loader reports; the end-to-end run is in test/cli/main.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { iocsListJson, iocsListText } from '../../src/cli/iocs-command.js';
import { loadIndicators } from '../../src/indicators/load.js';
import { shared } from '../helpers/data.js';
import { stixBundle, tempTree } from './bundle.js';

const amnestyCytrox = shared('iocs', 'amnesty-investigations', '2021-12-16_cytrox', 'cytrox.stix2');
const mvtCytrox = shared('mvt-test-artifacts', 'stix2', 'cytrox.stix2');

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

describe('iocs list: a duplicate file says what it duplicates', () => {
  it('text: the second copy of the Cytrox feed reads "duplicate of <first path>", not "0 indicators"', async () => {
    const loaded = await loadIndicators({ paths: [amnestyCytrox, mvtCytrox], userDir: null });
    expect(iocsListText(loaded).split('\n')).toEqual([
      `   343 indicators   1 collection(s)  ${amnestyCytrox}`,
      `     =  ${mvtCytrox}: duplicate of ${amnestyCytrox} (same content, loaded once)`,
      '343 indicators from 1 file(s), 1 duplicate(s)',
      '',
    ]);
  });

  it('--json: the duplicate carries duplicateOf; a file loaded for itself has no such field', async () => {
    const loaded = await loadIndicators({ paths: [amnestyCytrox, mvtCytrox], userDir: null });
    const json = iocsListJson(loaded) as { files: Record<string, unknown>[]; total: number };
    expect(json.files.map((f) => [f.path, f.indicators, f.duplicateOf])).toEqual([
      [amnestyCytrox, 343, undefined],
      [mvtCytrox, 0, amnestyCytrox],
    ]);
    expect('duplicateOf' in json.files[0]!).toBe(false);
    expect(json.total).toBe(343);
  });
});

describe('iocs list: skipped indicators and rejected files', () => {
  it('text lists each skipped pattern with its reason under its file, and each rejected file on its own line', async () => {
    const t = tempTree({
      'mixed.stix2': stixBundle({
        indicators: [{ pattern: "[domain-name:value='ok.example']" }, { pattern: "[domain-name:value='x\\\\y.com']" }, { pattern: "[email-addr:value='@evil.com']" }],
      }),
      'empty.stix2': '',
    });
    cleanups.push(t.remove);
    const loaded = await loadIndicators({ paths: [t.path('mixed.stix2'), t.path('empty.stix2')], userDir: null });
    expect(iocsListText(loaded).split('\n')).toEqual([
      `     1 indicators   1 collection(s)  2 skipped  ${t.path('mixed.stix2')}`,
      `        skipped "[domain-name:value='x\\\\\\\\y.com']": "x\\\\y.com" is not a valid host name: it contains a backslash`,
      `        skipped "[email-addr:value='@evil.com']": "@evil.com" is not a valid e-mail address: no local part before the @`,
      `rejected: ${t.path('empty.stix2')}: empty file (expected a STIX 2 JSON bundle)`,
      '1 indicators from 1 file(s), 1 rejected',
      '',
    ]);
    const json = iocsListJson(loaded) as { files: { skippedPatterns: { reason: string }[] }[] };
    expect(json.files[0]!.skippedPatterns.map((s) => s.reason)).toEqual([
      '"x\\\\y.com" is not a valid host name: it contains a backslash',
      '"@evil.com" is not a valid e-mail address: no local part before the @',
    ]);
  });

  it('text shows the first ten skipped patterns of a file and counts the rest', async () => {
    const t = tempTree({ 'many.stix2': stixBundle({ indicators: Array.from({ length: 13 }, (_, i) => ({ pattern: `[domain-name:value='bad${i}..example']` })) }) });
    cleanups.push(t.remove);
    const lines = iocsListText(await loadIndicators({ paths: [t.path('many.stix2')], userDir: null })).split('\n');
    expect(lines.filter((l) => l.startsWith('        skipped '))).toHaveLength(10);
    expect(lines).toContain('        … and 3 more skipped (see --json)');
  });
});
