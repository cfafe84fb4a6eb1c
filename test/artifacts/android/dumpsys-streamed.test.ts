/**
 * dumpsys.txt (or a dumpstate) is streamed once, never held: the sections the text decoders read are kept as the
 * pass goes by, each bounded, and the battery section (most of a large dump) is decoded line by line from a
 * second stream. These pin that the records are those of the whole-file reading, and what a section past the
 * bound gives.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KEPT_SECTION_BYTES } from '../../../src/artifacts/android/_dumpsys.js';
import { dumpsysArtifacts } from '../../../src/artifacts/android/index.js';
import batteryDaily from '../../../src/artifacts/android/dumpsys_battery_daily.js';
import batteryHistory from '../../../src/artifacts/android/dumpsys_battery_history.js';
import packages from '../../../src/artifacts/android/dumpsys_packages.js';
import appops from '../../../src/artifacts/android/dumpsys_appops.js';
import { indexSections, sectionText } from '../../../src/formats/dumpstate-sections.js';
import { decodeBatteryDaily, decodeBatteryHistory, MAX_BATTERY_RECORDS } from '../../../src/formats/dumpsys-batterystats.js';
import { generateAndroidqf } from '../../../src/synth/androidqf.js';
import { detectInput } from '../../../src/evidence/detect.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { zipTree } from '../../fixtures/archives.js';
import { parseAqf, parseAqfFiles } from './_aqf.js';
import { mvtDumpsys } from './_dumpsys.js';

const SEP = '-'.repeat(78);
let work: string;
let root: string;
let dumpsys: Buffer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'th-dumpsys-streamed-'));
  root = join(work, 'aqf');
  // 24 MB of battery history (300,000 lines): many stream chunks, more history lines than the record bound.
  await generateAndroidqf(root, { seed: 11, packages: 300, files: 10, dumpsysBytes: 24 * 1024 * 1024, collectedAt: new Date('2024-06-01T00:00:00Z') });
  dumpsys = readFileSync(join(root, 'dumpsys.txt'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('dumpsys sections read from one streamed pass', () => {
  it('a 24 MB battery section decoded line by line gives the records of the whole-text decoders, at the section header', async () => {
    const span = indexSections(dumpsys).services.get('batterystats')!;
    const text = sectionText(dumpsys, span);
    const history = await parseAqf(batteryHistory, root);
    expect(history.coverage.issues).toEqual([]);
    expect(history.records).toHaveLength(MAX_BATTERY_RECORDS);
    expect(history.records).toEqual(decodeBatteryHistory(text));
    expect(history.items[0]!.source.at).toEqual({ line: span.headerLine });
    const daily = await parseAqf(batteryDaily, root);
    expect(daily.records).toEqual(decodeBatteryDaily(text));
  });

  it('every dumpsys artifact on the generated acquisition gives the counts of its whole-file reading', async () => {
    const counts = await Promise.all(dumpsysArtifacts.map(async (a) => [a.id, (await parseAqf(a, root)).records.length] as const));
    expect(Object.fromEntries(counts)).toMatchObject({ 'android.dumpsys_packages': 300, 'android.dumpsys_battery_history': MAX_BATTERY_RECORDS, 'android.dumpsys_adb_state': 1 });
  });

  it.each([
    ['a folder (by seeking)', false],
    ['a zip (by skipping the bytes before)', true],
  ] as const)('a ranged read of the acquisition gives exactly those bytes of the file, from %s', async (_, zipped) => {
    let target = root;
    if (zipped) {
      target = join(work, 'aqf.zip');
      await zipTree(root, target);
    }
    const source = await (await detectInput(target, 'android-androidqf')).open(new InputLog());
    try {
      const [file] = await source.find({ by: 'path-glob', pattern: 'dumpsys.txt' });
      for (const [start, end] of [[0, 10], [65_530, 200_000], [dumpsys.length - 5, dumpsys.length], [100, 100]] as const) {
        const chunks: Buffer[] = [];
        for await (const c of await source.streamRange!(file!, start, end)) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).equals(dumpsys.subarray(start, end))).toBe(true);
      }
    } finally {
      await source.close();
    }
  });

  it('a battery line longer than the line bound is cut there with one issue; the lines around it are read', async () => {
    const history = ['Battery History (0% used, 2720 used of 4096KB, 31 strings using 2694):', `      +1s000ms (2) 100 +top=u0a1:"${'x'.repeat(70 * 1024)}"`, '      +2s000ms (2) 100 +job=u0a2:"com.example.app/.SyncJob"', ''].join('\n');
    const { records, coverage } = await parseAqfFiles(batteryHistory, { 'dumpsys.txt': `DUMP OF SERVICE batterystats:\n${history}\n${SEP}\n` });
    expect(records).toEqual([expect.objectContaining({ event: 'start_top', uid: 'u0a1' }), { time_elapsed: '+2s000ms', event: 'start_job', uid: 'u0a2', package_name: 'com.example.app', service: 'com.example.app/.SyncJob' }]);
    expect(coverage.issues.map((i) => i.message)).toEqual(['dumpsys.txt: 1 line(s) of the "DUMP OF SERVICE batterystats:" section longer than 65536 bytes, cut there']);
  });

  it('a kept section past the bound is one coverage line naming its size; the other sections are still read', async () => {
    const line = `  Package [com.example.filler] (1a2b3c):\n${' '.repeat(60)}\n`;
    const huge = line.repeat(Math.ceil((MAX_KEPT_SECTION_BYTES + 1024) / line.length));
    const text = Buffer.concat([
      Buffer.from(`DUMP OF SERVICE package:\nPackages:\n${huge}${SEP}\nDUMP OF SERVICE appops:\n`),
      mvtDumpsys('dumpsys_appops.txt'),
      Buffer.from(`\n${SEP}\n`),
    ]);
    const big = await parseAqfFiles(packages, { 'dumpsys.txt': text });
    expect(big.records).toEqual([]);
    expect(big.coverage.issues.map((i) => i.message)).toEqual([expect.stringMatching(new RegExp(`^dumpsys\\.txt: the "DUMP OF SERVICE package:" section is \\d+ bytes, more than the ${MAX_KEPT_SECTION_BYTES} a dumpsys section is read to; not read$`))]);
    const others = await parseAqfFiles(appops, { 'dumpsys.txt': text });
    expect(others.records).toHaveLength(13);
  }, 60_000);
});
