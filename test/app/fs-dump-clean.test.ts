/**
 * Issue #9's acceptance: a filesystem check of a clean iPhone (iOS 15.3.1, 474,145 paths, the iLEAPP
 * listing of Josh Hickman's public test image, `filesystem1/` = `/`, `filesystem2/` = `/private/var/`), as a
 * tar of empty files built here with each file's time, against every public feed, raises no CRITICAL or HIGH
 * finding; and the same layout with spyware planted at Pegasus's paths raises what it should.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import type { Level } from '../../src/findings/finding.js';
import { PARTITION_MOUNTS } from '../../src/evidence/fs-layout.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { readListingZip, writeEmptyFilesTar, type ListedPath } from '../fixtures/listing-tar.js';
import { shared } from '../helpers/data.js';

const LISTING = shared('samples', 'ileapp', 'admin', 'data', 'filepath-lists', 'josh-hickman-ios15.csv.zip');
const FEEDS = shared('iocs');

/** The device paths a partition-per-folder listing holds, with every parent folder (the tar layer lists them too). */
function devicePathsOf(listing: readonly ListedPath[]): Set<string> {
  const out = new Set<string>();
  for (const { path } of listing) {
    const mount = PARTITION_MOUNTS.find((m) => path.startsWith(`${m.stored}/`));
    if (!mount) continue;
    let device = [mount.device, path.slice(mount.stored.length + 1)].filter(Boolean).join('/');
    for (; device !== '' && !out.has(device); device = device.includes('/') ? device.slice(0, device.lastIndexOf('/')) : '') out.add(device);
  }
  return out;
}

const byLevel = (r: CheckResult) => {
  const counts: Partial<Record<Level, number>> = {};
  for (const f of r.findings) counts[f.level] = (counts[f.level] ?? 0) + 1;
  return counts;
};

describe('a clean iPhone\'s filesystem (iOS 15.3.1, 474,145 paths) as a tar of empty files, against every public feed', () => {
  let listing: ListedPath[];
  let result: CheckResult;
  let seconds: number;

  beforeAll(async () => {
    listing = await readListingZip(LISTING, 'josh-hickman-ios15.csv');
    const tar = join(realpathSync(tempDir('clean-listing')), 'josh-hickman-ios15.tar');
    writeEmptyFilesTar(listing, tar);
    const started = performance.now();
    result = await check({ target: tar, iocs: [FEEDS], userIocDir: null });
    seconds = (performance.now() - started) / 1000;
    console.info(`clean listing: check in ${seconds.toFixed(1)} s, findings by level ${JSON.stringify(byLevel(result))}`);
  }, 600_000);

  afterAll(() => {
    listing = [];
  });

  it('is read as one iOS filesystem dump, with nothing refused', () => {
    expect(listing).toHaveLength(474_145);
    expect(result.acquisition.kind).toBe('ios-fs');
    expect(result.containerNotes).toEqual([]);
    expect(result.indicators.collections.length).toBeGreaterThan(10);
  });

  it('raises no CRITICAL or HIGH finding', () => {
    const serious = result.findings.filter((f) => f.level === 'critical' || f.level === 'high');
    expect(serious.map((f) => `${f.level} ${f.artifact}: ${f.message}`)).toEqual([]);
  });

  it('TikTok\'s and an app\'s data folders named bh (a Pegasus process) raise nothing at all', () => {
    expect(result.findings.filter((f) => f.match?.observed.includes('/bh/'))).toEqual([]);
  });

  it('lists every entry once: the listing\'s device paths and their parent folders', () => {
    const expected = devicePathsOf(listing);
    // 474,136 paths in the two partitions (9 are the extraction tool's own files), the system volume's
    // /private/var shadowed by the data volume where both hold a path, plus the folders above them.
    expect(expected.size).toBeGreaterThan(474_000);
    const fs = result.coverage.find((c) => c.artifact === 'ios.filesystem');
    expect(fs).toMatchObject({ state: 'parsed', records: expected.size });
  });
});

describe('the same layout with spyware planted where Pegasus put it', () => {
  let result: CheckResult;

  beforeAll(async () => {
    const planted: ListedPath[] = [
      { path: 'filesystem1/usr/libexec/BackupAgent', modified: 1_643_943_031 },
      { path: 'filesystem2/mobile/Library/Preferences/com.apple.springboard.plist', modified: 1_684_000_000 },
      { path: 'filesystem2/mobile/Containers/Data/Application/68643171-6EDB-4901-B1CB-F7ADC02CDFB9/Library/payload', modified: 1_684_000_000 },
      { path: 'filesystem2/db/com.apple.xpc.roleaccountd.staging/subridged', modified: 1_684_100_000 },
      { path: 'filesystem2/db/com.apple.xpc.roleaccountd.staging/roleaccountd', modified: 1_684_100_000 },
      { path: 'filesystem2/db/com.apple.xpc.roleaccountd.staging/bh', modified: 1_684_100_000 },
    ];
    const tar = join(realpathSync(tempDir('planted-listing')), 'planted.tar');
    writeEmptyFilesTar(planted, tar);
    result = await check({ target: tar, iocs: [FEEDS], userIocDir: null });
  }, 120_000);

  it('a listed Pegasus path is CRITICAL, a Pegasus process name HIGH, a short one MEDIUM; Apple\'s BackupAgent and an app\'s payload raise nothing', () => {
    const fromListing = result.findings.filter((f) => f.artifact === 'ios.filesystem');
    expect(fromListing.map((f) => [f.level, f.match?.kind, f.match?.observed, f.indicator?.value])).toEqual([
      ['critical', 'file-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/subridged', '/private/var/db/com.apple.xpc.roleaccountd.staging/subridged'],
      ['high', 'process-in-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd', 'roleaccountd'],
      ['medium', 'process-in-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/bh', 'bh'],
    ]);
    // Refs keep the path as stored in the archive.
    expect(fromListing[0]!.evidence.ref.storedPath).toBe('filesystem2/db/com.apple.xpc.roleaccountd.staging/subridged');
    expect(fromListing[0]!.evidence.ref.container?.container).toBe('tar');
  });
});
