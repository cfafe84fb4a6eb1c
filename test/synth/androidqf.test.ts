/**
 * The androidqf generator the Android benchmark runs on: what it writes is read whole, an ordinary phone stays
 * quiet against every public feed, and the planted package is found.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/index.js';
import { levelRank } from '../../src/findings/finding.js';
import { generateAndroidqf } from '../../src/synth/androidqf.js';
import { shared } from '../helpers/data.js';

const PLANT = 'com.oneplussync.bat';
let work: string;
let clean: CheckResult;
let planted: CheckResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'th-synth-aqf-'));
  const size = { packages: 120, files: 3_000, dumpsysBytes: 400_000 };
  await generateAndroidqf(join(work, 'clean'), { seed: 7, ...size });
  await generateAndroidqf(join(work, 'planted'), { seed: 7, ...size, plant: PLANT });
  const iocs = [shared('iocs')];
  clean = await check({ target: join(work, 'clean'), iocs, userIocDir: null });
  planted = await check({ target: join(work, 'planted'), iocs, userIocDir: null });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('generated androidqf acquisition', () => {
  it('is read whole: every package and listed file a record, no artifact with an issue', () => {
    const records = Object.fromEntries(clean.coverage.map((c) => [c.artifact, c.records]));
    expect(records['android.aqf_packages']).toBe(120);
    expect(records['android.aqf_files']).toBe(3_000);
    expect(clean.coverage.flatMap((c) => c.issues)).toEqual([]);
  });

  it('grows dumpsys.txt to about the size asked for', () => {
    expect(statSync(join(work, 'clean', 'dumpsys.txt')).size).toBeGreaterThanOrEqual(400_000);
    expect(statSync(join(work, 'clean', 'dumpsys.txt')).size).toBeLessThan(400_000 + (2 << 20));
  });

  it('an ordinary phone raises nothing at MEDIUM or above against every public feed', () => {
    expect(clean.findings.filter((f) => levelRank(f.level) >= levelRank('medium')).map((f) => f.message)).toEqual([]);
  });

  it('the planted side-loaded package is CRITICAL by its app id, wherever the acquisition names it', () => {
    const critical = planted.findings.filter((f) => f.level === 'critical');
    expect(critical.length).toBeGreaterThanOrEqual(1);
    expect(critical.every((f) => f.match?.observed === PLANT)).toBe(true);
    expect(critical.map((f) => f.artifact)).toContain('android.aqf_packages');
  });
});
