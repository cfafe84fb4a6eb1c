import { build, buildBinary, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import sessionLog, { decodeBrowsingStatistic, type WebkitSessionResourceLogRecord } from '../../../src/artifacts/ios/webkit_session_resource_log.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const RESOURCE_LOG = 'Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist';

/** An item as WebKit wrote it before model version 15: `…Origin(s)` keys, `{origin, count}` sets. */
const legacyItem = {
  PrevalentResourceOrigin: 'tracker.example.net',
  topFrameUniqueRedirectsFrom: [{ origin: 'bit.example', count: 2 }],
  topFrameUniqueRedirectsTo: [{ origin: 'exploit.example.org', count: 1 }],
  subframeUnderTopFrameOrigins: [{ origin: 'news.example.com', count: 3 }],
  subresourceUnderTopFrameOrigins: [
    { origin: 'news.example.com', count: 1 },
    { origin: 'blog.example.com', count: 1 },
  ],
  hadUserInteraction: false,
  mostRecentUserInteraction: 0,
  lastSeen: 1634560250.0,
};

/** The same kind of item from newer WebKit: `…Domain(s)` keys, `{domain}` sets. */
const currentItem = {
  PrevalentResourceDomain: 'ads.example.com',
  topFrameUniqueRedirectsTo: [{ domain: 'landing.example.com' }],
  subframeUnderTopFrameDomains: [{ domain: 'news.example.com' }],
  hadUserInteraction: true,
  mostRecentUserInteraction: 1634560030.5,
  lastSeen: 1634560031.0,
};

const binaryLog = (items: unknown[]) => Buffer.from(buildBinary({ browsingStatistics: items } as unknown as PlistValue));

describe('ios.webkit_session_resource_log on the MVT test backup', () => {
  it('finds no resource log (none is listed), as MVT writes no output for it', async () => {
    const { records, coverage } = await parseBackup<WebkitSessionResourceLogRecord>(sessionLog, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.reason).toBe('not present in this acquisition');
  });
});

describe('ios.webkit_session_resource_log on built resource logs', () => {
  it('makes one record per browsingStatistics item of every app’s log, located by file and index', async () => {
    const dir = buildBackup([
      { domain: 'AppDomain-com.apple.mobilesafari', relativePath: RESOURCE_LOG, data: binaryLog([legacyItem]) },
      { domain: 'AppDomain-com.google.chrome.ios', relativePath: RESOURCE_LOG, data: Buffer.from(build({ browsingStatistics: [currentItem] })) },
    ]);
    const { records, items, observables, timeline, coverage } = await parseBackup<WebkitSessionResourceLogRecord>(sessionLog, dir);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(timeline).toEqual([]);
    expect(items.map((i) => [i.source.file.ref.backup?.domain, i.source.at])).toEqual([
      ['AppDomain-com.apple.mobilesafari', { key: 'browsingStatistics[0]' }],
      ['AppDomain-com.google.chrome.ios', { key: 'browsingStatistics[0]' }],
    ]);

    const [legacy, current] = records;
    expect({ ...legacy, most_recent_interaction: legacy!.most_recent_interaction, last_seen: legacy!.last_seen?.mvt() }).toEqual({
      origin: 'tracker.example.net',
      redirect_source: [{ origin: 'bit.example', count: 2 }],
      redirect_destination: [{ origin: 'exploit.example.org', count: 1 }],
      subframe_under_origin: [{ origin: 'news.example.com', count: 3 }],
      subresource_under_origin: [
        { origin: 'news.example.com', count: 1 },
        { origin: 'blog.example.com', count: 1 },
      ],
      user_interaction: false,
      most_recent_interaction: null,
      last_seen: '2021-10-18 12:30:50.000000',
    });
    expect({ ...current, most_recent_interaction: current!.most_recent_interaction?.mvt(), last_seen: current!.last_seen?.mvt() }).toEqual({
      origin: 'ads.example.com',
      redirect_source: [],
      redirect_destination: [{ domain: 'landing.example.com' }],
      subframe_under_origin: [{ domain: 'news.example.com' }],
      subresource_under_origin: [],
      user_interaction: true,
      most_recent_interaction: '2021-10-18 12:27:10.500000',
      last_seen: '2021-10-18 12:27:11.000000',
    });

    expect(observables).toEqual([
      { kind: 'domain', value: 'tracker.example.net', field: 'origin' },
      { kind: 'domain', value: 'bit.example', field: 'redirect_source' },
      { kind: 'domain', value: 'exploit.example.org', field: 'redirect_destination' },
      { kind: 'domain', value: 'news.example.com', field: 'subframe_under_origin' },
      { kind: 'domain', value: 'news.example.com', field: 'subresource_under_origin' },
      { kind: 'domain', value: 'blog.example.com', field: 'subresource_under_origin' },
      { kind: 'domain', value: 'ads.example.com', field: 'origin' },
      { kind: 'domain', value: 'landing.example.com', field: 'redirect_destination' },
      { kind: 'domain', value: 'news.example.com', field: 'subframe_under_origin' },
    ]);
  });

  it('gives "" and empty lists for absent keys', () => {
    expect(decodeBrowsingStatistic({})).toEqual({
      origin: '',
      redirect_source: [],
      redirect_destination: [],
      subframe_under_origin: [],
      subresource_under_origin: [],
      user_interaction: null,
      most_recent_interaction: null,
      last_seen: null,
    });
  });

  it.each([
    ['a truncated binary plist', binaryLog([legacyItem]).subarray(0, 40), 'bad-plist', 'truncated or corrupted binary plist'],
    ['a file that is no plist', Buffer.from('not a plist at all'), 'bad-plist', 'not a property list'],
    ['a plist whose browsingStatistics is not an array', Buffer.from(buildBinary({ browsingStatistics: 'oops' })), 'unsupported-schema', 'expected a dictionary with a browsingStatistics array'],
  ])('reports %s as an issue naming the file', async (_name, data, code, text) => {
    const dir = buildBackup([{ domain: 'AppDomain-com.apple.mobilesafari', relativePath: RESOURCE_LOG, data }]);
    const { records, coverage } = await parseBackup<WebkitSessionResourceLogRecord>(sessionLog, dir);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues.map((i) => i.code)).toEqual([code]);
    expect(coverage.issues[0]!.message).toContain(`AppDomain-com.apple.mobilesafari/${RESOURCE_LOG}`);
    expect(coverage.issues[0]!.message).toContain(text);
  });
});
