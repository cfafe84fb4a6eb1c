/**
 * Bad dumpsys.txt files: each dumpsys artifact says in one line what it did not find, the others go on, and
 * nothing throws.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { shared } from '../../helpers/data.js';
import { writeAqf } from './_aqf.js';

const dumpsysIds = ['android.dumpsys_accessibility', 'android.dumpsys_activities', 'android.dumpsys_appops', 'android.dumpsys_battery_daily', 'android.dumpsys_battery_history', 'android.dumpsys_dbinfo', 'android.dumpsys_packages', 'android.dumpsys_platform_compat', 'android.dumpsys_receivers', 'android.dumpsys_adb_state'];

async function checkFile(data: Buffer) {
  const tree = writeAqf({ 'dumpsys.txt': data });
  try {
    return await check({ target: tree.root, iocs: [], userIocDir: null, only: dumpsysIds });
  } finally {
    tree.remove();
  }
}

describe('bad dumpsys.txt', () => {
  it('random bytes: every dumpsys artifact empty, naming the section it looked for; no finding', async () => {
    const result = await checkFile(randomBytes(200_000));
    expect(result.findings).toEqual([]);
    expect(result.coverage.map((c) => [c.state, c.reason])).toEqual(
      ['accessibility', 'package', 'appops', 'batterystats', 'batterystats', 'dbinfo', 'package', 'platform_compat', 'package', 'adb'].map((s) => ['empty', `dumpsys.txt: no "DUMP OF SERVICE ${s}:" section`]),
    );
  });

  it('androidqf\'s dumpsys.txt cut in the appops section: accessibility and packages read, appops partly, the sections after it absent', async () => {
    const whole = readFileSync(shared('mvt-test-artifacts', 'androidqf', 'dumpsys.txt'));
    const result = await checkFile(whole.subarray(0, whole.indexOf('Uid u0a104:')));
    const state = Object.fromEntries(result.coverage.map((c) => [c.artifact, [c.state, c.records]]));
    expect(state).toEqual({
      'android.dumpsys_accessibility': ['parsed', 4],
      'android.dumpsys_activities': ['empty', 0],
      'android.dumpsys_appops': ['parsed', 8],
      'android.dumpsys_battery_daily': ['empty', 0],
      'android.dumpsys_battery_history': ['empty', 0],
      'android.dumpsys_dbinfo': ['empty', 0],
      'android.dumpsys_packages': ['parsed', 2],
      'android.dumpsys_platform_compat': ['empty', 0],
      'android.dumpsys_receivers': ['parsed', 8],
      'android.dumpsys_adb_state': ['empty', 0],
    });
  });

  it('an empty file: nothing, and no crash', async () => {
    const result = await checkFile(Buffer.alloc(0));
    expect(result.findings).toEqual([]);
    expect(result.coverage.every((c) => c.state === 'empty')).toBe(true);
  });
});
