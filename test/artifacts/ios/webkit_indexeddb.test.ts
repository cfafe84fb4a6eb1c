import { describe, expect, it } from 'vitest';
import { decodeOriginFile, maxOriginFileBytes, siteOfEntryName, type WebkitFolderRecord } from '../../../src/artifacts/ios/_webkit_folders.js';
import webkitIndexeddb from '../../../src/artifacts/ios/webkit_indexeddb.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { APP, buildWebkitDump, H1, originBlock, originFile } from '../../fixtures/webkit-folders.js';

describe('WebKit site entries (both layouts)', () => {
  it('reads a site from an entry name as MVT does, without counting a database\'s sidecars again', () => {
    expect(siteOfEntryName('https_www.nhl.com_0')).toBe('https://www.nhl.com');
    expect(siteOfEntryName('https_googleads.g.doubleclick.net_0.localstorage')).toBe('https://googleads.g.doubleclick.net');
    expect(siteOfEntryName('http_localhost_8080.localstorage')).toBe('http://localhost');
    expect(siteOfEntryName('https_www.nhl.com_0.localstorage-wal')).toBeNull();
    expect(siteOfEntryName('file__0.localstorage')).toBeNull();
    expect(siteOfEntryName('https_')).toBeNull();
  });

  it('decodes an origin file: top-level and frame origins, ports only when not the default', () => {
    expect(decodeOriginFile(originFile(originBlock('https', 'news.example.com'), originBlock('https', 'ads.example.net', 8443)))).toEqual({ top: 'https://news.example.com', frame: 'https://ads.example.net:8443' });
    expect(decodeOriginFile(Buffer.from('garbage'))).toEqual({ problem: 'no top-level origin' });
    expect(decodeOriginFile(originBlock('https', 'only.example'))).toEqual({ problem: 'no frame origin after the top-level one' });
    expect(decodeOriginFile(Buffer.alloc(maxOriginFileBytes + 1))).toEqual({ problem: `larger than ${maxOriginFileBytes} bytes` });
    // A 16-bit string: the length counts characters, each two bytes.
    const wide = Buffer.concat([Buffer.from(Uint32Array.of(5).buffer), Buffer.from([0]), Buffer.from('https', 'utf16le')]);
    const host = originBlock('x', 'b\u00fccher.example').subarray(6);
    expect(decodeOriginFile(originFile(Buffer.concat([wide, host]), originBlock('https', 'a.example')))).toEqual({ top: 'https://b\u00fccher.example', frame: 'https://a.example' });
  });
});

describe('ios.webkit_indexeddb on a filesystem dump', () => {
  it('lists every site that stored IndexedDB data, in both layouts, dated by its own folder', async () => {
    const { records, coverage, timeline } = await parseDump<WebkitFolderRecord>(webkitIndexeddb, buildWebkitDump());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    const rows = records.map((r) => [r.url, r.entry, r.folder.replace(APP, '<app>'), r.top_url]);
    expect(rows.sort()).toEqual([
      ['https://exploit.example.com', 'IndexedDB', `<app>/WebsiteData/Default/${H1}/${H1}`, undefined],
      ['https://mail.example.com', 'https_mail.example.com_0', 'private/var/mobile/Library/WebKit/com.apple.email.maild/WebsiteData/IndexedDB', undefined],
      ['https://www.nhl.com', 'https_www.nhl.com_0', '<app>/WebsiteData/IndexedDB/v1', undefined],
    ]);
    const nhl = records.find((r) => r.url === 'https://www.nhl.com')!;
    expect(nhl.isodate?.mvt()).toBe('2021-12-20 11:33:20.000000');
    expect(records.find((r) => r.entry === 'IndexedDB')!.isodate?.mvt()).toBe('2023-11-14 22:13:20.000000');
    const event = timeline.find((e) => pythonDescription(e.description).includes('nhl'))!;
    expect([event.event, pythonDescription(event.description)]).toEqual(['webkit_indexeddb', `IndexedDB folder ${APP}/WebsiteData/IndexedDB/v1 containing file for URL https://www.nhl.com`]);
  });

  it('names an unreadable origin file and goes on', async () => {
    const root = buildDump({
      [`${APP}/WebsiteData/Default/${H1}/${H1}/origin`]: 'garbage',
      [`${APP}/WebsiteData/Default/${H1}/${H1}/IndexedDB/x`]: '',
      [`${APP}/WebsiteData/IndexedDB/https_ok.example_0/x`]: '',
    });
    const { records, coverage } = await parseDump<WebkitFolderRecord>(webkitIndexeddb, root);
    expect(records.map((r) => r.url)).toEqual(['https://ok.example']);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues.map((i) => i.message)).toEqual([`${APP}/WebsiteData/Default/${H1}/${H1}/origin: no top-level origin (expected WebKit's origin encoding)`]);
  });

});


describe('ios.webkit_indexeddb on hostile input', () => {
  it('refuses an origin file too large to be one without reading it', async () => {
    const root = buildDump({
      [`${APP}/WebsiteData/Default/${H1}/${H1}/origin`]: Buffer.concat([originFile(originBlock('https', 'a.example'), originBlock('https', 'a.example')), Buffer.alloc(64 * 1024)]),
      [`${APP}/WebsiteData/Default/${H1}/${H1}/IndexedDB/x`]: '',
    });
    const { records, coverage } = await parseDump<WebkitFolderRecord>(webkitIndexeddb, root);
    expect(records).toEqual([]);
    expect(coverage.issues.map((i) => i.message)).toEqual([`${APP}/WebsiteData/Default/${H1}/${H1}/origin: larger than 4096 bytes (expected WebKit's origin encoding)`]);
  });
});
