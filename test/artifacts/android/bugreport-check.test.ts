/**
 * A whole check of MVT's bugreport test folder with MVT's test indicators (reference-spec §14.3), as
 * `tracehound check …/android_data/bugreport --iocs …/stix2/test.stix2` runs it, and of the old-format
 * (Android 2.3) bugreport.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/index.js';
import { assessCompleteness } from '../../../src/report/completeness.js';
import { mvtTestStix } from '../../helpers/data.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { mvtBugreport, oldBugreport } from './_bugreport.js';

const OURS = ['android.dumpsys_getprop', 'android.bugreport_timestamps', 'android.tombstones'];

describe('check on MVT\'s bugreport folder', () => {
  it('gives MVT\'s figures (reference-spec §14.3): its 3 MEDIUMs in its order, its record counts, 26 timeline rows', async () => {
    const result = await check({ target: mvtBugreport(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.findings.map((f) => [f.level, f.artifact, f.message])).toEqual([
      ['medium', 'android.dumpsys_appops', "Package 'org.mozilla.firefox' had risky permission 'REQUEST_INSTALL_PACKAGES' set to 'Unknown' at "],
      ['medium', 'android.tombstones', "Potentially suspicious crash in process 'UsbFfs-worker' running as UID '2000' in tombstone 'tombstone_00' at 2021-09-29 17:43:49.000000"],
      ['medium', 'android.tombstones', "Potentially suspicious crash in process 'tzts_daemon' running as UID '1000' in tombstone 'tombstone_01' at 2023-08-21 23:28:59.000000"],
    ]);
    const read = result.coverage.filter((c) => c.records > 0).map((c) => [c.artifact, c.records]);
    expect(read).toEqual([
      ['android.dumpsys_appops', 12],
      ['android.dumpsys_packages', 2],
      ['android.dumpsys_platform_compat', 2],
      ['android.bugreport_timestamps', 2],
      ['android.tombstones', 2],
    ]);
    // DumpsysAppops 16, DumpsysPackages 6, Tombstones 2, BugReportTimestamps 2, as MVT's timeline.csv.
    expect(result.timelineEvents).toBe(26);
    // MVT logs "Could not load ADB data from dumpsys"; here the absent sections are named in the coverage.
    expect(result.coverage.find((c) => c.artifact === 'android.dumpsys_adb_state')).toMatchObject({ state: 'empty', reason: 'dumpstate.txt: no "DUMP OF SERVICE adb:" section' });
  });

  it('with MVT\'s test indicators: the 2 tombstone MEDIUMs (UIDs 2000 and 1000), 2 file times, 2 tombstones', async () => {
    const result = await check({ target: mvtBugreport(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition.kind).toBe('android-bugreport');
    const ours = result.findings.filter((f) => OURS.includes(f.artifact));
    expect(ours.map((f) => [f.level, f.artifact, f.message, f.eventTime?.iso()])).toEqual([
      ['medium', 'android.tombstones', "Potentially suspicious crash in process 'UsbFfs-worker' running as UID '2000' in tombstone 'tombstone_00' at 2021-09-29 17:43:49.000000", '2021-09-29T15:43:49.000000Z'],
      ['medium', 'android.tombstones', "Potentially suspicious crash in process 'tzts_daemon' running as UID '1000' in tombstone 'tombstone_01' at 2023-08-21 23:28:59.000000", '2023-08-22T03:28:59.000000Z'],
    ]);
    const counts = Object.fromEntries(result.coverage.filter((c) => OURS.includes(c.artifact)).map((c) => [c.artifact, [c.state, c.records]]));
    expect(counts).toEqual({ 'android.dumpsys_getprop': ['empty', 0], 'android.bugreport_timestamps': ['parsed', 2], 'android.tombstones': ['parsed', 2] });
    expect(result.containerNotes).toEqual([]);
    // A dumpstate without SYSTEM PROPERTIES is a coverage note, not a missing file: the check is complete.
    expect(assessCompleteness(result.coverage, result.containerNotes).complete).toBe(true);
  });

  it('the same bugreport zipped gives the same findings and counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracehound-brcheck-'));
    try {
      const zip = await packAcquisition(mvtBugreport(), 'zip', join(dir, 'bugreport.zip'), 'bugreport-a10-2022-03-29');
      const result = await check({ target: zip, iocs: [mvtTestStix()], userIocDir: null, only: OURS });
      expect(result.findings.map((f) => [f.level, f.artifact])).toEqual([
        ['medium', 'android.tombstones'],
        ['medium', 'android.tombstones'],
      ]);
      expect(result.coverage.map((c) => [c.artifact, c.records])).toEqual([
        ['android.dumpsys_getprop', 0],
        ['android.bugreport_timestamps', 2],
        ['android.tombstones', 2],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('check on the old-format bugreport (Android 2.3, one text file)', () => {
  it('runs without a crash; the coverage says what was read (137 properties) and what a lone dumpstate cannot have', async () => {
    const result = await check({ target: oldBugreport(), iocs: [mvtTestStix()], userIocDir: null });
    expect(result.acquisition).toMatchObject({ kind: 'android-bugreport', device: { productType: 'Nexus One', productVersion: '2.3.5' } });
    expect(result.findings.filter((f) => OURS.includes(f.artifact))).toEqual([]);
    const ours = result.coverage.filter((c) => OURS.includes(c.artifact));
    expect(ours.map((c) => [c.artifact, c.state, c.records])).toEqual([
      ['android.dumpsys_getprop', 'parsed', 137],
      ['android.bugreport_timestamps', 'missing', 0],
      ['android.tombstones', 'missing', 0],
    ]);
    // Its service dumps are read too: the package list, the activity and receiver resolver tables.
    const dumpsys = Object.fromEntries(result.coverage.filter((c) => c.records > 0 && !OURS.includes(c.artifact)).map((c) => [c.artifact, c.records]));
    expect(dumpsys).toEqual({ 'android.dumpsys_activities': 353, 'android.dumpsys_packages': 72, 'android.dumpsys_receivers': 164 });
    expect(result.containerNotes).toEqual([]);
    // What was read is a check: complete, with the missing parts in the coverage (the getprop and the ten
    // dumpsys artifacts found the file; sections it lacks are named, not counted as missing files).
    expect(assessCompleteness(result.coverage, result.containerNotes)).toMatchObject({ complete: true, foundArtifacts: 11 });
  });
});
