/**
 * The MVT-compatible files of a check of MVT's androidqf folder, against what MVT wrote for it (reference-spec
 * §14.2): the timeline's title and rows, the alert files. The findings themselves are pinned in
 * androidqf-check.test.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { mvtTestStix } from '../../helpers/data.js';
import { mvtAndroidqf } from './_aqf.js';

let out: string;
let scratch: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'th-aqf-mvt-'));
  out = join(scratch, 'out');
  await check({ target: mvtAndroidqf(), iocs: [mvtTestStix()], userIocDir: null, output: out, format: 'mvt' });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('MVT-format output of MVT\'s androidqf folder', () => {
  it('titles the timeline "Device Local Timestamp", as every MVT Android command does', () => {
    const lines = readFileSync(join(out, 'timeline.csv'), 'utf8').trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('"Device Local Timestamp","Plugin","Event","Description"');
  });

  it('writes MVT\'s ten timeline rows (the four undated root binaries first, then the files by time) and the 25 of dumpsys.txt', () => {
    const rows = readFileSync(join(out, 'timeline.csv'), 'utf8').trimEnd().split(/\r?\n/).slice(1);
    // dumpsys.txt, which MVT does not read (docs/differences-from-mvt.md): 16 appops entries, 6 package times, 3 battery-daily updates.
    const plugin = (r: string) => r.split('","')[1]!;
    expect(rows.filter((r) => plugin(r).startsWith('Dumpsys')).map(plugin).sort().join(',')).toBe([...Array<string>(16).fill('DumpsysAppops'), ...Array<string>(3).fill('DumpsysBatteryDaily'), ...Array<string>(6).fill('DumpsysPackages')].join(','));
    const mvt = rows.filter((r) => !plugin(r).startsWith('Dumpsys'));
    expect(mvt).toHaveLength(10);
    expect(mvt.slice(0, 4).every((r) => r.startsWith('"","RootBinaries",'))).toBe(true);
    expect(mvt[4]).toBe('"2019-02-14 14:47:52.000000","AQFFiles","--C-","/sdcard/.profig.os (u:object_r:sdcardfs:s0)"');
  });

  it('writes the alert files MVT writes: its ten alerts plus the six of dumpsys.txt, per-module detections, an alerts timeline with its header only', () => {
    const alerts = JSON.parse(readFileSync(join(out, 'alerts.json'), 'utf8')) as unknown[];
    expect(alerts).toHaveLength(16);
    expect(readFileSync(join(out, 'alerts_timeline.csv'), 'utf8').trimEnd()).toBe('"Event Time","Module","Message","Event"');
    expect(readdirSync(out).filter((f) => f.endsWith('_detected.json')).sort()).toEqual([
      'aqf_packages_detected.json',
      'aqf_settings_detected.json',
      'dumpsys_accessibility_detected.json',
      'dumpsys_adb_state_detected.json',
      'dumpsys_appops_detected.json',
      'root_binaries_detected.json',
    ]);
  });
});

describe('MVT-format settings', () => {
  it('are grouped by namespace, each a dict of key to value, as MVT writes aqf_settings.json', () => {
    const settings = JSON.parse(readFileSync(join(out, 'aqf_settings.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(settings)).toEqual(['random']);
    expect(Object.keys(settings.random!)).toHaveLength(9);
    expect(settings.random!.samsung_errorlog_agree).toBe('0');
  });
});
