import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import bugreportTimestamps, { type BugreportFileRecord } from '../../../src/artifacts/android/bugreport_timestamps.js';
import { packAcquisition } from '../../fixtures/archives.js';
import { mvtBugreport, oldBugreport, parseBugreport, writeBugreport } from './_bugreport.js';

describe('times of the FS/ files of a bugreport', () => {
  it('MVT\'s bugreport folder: its 2 files, each with its modification time as an exact instant, one M--- event each', async () => {
    const { records, items, coverage, timeline } = await parseBugreport<BugreportFileRecord>(bugreportTimestamps, mvtBugreport());
    expect(coverage).toMatchObject({ state: 'parsed', records: 2, issues: [] });
    expect(records.map((r) => [r.path, r.modified_time_basis])).toEqual([
      ['FS/data/tombstones/tombstone_00', 'utc'],
      ['FS/data/tombstones/tombstone_01', 'utc'],
    ]);
    const mtime = statSync(join(mvtBugreport(), 'FS/data/tombstones/tombstone_00')).mtimeMs;
    expect(Math.abs(records[0]!.modified_time!.date.getTime() - mtime)).toBeLessThan(1);
    expect(items[1]!.source.file.ref.storedPath).toBe('FS/data/tombstones/tombstone_01');
    expect(timeline.map((e) => [e.event, e.description])).toEqual([
      ['M---', { parts: ['', ''], values: ['FS/data/tombstones/tombstone_00'] }],
      ['M---', { parts: ['', ''], values: ['FS/data/tombstones/tombstone_01'] }],
    ]);
  });

  it('from a zip, times are labelled as zip member times (UTC only when the zip tool wrote one); deeper folders are listed, other folders are not', async () => {
    const tree = writeBugreport({ 'FS/data/anr/anr_2024-05-01-10-00-00-123': 'anr\n', 'FS/data/tombstones/tombstone_00': 'x\n', 'proto/other.pb': 'x' });
    const dir = mkdtempSync(join(tmpdir(), 'tracehound-brts-'));
    try {
      const zip = await packAcquisition(tree.root, 'zip', join(dir, 'bugreport.zip'));
      const { records } = await parseBugreport<BugreportFileRecord>(bugreportTimestamps, zip);
      expect(records.map((r) => [r.path, r.modified_time_basis, r.modified_time !== null])).toEqual([
        ['FS/data/anr/anr_2024-05-01-10-00-00-123', 'zip', true],
        ['FS/data/tombstones/tombstone_00', 'zip', true],
      ]);
    } finally {
      tree.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lone old-format dumpstate has no FS/ tree: nothing, and the coverage says it is missing', async () => {
    const { records, coverage } = await parseBugreport<BugreportFileRecord>(bugreportTimestamps, oldBugreport());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});
