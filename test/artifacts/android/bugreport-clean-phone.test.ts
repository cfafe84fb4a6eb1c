/**
 * The must-not-match side for bugreports: the generator's clean bugreport zip (a stock phone on a recent patch,
 * Play Store apps, two app crashes) raises nothing against every public feed, with every artifact of this
 * slice read and no issue; the same bugreport with plants raises exactly what was planted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { writeBugreport } from '../../../src/synth/android-bugreport.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import { shared } from '../../helpers/data.js';

const OURS = ['android.dumpsys_getprop', 'android.bugreport_timestamps', 'android.tombstones'];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracehound-synth-bugreport-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a generated bugreport zip', () => {
  it('clean: nothing against every feed in shared/data/iocs, every artifact of the slice read with no issue', async () => {
    const written = await writeBugreport(join(dir, 'clean.zip'), { dumpstateBytes: 1_000_000 });
    expect(written).toMatchObject({ tombstones: 2, planted: { privilegedCrashes: 0 } });
    expect(written.dumpstateBytes).toBeGreaterThanOrEqual(1_000_000);
    const result = await check({ target: written.path, iocs: [shared('iocs')], userIocDir: null });
    expect(result.acquisition).toMatchObject({ kind: 'android-bugreport', device: { productType: 'SM-A546B', productVersion: '14', timeZone: 'Europe/Berlin' } });
    const ours = result.coverage.filter((c) => OURS.includes(c.artifact));
    expect(ours.map((c) => [c.artifact, c.state, c.records, c.issues])).toEqual([
      ['android.dumpsys_getprop', 'parsed', 19, []],
      ['android.bugreport_timestamps', 'parsed', 2, []],
      ['android.tombstones', 'parsed', 2, []],
    ]);
    expect(result.findings).toEqual([]);
    expect(result.containerNotes).toEqual([]);
  }, 120_000);

  it('with plants: the root crash is one MEDIUM and the crashed process one CRITICAL with its indicator', async () => {
    const iocs = tempTree({ 'planted.stix2': stixBundle({ malware: ['Planted'], indicators: [{ pattern: "[process:name = 'com.planted.agent']", malware: 'Planted' }] }) });
    try {
      const written = await writeBugreport(join(dir, 'planted.zip'), { plants: { rootCrash: true, crashedProcess: 'com.planted.agent' } });
      const result = await check({ target: written.path, iocs: [iocs.path('planted.stix2')], userIocDir: null, only: OURS });
      expect(result.findings.map((f) => [f.level, f.artifact, f.match?.observed ?? null])).toEqual([
        ['medium', 'android.tombstones', null],
        ['critical', 'android.tombstones', 'com.planted.agent'],
      ]);
      expect(result.findings[0]!.message).toMatch(/^Potentially suspicious crash in process 'vold' running as UID '0' in tombstone 'tombstone_02' at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.123456$/);
    } finally {
      iocs.remove();
    }
  });
});
