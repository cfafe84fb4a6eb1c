import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import logTimestamps, { type AqfLogFileRecord } from '../../../src/artifacts/android/aqf_log_timestamps.js';
import { plainDescription } from '../../../src/report/native.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { mvtAndroidqf, parseAqf, writeAqf } from './_aqf.js';

describe('android.aqf_log_timestamps', () => {
  it('gives each file of logs/ with its modification time, one M--- event each, in a folder and in a zip', async () => {
    const tree = writeAqf({ 'logs/logcat.txt': 'x', 'logs/dmesg.txt': 'y' });
    try {
      utimesSync(join(tree.root, 'logs', 'logcat.txt'), 1714550400, 1714550400);
      utimesSync(join(tree.root, 'logs', 'dmesg.txt'), 1714554000, 1714554000);
      const folder = await parseAqf<AqfLogFileRecord>(logTimestamps, tree.root);
      expect(folder.coverage.issues).toEqual([]);
      expect(folder.records.map((r) => [r.path, r.modified_time?.iso()])).toEqual([
        ['logs/dmesg.txt', '2024-05-01T09:00:00.000000Z'],
        ['logs/logcat.txt', '2024-05-01T08:00:00.000000Z'],
      ]);
      expect(folder.timeline.map((e) => [e.event, plainDescription(e.description)])).toEqual([
        ['M---', 'logs/dmesg.txt'],
        ['M---', 'logs/logcat.txt'],
      ]);
      const zip = await packAcquisition(tree.root, 'zip', join(tree.root, '..', 'aqf.zip'), 'androidqf');
      const packed = await parseAqf<AqfLogFileRecord>(logTimestamps, zip);
      // A zip keeps times to two seconds, as the packing computer's wall clock: here the test's UTC.
      expect(packed.records.map((r) => r.path)).toEqual(['logs/dmesg.txt', 'logs/logcat.txt']);
      expect(packed.records.every((r) => r.modified_time !== null)).toBe(true);
    } finally {
      tree.remove();
    }
  });

  it('MVT\'s folder has no logs/: missing, no record', async () => {
    const { records, coverage } = await parseAqf<AqfLogFileRecord>(logTimestamps, mvtAndroidqf());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});
