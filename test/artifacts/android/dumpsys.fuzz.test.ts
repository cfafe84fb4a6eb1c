/**
 * Property-based fuzzing of the dumpsys decoders and the section splitter (docs/dev/fuzzing.md): random text,
 * text built from dumpsys-like lines, and MVT's real files mutated byte by byte. No decoder has an error to
 * throw: each returns what it could read, within the time bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachSectionLine, indexSections, SectionScanner, sectionBytes, sectionText } from '../../../src/formats/dumpstate-sections.js';
import { decodeAccessibility } from '../../../src/formats/dumpsys-accessibility.js';
import { decodeAdbState } from '../../../src/formats/dumpsys-adb.js';
import { decodeAppops } from '../../../src/formats/dumpsys-appops.js';
import { decodeBatteryDaily, decodeBatteryHistory } from '../../../src/formats/dumpsys-batterystats.js';
import { decodeDbinfo } from '../../../src/formats/dumpsys-dbinfo.js';
import { decodePackages, decodeResolverTable } from '../../../src/formats/dumpsys-package.js';
import { decodePlatformCompat } from '../../../src/formats/dumpsys-platform-compat.js';
import { cutAt, checkBounded, fuzz, fuzzRuns, timeoutFor, fuzzOnAnyText, fuzzOnMutatedSample, mutate, mutations, same } from '../../fuzz/_fuzz.js';
import { mvtDumpsys } from './_dumpsys.js';
import { readFileSync } from 'node:fs';
import { shared } from '../../helpers/data.js';

const RUNS = fuzzRuns(200, 3);
const TIMEOUT = timeoutFor(RUNS, 40);
const never = () => false;

/** Every section of a split decoded as text, as the artifacts do. */
function splitAll(bytes: Buffer): number {
  const index = indexSections(bytes);
  let chars = 0;
  for (const span of [...index.services.values(), ...index.titled]) chars += sectionText(bytes, span).length;
  return chars;
}

const decoders = [
  { name: 'sections of androidqf dumpsys.txt', sample: readFileSync(shared('mvt-test-artifacts', 'androidqf', 'dumpsys.txt')), decode: (t: string) => splitAll(Buffer.from(t)) },
  { name: 'accessibility', sample: mvtDumpsys('dumpsys_accessibility.txt'), decode: decodeAccessibility },
  { name: 'accessibility v14', sample: mvtDumpsys('dumpsys_accessibility_v14_or_later.txt'), decode: decodeAccessibility },
  { name: 'packages', sample: mvtDumpsys('dumpsys_packages.txt'), decode: (t: string) => [decodePackages(t), decodeResolverTable(t, 'Activity'), decodeResolverTable(t, 'Receiver')] },
  { name: 'appops', sample: mvtDumpsys('dumpsys_appops.txt'), decode: decodeAppops },
  { name: 'batterystats', sample: mvtDumpsys('dumpsys_battery.txt'), decode: (t: string) => [decodeBatteryDaily(t), decodeBatteryHistory(t)] },
  { name: 'dbinfo', sample: mvtDumpsys('dumpsys_dbinfo.txt'), decode: decodeDbinfo },
  { name: 'platform_compat', sample: mvtDumpsys('dumpsys_platform_compat.txt'), decode: decodePlatformCompat },
  { name: 'adb', sample: mvtDumpsys('dumpsys_adb.txt'), decode: decodeAdbState },
  { name: 'adb xml', sample: mvtDumpsys('dumpsys_adb_xml.txt'), decode: decodeAdbState },
] as const;

/** Lines that look like dumpsys: headers, separators, indented key=value and braces, in random order. */
const dumpsysLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('DUMP OF SERVICE package:', 'DUMP OF SERVICE adb:', '-'.repeat(78), '------ SYSTEM PROPERTIES (getprop) ------', 'Packages:', '  Non-Data Actions:', 'Receiver Resolver Table:', '  Uid 0:', '{', '}', '  debugging_manager={', '    user_keys=QUJDRA== a@b', '  Daily from 2024-01-01-00-00-00 to 2024-01-02-00-00-00:', '      Update com.x vers=0', '  installed services: {', ''),
      fc.tuple(fc.integer({ min: 0, max: 16 }), fc.string({ maxLength: 60 })).map(([n, s]) => ' '.repeat(n) + s),
    ),
    { maxLength: 200 },
  )
  .map((lines) => lines.join('\n'));

describe.each(decoders)('$name under fuzzing', (d) => {
  it('returns on any text', () => {
    expect(fuzzOnAnyText(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);

  it('returns on dumpsys-like lines', () => {
    const stats = fuzz(`${d.name} dumpsys-like`, dumpsysLike, (text) => checkBounded(() => d.decode(text), never), RUNS);
    expect(stats.returned).toBe(RUNS);
  }, TIMEOUT);

  it('returns on the real file mutated byte by byte', () => {
    expect(fuzzOnMutatedSample(d, RUNS).returned).toBe(RUNS);
  }, TIMEOUT);
});

describe('hostile sizes stay linear', () => {
  it('a 4 MB line of brackets and quotes, a million short lines, long dbinfo lines without their sql: each decoder returns within the bound', () => {
    const longOperations = `Connection pool for /data/x.db:\n  Most recently executed operations:\n${`        0: [07-15 20:27:39.431] ${'a'.repeat(60_000)} sql="\n`.repeat(100)}`;
    const hostile = [`${'{'.repeat(2_000_000)}${'"'.repeat(2_000_000)}`, '      x:\n'.repeat(1_000_000), `        0: [07-15 20:27:39.431] ${'a'.repeat(3_000_000)} sql="`, longOperations, `Enabled services:${'{a'.repeat(1_000_000)}`];
    for (const text of hostile) for (const { decode } of decoders) checkBounded(() => decode(text), never);
  }, 120_000);
});

const KEEP = { services: new Set(['package', 'adb', 'appops', 'accessibility', 'batterystats']), maxBytes: 2_000 };

/** What a streamed pass keeps, and every service's lines read again from chunks by its offsets. */
async function streamed(buf: Buffer, at: readonly number[]) {
  const scanner = new SectionScanner(KEEP);
  for (const chunk of cutAt(buf, at)) scanner.push(chunk);
  const index = scanner.end();
  const lines: Record<string, string[]> = {};
  for (const [name, span] of index.services) {
    const got: string[] = [];
    await forEachSectionLine((async function* () { yield* cutAt(buf, at.map((n) => n * 7)); })(), span, 1 << 20, (l) => got.push(l) > 0);
    lines[name] = got;
  }
  return { services: [...index.services.entries()], kept: [...index.kept.entries()], lines };
}

/** The same from the whole buffer: sections as `sectionBytes` / `sectionText` cut them. */
function whole(buf: Buffer) {
  const index = indexSections(buf);
  const kept = [...index.services].filter(([name]) => KEEP.services.has(name)).map(([name, span]) => [name, span.end - span.start > KEEP.maxBytes ? null : Buffer.from(sectionBytes(buf, span))] as const);
  const lines = Object.fromEntries([...index.services].map(([name, span]) => [name, sectionText(buf, span).split('\n')]));
  return { services: [...index.services.entries()], kept, lines };
}

describe('the streamed pass: cuts anywhere keep the bytes and give the lines of the whole buffer', () => {
  const samples = [readFileSync(shared('mvt-test-artifacts', 'androidqf', 'dumpsys.txt')), readFileSync(shared('samples', 'chkbugreport', 'examples', 'bugreports', 'bugreport_deadlock.txt')).subarray(560_000, 900_000)];
  const cuts = fc.array(fc.nat(), { maxLength: 10 });

  it.each(samples.map((s, i) => [i === 0 ? 'androidqf dumpsys.txt' : 'the Android 2.3 dumpstate', s] as const))('%s, mutated byte by byte', async (_, sample) => {
    await fc.assert(
      fc.asyncProperty(mutations, cuts, async (m, at) => {
        const buf = mutate(sample, m);
        same(await streamed(buf, at), whole(buf));
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  }, TIMEOUT);

  it('lines past a small bound are cut there, whatever the cuts', async () => {
    const bound = 24;
    /** Each line of the section's bytes, cut to `bound` bytes, decoded, a final `\r` removed. */
    const cutLines = (section: Buffer) => {
      const out: string[] = [];
      let from = 0;
      for (;;) {
        const nl = section.indexOf(0x0a, from);
        const line = section.subarray(from, nl === -1 ? section.length : nl);
        const text = line.subarray(0, bound).toString('utf8');
        out.push(text.endsWith('\r') ? text.slice(0, -1) : text);
        if (nl === -1) return out;
        from = nl + 1;
      }
    };
    await fc.assert(
      fc.asyncProperty(dumpsysLike, fc.boolean(), cuts, async (text, crlf, at) => {
        const buf = Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : text);
        for (const span of indexSections(buf).services.values()) {
          const got: string[] = [];
          const stats = await forEachSectionLine((async function* () { yield* cutAt(buf, at); })(), span, bound, (l) => got.push(l) > 0);
          const want = cutLines(sectionBytes(buf, span));
          same(got, want);
          same(stats.lines, want.length);
        }
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('dumpsys-like text with \\r\\n line ends', async () => {
    await fc.assert(
      fc.asyncProperty(dumpsysLike, fc.boolean(), cuts, async (text, crlf, at) => {
        const buf = Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : text);
        same(await streamed(buf, at), whole(buf));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
