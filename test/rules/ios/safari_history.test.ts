import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import safariHistory, { decodeSafariVisit, type SafariHistoryRecord } from '../../../src/artifacts/ios/safari_history.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import rules, { comparableHost } from '../../../src/rules/ios/safari_history.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { shared } from '../../helpers/data.js';

const rule = rules.find((r) => r.id === 'ios.safari_history.fast_cross_domain_redirect') as RecordRule<SafariHistoryRecord>;

/** A visit redirected to `to` after `seconds` (Cocoa times around 2024-01-04). */
function redirected(from: string, to: string, seconds: number): SafariHistoryRecord {
  const t = 726100000.25;
  return decodeSafariVisit(
    { id: 1, url: from, visit_id: 10, visit_time: t, redirect_source: null, redirect_destination: 11, redirect_destination_url: to, redirect_destination_time: t + seconds },
    'HomeDomain/Library/Safari/History.db',
  );
}

describe('ios.safari_history.fast_cross_domain_redirect', () => {
  it('is a MEDIUM rule about Safari history records', () => {
    expect(rule).toMatchObject({ level: 'medium', artifact: safariHistory.id, scope: 'record', version: 1 });
    expect(rule.mvtNeedsIndicators).toBeUndefined();
  });

  it('flags only the typo-domain redirect among the 11 redirects in plaso’s real History.db', async () => {
    const dir = buildBackup([
      { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db', data: readFileSync(shared('samples', 'plaso', 'test_data', 'safari', 'History.db')) },
    ]);
    const { records } = await parseBackup<SafariHistoryRecord>(safariHistory, dir);
    const hits = records.flatMap((r) => rule.check(r).map((hit) => ({ url: r.url, to: r.redirect_destination_url, ...hit })));
    // facebook.com → www.facebook.com and the like are the same site; www.foxnews.com → sso.foxnews.com took 5.5 s.
    expect(hits).toEqual([
      {
        url: 'http://foxnew.com/',
        to: 'http://www.foxnews.com/',
        message: 'Redirect took less than a second! (0.362 milliseconds)',
        eventTime: records.find((r) => r.visit_id === 50)!.isodate,
      },
    ]);
    expect(hits[0]!.eventTime?.mvt()).toBe('2017-11-09 21:25:51.608873');
  });

  it.each([
    ['an HTTP page sent to another domain in 120 ms', 'http://news.example.com/', 'https://exploit.example.net/x', 0.12, ['Redirect took less than a second! (120.0 milliseconds)']],
    ['a destination reached 0.2 s *before* the origin (clock step): the absolute time counts', 'http://news.example.com/', 'https://exploit.example.net/x', -0.2, ['Redirect took less than a second! (200.0 milliseconds)']],
    ['an HTTPS upgrade on the same host', 'http://example.com/a', 'https://example.com/a', 0.001, []],
    ['an upgrade that only adds www.', 'http://example.com/', 'https://www.example.com/', 0.001, []],
    ['hosts that differ only in case', 'http://Example.COM/', 'https://example.com/', 0.001, []],
    ['an HTTPS origin (not injectable on the network)', 'https://news.example.com/', 'https://exploit.example.net/', 0.001, []],
    ['a redirect that took exactly one second', 'http://news.example.com/', 'https://exploit.example.net/', 1, []],
    ['a redirect that took 1.5 s', 'http://news.example.com/', 'https://exploit.example.net/', 1.5, []],
    // MVT checks timedelta.seconds == 0, which also holds for 5 days and 300 µs (reference-spec §7.3.13).
    ['a redirect five days later', 'http://news.example.com/', 'https://exploit.example.net/', 5 * 86400 + 0.0003, []],
    ['a look-alike domain MVT’s lstrip("www.") would equate', 'http://wwwexample.org/', 'https://example.org/', 0.01, ['Redirect took less than a second! (10.0 milliseconds)']],
  ] as const)('%s', (_name, from, to, seconds, messages) => {
    expect(rule.check(redirected(from, to, seconds)).map((h) => h.message)).toEqual(messages);
  });

  it('says nothing when the destination visit is not in the database', () => {
    const r = { ...redirected('http://news.example.com/', 'https://exploit.example.net/', 0.1), redirect_destination_url: null, redirect_destination_time: null };
    expect(rule.check(r)).toEqual([]);
  });
});

describe('comparableHost', () => {
  it.each([
    ['http://www.Example.com:8080/path', 'example.com'],
    ['https://user:pw@evil.example.net/', 'evil.example.net'],
    ['http://web.site.com/', 'web.site.com'],
    ['http://wwwexample.org/', 'wwwexample.org'],
    ['http://example.com./', 'example.com'],
    ['not a url', ''],
  ])('%s → %s', (url, host) => {
    expect(comparableHost(url)).toBe(host);
  });
});
