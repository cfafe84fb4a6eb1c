import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBinary, type PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import { check } from '../../../src/app/check.js';
import rules from '../../../src/rules/ios/webkit_session_resource_log.js';
import { buildBackup, tempDir } from '../../fixtures/ios-backup.js';

const RESOURCE_LOG = 'Library/WebKit/WebsiteData/ResourceLoadStatistics/full_browsing_session_resourceLog.plist';

function indicators(domain: string): string {
  const malware = 'malware--11111111-1111-4111-8111-111111111111';
  const indicator = 'indicator--22222222-2222-4222-8222-222222222222';
  const path = join(tempDir('iocs'), 'fixture.stix2');
  writeFileSync(
    path,
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--33333333-3333-4333-8333-333333333333',
      objects: [
        { type: 'malware', spec_version: '2.1', id: malware, name: 'Fixture', is_family: false },
        { type: 'indicator', spec_version: '2.1', id: indicator, pattern: `[domain-name:value = '${domain}']`, pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' },
        { type: 'relationship', spec_version: '2.1', id: 'relationship--44444444-4444-4444-8444-444444444444', relationship_type: 'indicates', source_ref: indicator, target_ref: malware },
      ],
    }),
  );
  return path;
}

function backupWith(items: object[]): string {
  return buildBackup([
    { domain: 'AppDomain-com.apple.mobilesafari', relativePath: RESOURCE_LOG, data: Buffer.from(buildBinary({ browsingStatistics: items } as unknown as PlistValue)) },
  ]);
}

describe('ios.webkit_session_resource_log.redirect_through_indicator', () => {
  it('adds MVT\'s HIGH redirect-chain finding to the indicator match, naming every hop', async () => {
    const backup = backupWith([
      {
        PrevalentResourceOrigin: 'cdn.evil-cdn.com',
        topFrameUniqueRedirectsFrom: [{ origin: 'news.example.com', count: 1 }, { origin: 'short.example.net', count: 1 }],
        topFrameUniqueRedirectsTo: [{ origin: 'landing.example.org', count: 1 }],
        lastSeen: 1634560250.0,
      },
    ]);
    const r = await check({ target: backup, iocs: [indicators('evil-cdn.com')], userIocDir: null, only: ['ios.webkit_session_resource_log'] });
    expect(r.findings.map((f) => [f.level, f.message])).toEqual([
      ['critical', 'Found a sub-domain with a suspicious top level cdn.evil-cdn.com matching indicator "evil-cdn.com" from "Fixture"'],
      ['high', 'Found HTTP redirect between suspicious domains: SOURCE: "news.example.com", "short.example.net" -> ORIGIN: "cdn.evil-cdn.com" -> DESTINATION: "landing.example.org"'],
    ]);
    expect(r.findings[1]!.rule?.id).toBe('ios.webkit_session_resource_log.redirect_through_indicator');
    expect(r.findings[1]!.eventTime?.mvt()).toBe('2021-10-18 12:30:50.000000');
  });

  it('says nothing without an indicator hit, or without any redirect', async () => {
    const quiet = backupWith([{ PrevalentResourceOrigin: 'cdn.good.example.com', topFrameUniqueRedirectsTo: [{ origin: 'x.example.org' }] }]);
    expect((await check({ target: quiet, iocs: [indicators('evil-cdn.com')], userIocDir: null, only: ['ios.webkit_session_resource_log'] })).findings).toEqual([]);
    const [rule] = rules;
    expect(rule!.scope).toBe('matched');
    const noHop = { origin: 'evil-cdn.com', redirect_source: [], redirect_destination: [], subframe_under_origin: [], subresource_under_origin: [], user_interaction: null, most_recent_interaction: null, last_seen: null };
    expect(rule!.scope === 'matched' && rule!.check(noHop, [{ field: 'origin', observed: 'evil-cdn.com', indicator: 'evil-cdn.com' }])).toEqual([]);
  });
});
