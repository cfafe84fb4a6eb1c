import { describe, expect, it } from 'vitest';
import type { ParseContext, Parsed } from '../../../src/artifacts/artifact.js';
import manifest, { decodeManifestRow, hostsInPath, type ManifestRecord } from '../../../src/artifacts/ios/manifest.js';
import { fileIdOf } from '../../../src/evidence/ios-backup.js';
import type { EvidenceFile, ManifestRow } from '../../../src/evidence/source.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

/** Records with Moments rendered as MVT writes them, for whole-record comparisons. */
function asMvt(r: ManifestRecord) {
  return { ...r, created: r.created?.mvt() ?? null, modified: r.modified?.mvt() ?? null, status_changed: r.status_changed?.mvt() ?? null };
}

describe('ios.manifest on the MVT test backup', () => {
  it('lists all 3721 Files rows (1089 files, 2618 directories, 14 symlinks) with their MBFile metadata', async () => {
    const { records, items, coverage } = await parseBackup<ManifestRecord>(manifest, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(coverage.files).toEqual(['Manifest.db']);
    expect(records).toHaveLength(3721);
    expect([1, 2, 4].map((f) => records.filter((r) => r.flags === f).length)).toEqual([1089, 2618, 14]);
    expect(records.filter((r) => r.domain === 'CameraRollDomain')).toHaveLength(290);
    // Each record names its Files row, in the table's order.
    expect(items[0]!.source.at).toEqual({ table: 'Files', rowid: 1 });
    const rowids = items.map((i) => (i.source.at as { rowid: number }).rowid);
    expect(new Set(rowids).size).toBe(3721);
    expect(rowids.every((id, i) => i === 0 || id > rowids[i - 1]!)).toBe(true);

    expect(asMvt(records[0]!)).toEqual({
      file_id: '865e565f7ee3b2842ce05bf30d5cbc3d68352edd',
      domain: 'AppDomainPlugin-com.apple.mobilemail.MailQuickLookExtension',
      relative_path: '',
      flags: 2,
      created: '2021-01-15 01:37:49.000000',
      modified: '2021-01-15 01:37:49.000000',
      status_changed: '2021-01-15 01:37:49.000000',
      mode: '0o40755',
      owner: 501,
      size: 0,
    });
    const brightness = records.find((r) => r.relative_path === 'Library/Preferences/com.apple.CoreBrightness.plist')!;
    expect(asMvt(brightness)).toEqual({
      file_id: '9b03783a1bc15dd05c434aa7ad213eb68561c745',
      domain: 'HomeDomain',
      relative_path: 'Library/Preferences/com.apple.CoreBrightness.plist',
      flags: 1,
      created: '2021-06-11 08:53:46.000000',
      modified: '2021-06-11 08:53:46.000000',
      status_changed: '2021-06-11 08:53:46.000000',
      mode: '0o100600',
      owner: 501,
      size: 42,
    });
    const link = records.find((r) => r.flags === 4)!;
    expect(link).toMatchObject({ domain: 'AppDomain-ch.icoaching.typewise', relative_path: 'Library/WebKit/WebsiteData/IndexedDB/v0', mode: '0o120755' });
  });

  it('gives MVT\'s 5881 MACB timeline rows, the earliest a 1980 birth time', async () => {
    const { timeline } = await parseBackup<ManifestRecord>(manifest, mvtIosBackup());
    expect(timeline).toHaveLength(5881);
    expect(new Set(timeline.map((e) => `${e.time!.mvt()}|${e.event}|${pythonDescription(e.description)}`)).size).toBe(5881);
    const counts: Record<string, number> = {};
    for (const e of timeline) counts[e.event] = (counts[e.event] ?? 0) + 1;
    expect(counts).toEqual({ 'M-CB': 1699, '---B': 1106, 'M-C-': 968, 'M--B': 903, '--C-': 1041, 'M---': 151, '--CB': 13 });
    const earliest = [...timeline].sort((a, b) => a.time!.unixSeconds - b.time!.unixSeconds)[0]!;
    expect([earliest.time!.mvt(), earliest.event, earliest.description]).toEqual([
      '1980-01-01 00:00:00.000000',
      '---B',
      'Library/Application Support/Google/Chrome/SafetyTips/2716/_metadata/verified_contents.json - AppDomain-com.google.chrome.ios',
    ]);
  });

  it('offers every path as a mention, so the file_name indicator com.apple.CoreBrightness.plist matches exactly one row', async () => {
    const { observables } = await parseBackup<ManifestRecord>(manifest, mvtIosBackup());
    const paths = observables.filter((o) => o.kind === 'file_path');
    expect(paths).toHaveLength(3721 - 562); // the 562 domain roots have an empty relative path
    expect(paths.every((o) => o.role === 'mention' && o.value.startsWith('/'))).toBe(true);
    expect(paths.filter((o) => o.value.split('/').pop() === 'com.apple.CoreBrightness.plist')).toEqual([
      { kind: 'file_path', value: '/Library/Preferences/com.apple.CoreBrightness.plist', field: 'relative_path', role: 'mention' },
    ]);
    const domains = observables.filter((o) => o.kind === 'domain');
    expect(domains.every((o) => o.role === 'mention')).toBe(true);
    expect(new Set(domains.map((o) => o.value))).toEqual(new Set(['0011.mov', 'items.data', 'www.google.fr']));
  });
});

describe('ios.manifest on a built backup', () => {
  it('reads entries whose content is absent too, and finds the site a WebKit folder is named after', async () => {
    const backup = buildBackup([
      { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage', data: Buffer.from('x'), mtime: 1_650_000_000 },
      { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' },
    ]);
    const { records, observables, timeline, coverage } = await parseBackup<ManifestRecord>(manifest, backup);
    expect(coverage.state).toBe('parsed');
    expect(records.map(asMvt)).toEqual([
      {
        file_id: fileIdOf('AppDomain-com.apple.mobilesafari', 'Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage'),
        domain: 'AppDomain-com.apple.mobilesafari',
        relative_path: 'Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage',
        flags: 1,
        created: '2022-04-15 05:20:00.000000',
        modified: '2022-04-15 05:20:00.000000',
        status_changed: '2022-04-15 05:20:00.000000',
        mode: '0o100644',
        owner: 501,
        size: 1,
      },
      {
        file_id: '3d0d7e5fb2ce288813306e4d4636395e047a3d28',
        domain: 'HomeDomain',
        relative_path: 'Library/SMS/sms.db',
        flags: 1,
        created: '2023-11-14 22:13:20.000000',
        modified: '2023-11-14 22:13:20.000000',
        status_changed: '2023-11-14 22:13:20.000000',
        mode: '0o100644',
        owner: 501,
        size: 0,
      },
    ]);
    expect(timeline.map((e) => [e.event, e.description])).toEqual([
      ['M-CB', 'Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage - AppDomain-com.apple.mobilesafari'],
      ['M-CB', 'Library/SMS/sms.db - HomeDomain'],
    ]);
    expect(observables.filter((o) => o.kind === 'domain')).toEqual([{ kind: 'domain', value: 'www.example.org', field: 'relative_path', role: 'mention' }]);
  });

  it('streams: the first record comes out before the source has produced more than one row', async () => {
    let produced = 0;
    function* rows(): IterableIterator<ManifestRow> {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield { rowid: i + 1, fileId: i.toString(16).padStart(40, '0'), domain: 'HomeDomain', relativePath: `Library/f${i}`, flags: 1, file: null };
      }
    }
    const file: EvidenceFile = { ref: { root: '/nowhere', storedPath: 'Manifest.db' } };
    const ctx = {
      source: { kind: 'ios-backup', manifestRows: rows },
      findInputs: () => Promise.resolve([file]),
      signal: new AbortController().signal,
    } as unknown as ParseContext;
    const taken: Parsed<ManifestRecord>[] = [];
    for await (const item of manifest.parse(ctx)) {
      taken.push(item);
      if (taken.length === 3) break;
    }
    expect(taken.map((t) => t.record.relative_path)).toEqual(['Library/f0', 'Library/f1', 'Library/f2']);
    expect(produced).toBe(3);
  });
});

describe('ios.manifest decoding', () => {
  it('keeps the row when its MBFile blob is missing or undecodable, with null metadata and no timeline', () => {
    for (const file of [null, Buffer.alloc(0), Buffer.from('bplist00 garbage that is not an archive')]) {
      const r = decodeManifestRow({ rowid: 1, fileId: 'ab'.repeat(20), domain: 'HomeDomain', relativePath: 'Library/x', flags: 1, file });
      expect(r).toEqual({ file_id: 'ab'.repeat(20), domain: 'HomeDomain', relative_path: 'Library/x', flags: 1, created: null, modified: null, status_changed: null, mode: null, owner: null, size: null });
      expect(manifest.timeline!(r)).toEqual([]);
    }
  });

  it.each([
    ['Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage', ['www.example.org']],
    ['Library/Cookies/Cookies.binarycookies', []],
    ['Library/Caches/foo_evil.co.uk/data', ['evil.co.uk']],
    ['Library/x_198.51.100.1_0', []],
    ['Library/x_my host.com', []],
    ['Library/Preferences/com.apple.CoreBrightness.plist', []],
  ])('finds host names in %s', (path, hosts) => {
    expect(hostsInPath(path)).toEqual(hosts);
  });
});
