/**
 * The incremental JSON item reader (src/formats/json-items.ts) under hostile chunking: files.json is streamed,
 * so the chunks a folder, a zip or an age stream hand over may cut an item, a string, an escape, a byte-order
 * mark or a UTF-8 character anywhere. Whatever the cuts, the items (values, skip reasons, indexes, lines) and
 * the way the file ended must be those of the same bytes read as one buffer. Inputs: MVT's real files.json
 * and a generated one (both layouts), each mutated byte by byte, JSON values of every shape, and random bytes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileItems } from '../../src/artifacts/android/aqf_files.js';
import { JsonItemsReader, readJsonItems, type JsonItemsMode } from '../../src/formats/json-items.js';
import { generateAndroidqf } from '../../src/synth/androidqf.js';
import { mvtAndroidqf } from '../artifacts/android/_aqf.js';
import { cutAt, checkBounded, fuzz, fuzzRuns, mutate, mutations, same, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(300, 4);
const TIMEOUT = timeoutFor(RUNS, 20);
const never = () => false;

/** Everything a reader says of some chunks: each item as read, and how it ended. */
function readAll(chunks: Iterable<Buffer>, mode: JsonItemsMode = 'auto', max = 1_000_000, options: { maxItemBytes?: number; maxDepth?: number } = {}) {
  const items = readJsonItems(new JsonItemsReader(max, { mode, ...options }), chunks);
  const out: unknown[] = [];
  for (;;) {
    const next = items.next();
    if (next.done) return { items: out, end: next.value };
    out.push(next.value);
  }
}

/** The file entries of some chunks as files.json's reader gives them. */
function filesOf(chunks: Iterable<Buffer>) {
  const items = fileItems(chunks);
  const out: unknown[] = [];
  for (;;) {
    const next = items.next();
    if (next.done) return { items: out, end: next.value };
    out.push(next.value);
  }
}

/** The property: any cuts give what the whole buffer gives (and the reader returns within the time bound). */
function sameWhateverTheCuts(buf: Buffer, at: readonly number[], read: (chunks: Iterable<Buffer>) => unknown = (c) => readAll(c)) {
  return checkBounded(() => same(read(cutAt(buf, at)), read([buf])), never);
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });
const mvtFiles = readFileSync(join(mvtAndroidqf(), 'files.json'));
let generatedList: Buffer;
let generatedLines: Buffer;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'th-json-items-'));
  await generateAndroidqf(join(work, 'aqf'), { seed: 7, packages: 20, files: 300, dumpsysBytes: 10_000, collectedAt: new Date('2024-06-01T00:00:00Z') });
  generatedList = readFileSync(join(work, 'aqf', 'files.json'));
  // Newer androidqf streams files.json as one object per line.
  const entries = JSON.parse(generatedList.toString('utf8')) as unknown[];
  generatedLines = Buffer.from(`\n${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('JsonItemsReader: chunk boundaries anywhere give the items of the whole buffer', () => {
  it('on MVT files.json, mutated byte by byte and cut anywhere, as file entries', () => {
    const stats = fuzz('files.json cut', fc.tuple(mutations, cuts), ([m, at]) => sameWhateverTheCuts(mutate(mvtFiles, m), at, filesOf), RUNS);
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);

  it('on a generated files.json, as a list and as JSON Lines, mutated and cut anywhere', () => {
    const stats = fuzz(
      'generated files.json cut',
      fc.tuple(fc.boolean(), mutations, cuts),
      ([lines, m, at]) => sameWhateverTheCuts(mutate(lines ? generatedLines : generatedList, m), at, filesOf),
      RUNS,
    );
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);

  it('on lists and JSON Lines of any JSON values (strings with escapes and brackets, deep nesting, a byte-order mark)', () => {
    const doc = fc.tuple(fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 12 }), fc.boolean(), fc.boolean(), fc.constantFrom('', ' ', '\n', '\r\n')).map(([values, lines, bom, gap]) => {
      const text = lines ? values.map((v) => JSON.stringify(v)).join(`\n${gap}`) : `[${gap}${values.map((v) => JSON.stringify(v)).join(`,${gap}`)}]`;
      return Buffer.from(`${bom ? '\uFEFF' : ''}${text}`);
    });
    const stats = fuzz('json values cut', fc.tuple(doc, cuts, fc.constantFrom<JsonItemsMode>('auto', 'list', 'lines')), ([buf, at, mode]) => sameWhateverTheCuts(buf, at, (c) => readAll(c, mode, 1_000_000, { maxItemBytes: 64, maxDepth: 3 })), RUNS);
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);

  it('on random bytes made of JSON punctuation, cut anywhere, each mode', () => {
    const bytes = fc.array(fc.constantFrom(...Buffer.from('[]{},"\\: \n\r\tax1\u00ef\u00bb\u00bf', 'latin1')), { maxLength: 300 }).map((b) => Buffer.from(b));
    const stats = fuzz('punctuation cut', fc.tuple(bytes, cuts, fc.constantFrom<JsonItemsMode>('auto', 'list', 'lines')), ([buf, at, mode]) => sameWhateverTheCuts(buf, at, (c) => readAll(c, mode, 20, { maxItemBytes: 16, maxDepth: 4 })), RUNS);
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);

  it('one byte at a time gives the whole-buffer items of both generated layouts', () => {
    for (const buf of [generatedList, generatedLines, mvtFiles]) {
      const bytes = [...buf].map((b) => Buffer.from([b]));
      const whole = filesOf([buf]);
      expect(filesOf(bytes)).toStrictEqual(whole);
      expect(whole.end).toBe('complete');
    }
    expect(filesOf([generatedList]).items).toHaveLength(300);
  });
});
