import { describe, expect, it } from 'vitest';
import type { WebkitFolderRecord } from '../../../src/artifacts/ios/_webkit_folders.js';
import webkitLocalStorage from '../../../src/artifacts/ios/webkit_local_storage.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { APP, buildWebkitDump } from '../../fixtures/webkit-folders.js';

describe('ios.webkit_local_storage on a filesystem dump', () => {
  it('lists every site with Local Storage, with the embedding page of third-party storage as a second URL', async () => {
    const { records, observables } = await parseDump<WebkitFolderRecord>(webkitLocalStorage, buildWebkitDump());
    expect(records.map((r) => [r.url, r.top_url]).sort()).toEqual([
      ['https://tracker.example.net', 'https://news.example.com'],
      ['https://www.example.org', undefined],
    ]);
    expect(observables.map((o) => [o.field, o.value]).sort()).toEqual([
      ['top_url', 'https://news.example.com'],
      ['url', 'https://tracker.example.net'],
      ['url', 'https://www.example.org'],
    ]);
  });

  it('finds nothing on a clean dump without web storage', async () => {
    const { records, coverage } = await parseDump<WebkitFolderRecord>(webkitLocalStorage, buildDump({ [`${APP}/WebsiteData/ResourceLoadStatistics/observations.db`]: '' }));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
  });
});
