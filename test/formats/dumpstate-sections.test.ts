import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumpsysArtifacts } from '../../src/artifacts/android/index.js';
import { collectArtifact } from '../../src/app/parse-artifact.js';
import { detectInput } from '../../src/evidence/detect.js';
import { InputLog } from '../../src/evidence/input-log.js';
import type { EvidenceFile, Source } from '../../src/evidence/source.js';
import { indexSections, MAX_SECTIONS, SectionScanner, sectionText, type SectionIndex } from '../../src/formats/dumpstate-sections.js';
import { mvtAndroidqf } from '../artifacts/android/_aqf.js';
import { shared } from '../helpers/data.js';

const SEP = '-'.repeat(78);
const androidqfDumpsys = () => readFileSync(shared('mvt-test-artifacts', 'androidqf', 'dumpsys.txt'));

function scanInChunks(bytes: Buffer, sizes: (i: number) => number): SectionIndex {
  const scanner = new SectionScanner();
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    scanner.push(bytes.subarray(at, at + n));
    at += n;
  }
  return scanner.end();
}

const plain = (index: SectionIndex) => ({ services: [...index.services.entries()], titled: index.titled, lines: index.lines, truncated: index.truncated });

describe('dumpstate sections', () => {
  it('androidqf\'s dumpsys.txt: its 7 services, and the package section is 3907 characters (reference-spec §13.5)', () => {
    const bytes = androidqfDumpsys();
    const index = indexSections(bytes);
    expect([...index.services.keys()]).toEqual(['accessibility', 'package', 'appops', 'adb', 'dbinfo', 'batterystats', 'platform_compat']);
    expect(sectionText(bytes, index.services.get('package')!)).toHaveLength(3907);
    expect(index.services.get('package')!.headerLine).toBe(52);
    // The section keeps its "duration" footer: only the 78-dash line ends it.
    expect(sectionText(bytes, index.services.get('package')!).split('\n').at(-1)).toMatch(/^--------- 2\.929s was the duration of dumpsys package/);
  });

  it('splits the same in 1-byte chunks and in random chunks as in one buffer', () => {
    const bytes = androidqfDumpsys();
    const whole = plain(indexSections(bytes));
    expect(plain(scanInChunks(bytes, () => 1))).toEqual(whole);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 50 }), (sizes) => {
        expect(plain(scanInChunks(bytes, (i) => sizes[i % sizes.length]!))).toEqual(whole);
      }),
      { numRuns: 30 },
    );
  });

  it('an Android 2.3 dumpstate: 40 titled sections (SYSTEM PROPERTIES up to its next title) and 56 services', () => {
    const bytes = readFileSync(shared('samples', 'chkbugreport', 'examples', 'bugreports', 'bugreport_deadlock.txt'));
    const index = indexSections(bytes);
    expect([index.titled.length, index.services.size]).toEqual([40, 56]);
    const props = sectionText(bytes, index.titled.find((t) => t.name === 'SYSTEM PROPERTIES')!);
    expect(props.split('\n')[0]).toBe('[dalvik.vm.dexopt-flags]: [m=y]');
    expect(props.split('\n')).toHaveLength(138);
    expect(index.titled.at(-1)!.name).toBe('DUMPSYS');
  });

  it('a modern dumpstate: titles without their command, duration footers end a section, services inside DUMPSYS', () => {
    const text = [
      '== dumpstate: 2024-05-01 10:00:00',
      '------ SYSTEM PROPERTIES (getprop) ------',
      '[ro.build.version.release]: [14]',
      "------ 0.027s was the duration of 'SYSTEM PROPERTIES' ------",
      '------ DUMPSYS (/system/bin/dumpsys) ------',
      SEP,
      'DUMP OF SERVICE adb:',
      'ADB MANAGER STATE (dumpsys adb):',
      SEP,
      "------ 1.2s was the duration of 'DUMPSYS' ------",
    ].join('\r\n');
    const bytes = Buffer.from(text);
    const index = indexSections(bytes);
    expect(index.titled.map((t) => [t.name, sectionText(bytes, t).split('\n').length])).toEqual([
      ['SYSTEM PROPERTIES', 1],
      ['DUMPSYS', 4],
    ]);
    expect(sectionText(bytes, index.titled[0]!)).toBe('[ro.build.version.release]: [14]');
    expect(sectionText(bytes, index.services.get('adb')!)).toBe('ADB MANAGER STATE (dumpsys adb):');
  });

  it('a section without its separator ends at the next header, or at the end of a cut-off file; a repeated name keeps the first', () => {
    const bytes = Buffer.from(['DUMP OF SERVICE a:', 'one', 'DUMP OF SERVICE b:', 'two', SEP, 'DUMP OF SERVICE a:', 'again', SEP, 'DUMP OF SERVICE c:', 'cut'].join('\n'));
    const index = indexSections(bytes);
    expect(['a', 'b', 'c'].map((n) => sectionText(bytes, index.services.get(n)!))).toEqual(['one', 'two', 'cut']);
    const empty = Buffer.from(`DUMP OF SERVICE e:\n${SEP}\n`);
    expect(sectionText(empty, indexSections(empty).services.get('e')!)).toBe('');
  });

  it('a line of 20 MB without a newline is scanned without being kept; an empty input has no section', () => {
    const long = Buffer.concat([Buffer.from('DUMP OF SERVICE x:\n'), Buffer.alloc(20 * 1024 * 1024, 0x41), Buffer.from(`\n${SEP}\n`)]);
    expect(indexSections(long).services.get('x')).toMatchObject({ start: 19, end: 19 + 20 * 1024 * 1024 });
    expect(plain(indexSections(Buffer.alloc(0)))).toEqual({ services: [], titled: [], lines: 0, truncated: false });
  });

  it(`stops indexing after ${MAX_SECTIONS} headers and says so`, () => {
    const many = Buffer.from(Array.from({ length: MAX_SECTIONS + 5 }, (_, i) => `DUMP OF SERVICE s${i}:\nx\n${SEP}`).join('\n'));
    const index = indexSections(many);
    expect([index.services.size, index.truncated]).toEqual([MAX_SECTIONS, true]);
  });

  it('every dumpsys artifact of a run shares one streamed pass over dumpsys.txt; only the two battery artifacts read their section again, by its offsets', async () => {
    const found = await detectInput(mvtAndroidqf(), 'android-androidqf');
    const log = new InputLog();
    const source = await found.open(log);
    let reads = 0;
    let streams = 0;
    const counting: Source = Object.create(source) as Source;
    counting.read = (file: EvidenceFile) => {
      if (file.ref.storedPath === 'dumpsys.txt') reads++;
      return source.read(file);
    };
    counting.stream = (file: EvidenceFile) => {
      if (file.ref.storedPath === 'dumpsys.txt') streams++;
      return source.stream!(file);
    };
    let ranges = 0;
    counting.streamRange = (file: EvidenceFile, start: number, end: number) => {
      if (file.ref.storedPath === 'dumpsys.txt') ranges++;
      return source.streamRange!(file, start, end);
    };
    try {
      const counts = await Promise.all(dumpsysArtifacts.map(async (a) => (await collectArtifact(a, counting)).items.length));
      expect(counts).toEqual([4, 0, 12, 3, 6, 6, 2, 2, 8, 1]);
      // One pass over the whole file; the battery artifacts read only their section again, by its offsets.
      expect([reads, streams, ranges]).toEqual([0, 1, 2]);
      // The pass read it to its end: the input log holds the whole file's hash.
      const bytes = androidqfDumpsys();
      expect(log.all().find((r) => r.label === 'dumpsys.txt')).toMatchObject({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    } finally {
      await source.close();
    }
  });
});
