import { describe, expect, it } from 'vitest';
import filesystem, { decodeListingEntry, filesystemObservables, filesystemTimeline, type FilesystemRecord } from '../../../src/artifacts/ios/filesystem.js';
import { indicatorFindings } from '../../../src/detection/indicator-findings.js';
import { InputLog } from '../../../src/evidence/input-log.js';
import { openIosFilesystem } from '../../../src/evidence/ios-fs.js';
import { compileIndicators } from '../../../src/indicators/match.js';
import { collectionsOf } from '../../indicators/bundle.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { parseSource } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const when = new Date('2023-05-20T12:00:00Z');

describe('decoding a listing entry', () => {
  it('gives the absolute device path, the modification time and the type', () => {
    const r = decodeListingEntry({ type: 'file', path: 'private/var/mobile/Library/SMS/sms.db', size: 10, mtimeMs: when.getTime() });
    expect(r).toMatchObject({ path: '/private/var/mobile/Library/SMS/sms.db', type: 'file' });
    expect(r.modified?.unixSeconds).toBe(when.getTime() / 1000);
    expect(decodeListingEntry({ type: 'directory', path: 'private/var/tmp' }).modified).toBeNull();
  });

  it('one entry_modified event per entry, named by its path (MVT)', () => {
    const r = decodeListingEntry({ type: 'file', path: 'private/var/tmp/x', size: 0, mtimeMs: when.getTime() });
    expect(filesystemTimeline(r)).toEqual([{ time: r.modified, event: 'entry_modified', description: '/private/var/tmp/x' }]);
  });

  it('a file or link is a file_path observable, the thing itself; a folder ends in /', () => {
    const of = (type: FilesystemRecord['type'], path: string) => filesystemObservables({ path, type, modified: null });
    expect(of('file', '/private/var/tmp/bh')).toEqual([{ kind: 'file_path', value: '/private/var/tmp/bh', field: 'path' }]);
    expect(of('symlink', '/var')).toEqual([{ kind: 'file_path', value: '/var', field: 'path' }]);
    expect(of('directory', '/private/var/tmp/l')).toEqual([{ kind: 'file_path', value: '/private/var/tmp/l/', field: 'path' }]);
  });
});

describe('the Filesystem artifact on a generated dump', () => {
  it('lists every folder, file and link once, links not followed', async () => {
    const root = buildDump({
      'private/var/mobile/Library/SMS/sms.db': 'x',
      'private/var/tmp/empty': { dir: true },
      'private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd': 'binary',
      var: { symlink: 'private/var' },
    });
    const { records, coverage } = await parseDump<FilesystemRecord>(filesystem, root);
    expect(coverage.issues).toEqual([]);
    expect(coverage.state).toBe('parsed');
    expect(coverage.files).toEqual(['private/var']);
    expect(records.map((r) => `${r.type} ${r.path}`).sort()).toEqual([
      'directory /private',
      'directory /private/var',
      'directory /private/var/db',
      'directory /private/var/db/com.apple.xpc.roleaccountd.staging',
      'directory /private/var/mobile',
      'directory /private/var/mobile/Library',
      'directory /private/var/mobile/Library/SMS',
      'directory /private/var/tmp',
      'directory /private/var/tmp/empty',
      'file /private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd',
      'file /private/var/mobile/Library/SMS/sms.db',
      'symlink /var',
    ]);
    expect(records.every((r) => r.modified !== null)).toBe(true);
  });

  it('a planted binary raises the file path (CRITICAL) and process (HIGH) findings', async () => {
    const root = buildDump({ 'private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd': 'binary', 'private/var/mobile/Library/x': '' });
    const { items } = await parseDump<FilesystemRecord>(filesystem, root);
    const matcher = compileIndicators(
      collectionsOf({
        malware: ['Pegasus'],
        indicators: [
          { pattern: "[file:path = '/private/var/db/com.apple.xpc.roleaccountd.staging/']", malware: 'Pegasus' },
          { pattern: "[process:name = 'roleaccountd']", malware: 'Pegasus' },
        ],
      }),
    );
    const found = items.flatMap((i) => indicatorFindings({ artifact: filesystem.id, record: i.record, observables: filesystemObservables(i.record), evidence: { ref: i.source.file.ref, at: i.source.at } }, matcher));
    expect(found.map((f) => [f.level, f.match.kind, f.match.observed])).toEqual([
      ['critical', 'file-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/'],
      ['critical', 'file-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd'],
      ['high', 'process-in-path', '/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd'],
    ]);
    expect(found[2]!.evidence.ref.storedPath).toBe('private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd');
  });
});

describe('MVT\'s test_filesystem (reference-spec §13.4): the MVT test backup folder read as a tree', () => {
  it('23 records (10 folders, 13 files), 23 timeline rows; the process indicator 64d0019c… gives one HIGH finding', async () => {
    const { records, timeline, items } = await parseSource<FilesystemRecord>(filesystem, openIosFilesystem(mvtIosBackup(), new InputLog()));
    expect(records).toHaveLength(23);
    expect(records.filter((r) => r.type === 'directory')).toHaveLength(10);
    expect(records.filter((r) => r.type === 'file')).toHaveLength(13);
    expect(timeline).toHaveLength(23);
    const matcher = compileIndicators(collectionsOf({ malware: ['TestMalware'], indicators: [{ pattern: "[process:name = '64d0019cb3d46bfc8cce545a8ba54b93e7ea9347']", malware: 'TestMalware' }] }));
    const found = items.flatMap((i) => indicatorFindings({ artifact: filesystem.id, record: i.record, observables: filesystemObservables(i.record), evidence: { ref: i.source.file.ref, at: i.source.at } }, matcher));
    expect(found.map((f) => [f.level, f.match.kind, f.match.observed])).toEqual([['high', 'process-in-path', '/64/64d0019cb3d46bfc8cce545a8ba54b93e7ea9347']]);
    expect(found[0]!.message).toBe(
      'Found known suspicious process name mentioned in file at path "/64/64d0019cb3d46bfc8cce545a8ba54b93e7ea9347" matching indicators from "TestMalware"',
    );
  });
});

describe('a long listing', () => {
  /** A context whose listing is 300,000 entries already in memory (an archive's member index: no I/O to wait on). */
  function contextOf(signal: AbortSignal, onEntry: (i: number) => void = () => {}) {
    const dump = { ref: { root: '/dump.tar', storedPath: 'private/var' }, devicePath: '/private/var' };
    return {
      signal,
      findInputs: async () => [dump],
      warn: () => {},
      source: {
        async *listing() {
          for (let i = 0; i < 300_000; i++) {
            onEntry(i);
            yield { type: 'file' as const, path: `private/var/tmp/f${i}`, size: 0, storedPath: `filesystem2/tmp/f${i}` };
          }
        },
      },
    } as unknown as Parameters<typeof filesystem.parse>[0];
  }

  it('gives the event loop turns while it lists (timers and signals run), and keeps each stored path', async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    let last: FilesystemRecord | undefined;
    let lastStored = '';
    for await (const item of filesystem.parse(contextOf(new AbortController().signal))) {
      last = item.record;
      lastStored = item.source.file.ref.storedPath;
    }
    clearInterval(timer);
    expect(last?.path).toBe('/private/var/tmp/f299999');
    expect(lastStored).toBe('filesystem2/tmp/f299999');
    expect(turns).toBeGreaterThan(0);
  });

  it('stops at the next turn once the run is aborted', async () => {
    const controller = new AbortController();
    let read = 0;
    let records = 0;
    const stopAt = 1000;
    const onEntry = (i: number) => {
      read = i;
      if (i === stopAt) controller.abort();
    };
    for await (const _ of filesystem.parse(contextOf(controller.signal, onEntry))) records++;
    expect(records).toBe(stopAt);
    expect(read).toBe(stopAt);
  });
});
