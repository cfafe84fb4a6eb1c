/** How matches become findings: one per matched link, levels by role, provenance on every finding. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { buildBackup, tempDir } from '../fixtures/ios-backup.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes } from '../fixtures/sms.js';

function stix(domains: string[]): string {
  const malware = { type: 'malware', spec_version: '2.1', id: 'malware--11111111-1111-4111-8111-111111111111', name: 'Fixture', is_family: false };
  const objects: object[] = [malware];
  domains.forEach((d, i) => {
    const id = `indicator--0000000${i}-0000-4000-8000-000000000000`;
    objects.push({ type: 'indicator', spec_version: '2.1', id, pattern: `[domain-name:value = '${d}']`, pattern_type: 'stix', valid_from: '2024-01-01T00:00:00Z' });
    objects.push({ type: 'relationship', spec_version: '2.1', id: `relationship--0000000${i}-0000-4000-8000-000000000000`, relationship_type: 'indicates', source_ref: id, target_ref: malware.id });
  });
  const path = join(tempDir('iocs'), 'fixture.stix2');
  writeFileSync(path, JSON.stringify({ type: 'bundle', id: 'bundle--22222222-2222-4222-8222-222222222222', objects }));
  return path;
}

describe('findings from indicator matches', () => {
  it('reports every malicious link of a message, where MVT reports only the first (reference-spec §15 item 14)', async () => {
    const backup = smsBackup(
      smsDbBytes((db) => {
        const h = insertHandle(db, '+15550100');
        insertMessage(db, { guid: 'm1', handle_id: h, date: 700_000_000_000_000_000n, text: 'see https://a.evil.example/x and https://b.bad.example/y and https://ok.example/' });
      }),
    );
    const r = await check({ target: backup, iocs: [stix(['evil.example', 'bad.example'])], userIocDir: null, only: ['ios.sms'] });
    expect(r.findings.map((f) => [f.level, f.indicator?.value, f.match?.observed])).toEqual([
      ['critical', 'evil.example', 'https://a.evil.example/x'],
      ['critical', 'bad.example', 'https://b.bad.example/y'],
    ]);
    const f = r.findings[0]!;
    expect(f.indicator).toMatchObject({ collection: { name: 'Fixture' }, file: { name: 'fixture.stix2' } });
    expect(f.indicator!.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(f.evidence.ref.backup).toMatchObject({ domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' });
    expect(f.evidence.at).toMatchObject({ table: 'message', rowid: 1 });
    expect(f.explanation).toContain('sub-domain');
  });

  it('a domain merely mentioned in a backup file name is HIGH, not CRITICAL', async () => {
    const backup = buildBackup([
      { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/WebKit/WebsiteData/LocalStorage/https_tracker.evil-cdn.com_0.localstorage' },
    ]);
    const r = await check({ target: backup, iocs: [stix(['evil-cdn.com'])], userIocDir: null, only: ['ios.manifest'] });
    expect(r.findings.map((f) => [f.level, f.match?.kind, f.match?.observed])).toEqual([['high', 'subdomain', 'tracker.evil-cdn.com']]);
  });
});
