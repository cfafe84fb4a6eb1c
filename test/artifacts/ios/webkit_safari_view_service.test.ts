import { describe, expect, it } from 'vitest';
import type { WebkitFolderRecord } from '../../../src/artifacts/ios/_webkit_folders.js';
import webkitSafariViewService from '../../../src/artifacts/ios/webkit_safari_view_service.js';
import { buildDump, parseDump } from '../../fixtures/ios-dump.js';
import { APP, H2, originBlock, originFile, SVS } from '../../fixtures/webkit-folders.js';

describe('ios.webkit_safari_view_service on a filesystem dump', () => {
  it('reads site entries in WebsiteData (MVT\'s place) and both stores below it, with no timeline', async () => {
    const root = buildDump({
      [`${SVS}/WebsiteData/https_link.example.com_0`]: { dir: true },
      [`${SVS}/WebsiteData/LocalStorage/https_landing.example.org_0.localstorage`]: '',
      [`${SVS}/WebsiteData/Default/${H2}/${H2}/origin`]: originFile(originBlock('https', 'short.example'), originBlock('https', 'short.example')),
      [`${SVS}/WebsiteData/Default/${H2}/${H2}/IndexedDB/x`]: '',
      [`${APP}/WebsiteData/LocalStorage/https_not.this.one_0.localstorage`]: '',
    });
    const { records, timeline } = await parseDump<WebkitFolderRecord>(webkitSafariViewService, root);
    expect(records.map((r) => r.url).sort()).toEqual(['https://landing.example.org', 'https://link.example.com', 'https://short.example']);
    expect(timeline).toEqual([]);
  });
});
