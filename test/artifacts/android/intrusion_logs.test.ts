/**
 * Intrusion logs in an androidqf acquisition (`intrusion_logs/*.txt`): MVT's module tests (reference-spec §13.5,
 * test_intrusion_logs.py) and its end-to-end run (§14.5) as tests of ours, the generator's clean day (quiet) and
 * planted traces, and the device-local time labels from `persist.sys.timezone`.
 */
import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../../src/findings/coverage.js';
import { check } from '../../../src/index.js';
import connectArtifact, { type IntrusionConnectRecord } from '../../../src/artifacts/android/intrusion_connect.js';
import dnsArtifact, { type IntrusionDnsRecord } from '../../../src/artifacts/android/intrusion_dns.js';
import securityArtifact, { securityText, type IntrusionSecurityRecord } from '../../../src/artifacts/android/intrusion_security.js';
import { plainDescription as describeText } from '../../../src/report/native.js';
import { intrusionLogText, PLANTED } from '../../../src/synth/intrusion-logs.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import { SECTION_14_5, intrusionLines as lines } from '../../fixtures/intrusion-logs.js';
import { parseAqfFiles, writeAqf } from './_aqf.js';

const PARIS = '[persist.sys.timezone]: [Europe/Paris]\n';
const issues = (c: Coverage) => c.issues.map((i) => i.message);

/** Runs a whole check on a generated androidqf folder holding `files`. */
async function checkAqf(files: Record<string, string>, iocs: string[] = []) {
  const tree = writeAqf(files);
  try {
    return await check({ target: tree.root, iocs, userIocDir: null, only: ['android.intrusion_dns', 'android.intrusion_connect', 'android.intrusion_security'] });
  } finally {
    tree.remove();
  }
}

describe('loading (MVT load_all_events)', () => {
  it('dns + connect + 2 security events and an unknown type: counts 1, 1, 2; the unknown type kept out and reported', async () => {
    const text = lines(
      { dns_event: { event_time: 1700000000000, hostname: 'a.example', package_name: 'com.example.app', ip_addresses: ['/192.0.2.1'] } },
      { connect_event: { event_time: 1700000001000, ip_address: '/192.0.2.1', port: 443, package_name: 'com.example.app' } },
      { security_event: { event_time: 1700000002000000000, app_process_start: { process: 'com.example.app', uid: 10000, pid: 1234 } } },
      { security_event: { event_time: 1700000003000000000, future_google_event: { field: 'x' } } },
      { future_event: { event_time: 1, field: 'y' } },
    );
    const files = { 'intrusion_logs/export.txt': text };
    const dns = await parseAqfFiles<IntrusionDnsRecord>(dnsArtifact, files);
    const connect = await parseAqfFiles<IntrusionConnectRecord>(connectArtifact, files);
    const security = await parseAqfFiles<IntrusionSecurityRecord>(securityArtifact, files);
    expect([dns.records.length, connect.records.length, security.records.length]).toEqual([1, 1, 2]);
    expect(security.records.map((r) => r.tag)).toEqual(['app_process_start', 'future_google_event']);
    expect(issues(dns.coverage)).toContain('intrusion-log event type(s) no module reads, kept out of the results: future_event (1)');
    expect(issues(security.coverage)).toEqual(['security event type(s) this version does not know, kept with their raw details: future_google_event (1)']);
    // The unknown security tag still has its timeline row, with its details.
    const unknown = security.timeline.find((t) => t.event === 'future_google_event')!;
    expect(describeText(unknown.description)).toBe('future_google_event: {"field":"x"}');
  });

  it('event_id is metadata, not the tag: keyguard events counted by their tag, ids kept', async () => {
    const security = await parseAqfFiles<IntrusionSecurityRecord>(securityArtifact, {
      'intrusion_logs/a.txt': lines(
        { security_event: { event_id: 191, event_time: 1700000000000000000, keyguard_dismiss_auth_attempt: { success: true, method_strength: 1 } } },
        { security_event: { event_id: 192, event_time: 1700000001000000000, keyguard_dismissed: {} } },
      ),
    });
    expect(security.records.map((r) => [r.tag, r.event_id])).toEqual([['keyguard_dismiss_auth_attempt', 191], ['keyguard_dismissed', 192]]);
    expect(security.timeline.map((t) => describeText(t.description))).toEqual(['Auth attempt: Success (method strength: 1)', 'Keyguard dismissed']);
    expect(issues(security.coverage)).toEqual([]);
  });

  it('drops the same event exported twice, across files and types, keeping the first', async () => {
    const ca = { security_event: { event_time: 1700000004000000000, cert_authority_installed: { success: true, subject: 'CN=Evil' } } };
    const dns = { dns_event: { event_time: 1700000000000, hostname: 'sub.example.org', package_name: 'com.example.app', ip_addresses: ['/198.51.100.1'] } };
    const files = { 'intrusion_logs/a.txt': lines(dns, ca, ca), 'intrusion_logs/old/b.txt': lines(ca, { connect_event: dns.dns_event }) };
    const security = await parseAqfFiles<IntrusionSecurityRecord>(securityArtifact, files);
    const connect = await parseAqfFiles<IntrusionConnectRecord>(connectArtifact, files);
    const dnsResult = await parseAqfFiles<IntrusionDnsRecord>(dnsArtifact, files);
    expect([dnsResult.records.length, connect.records.length, security.records.length]).toEqual([1, 0, 1]);
    expect(security.items[0]!.source.at).toEqual({ line: 2 });
    expect(issues(dnsResult.coverage)).toContain('3 duplicate intrusion-log event(s) dropped (the same event exported more than once)');
  });

  it('lines that are not JSON objects are counted in one issue naming the first; the rest is read', async () => {
    const dns = await parseAqfFiles<IntrusionDnsRecord>(dnsArtifact, {
      'intrusion_logs/a.txt': `not json\n[1,2]\n${lines({ dns_event: { event_time: 1700000000000, hostname: 'a.example', package_name: 'p.q', ip_addresses: [] } })}{"dns_event": 5}\n`,
    });
    expect(dns.records.map((r) => r.hostname)).toEqual(['a.example']);
    expect(issues(dns.coverage)).toContain('intrusion_logs/a.txt: 2 line(s) not read, the first at line 1: not JSON');
  });

  it('an acquisition without intrusion_logs/: the three artifacts are missing, not empty', async () => {
    const result = await checkAqf({});
    expect(result.coverage.map((c) => [c.artifact, c.state])).toEqual([
      ['android.intrusion_dns', 'missing'],
      ['android.intrusion_connect', 'missing'],
      ['android.intrusion_security', 'missing'],
    ]);
  });
});

describe('time: instants in UTC, labelled with the phone\'s wall clock when its zone is known', () => {
  const dns = { dns_event: { event_time: 1700000000000, hostname: 'sub.example.org', package_name: 'com.example.app', ip_addresses: ['/198.51.100.1'] } };

  it('with persist.sys.timezone: the Paris wall clock (MVT\'s §14.5 rendering) beside the UTC instant', async () => {
    const r = await parseAqfFiles<IntrusionDnsRecord>(dnsArtifact, { 'getprop.txt': PARIS, 'intrusion_logs/a.txt': lines(dns) });
    expect(r.records[0]).toMatchObject({ device_local_time: '2023-11-14 23:13:20.000000', device_time_zone: 'Europe/Paris' });
    expect(r.records[0]!.timestamp!.iso()).toBe('2023-11-14T22:13:20.000000Z');
    expect(issues(r.coverage)).toEqual([]);
  });

  it('without it: UTC only, and the coverage says so', async () => {
    const r = await parseAqfFiles<IntrusionDnsRecord>(dnsArtifact, { 'intrusion_logs/a.txt': lines(dns) });
    expect(r.records[0]).toMatchObject({ device_local_time: null, device_time_zone: null });
    expect(issues(r.coverage)).toEqual(['device time zone unknown (no persist.sys.timezone in getprop.txt): intrusion-log times are given in UTC only']);
  });

  it('security events are in nanoseconds', async () => {
    const r = await parseAqfFiles<IntrusionSecurityRecord>(securityArtifact, { 'getprop.txt': PARIS, 'intrusion_logs/a.txt': lines({ security_event: { event_time: 1700000000123456800, keyguard_secured: {} } }) });
    expect(r.records[0]!.timestamp!.iso()).toBe('2023-11-14T22:13:20.123457Z');
    expect(r.records[0]!.device_local_time).toBe('2023-11-14 23:13:20.123457');
  });
});

describe('heuristics (MVT SecurityEvent): MEDIUM each, and quiet on their innocent side', () => {
  const sec = (tag: string, payload: unknown) => ({ security_event: { event_time: 1700000000000000000, [tag]: payload } });
  const medium = async (...events: object[]) => (await checkAqf({ 'intrusion_logs/a.txt': lines(...events) })).findings.map((f) => [f.level, f.message]);

  it('a certificate authority installed (success true or absent): MEDIUM with its subject; a failed install: none', async () => {
    expect(await medium(sec('cert_authority_installed', { success: true, subject: 'CN=Unexpected Root CA' }))).toEqual([['medium', 'Certificate authority installed: CN=Unexpected Root CA']]);
    expect(await medium(sec('cert_authority_installed', { subject: 'CN=X' }))).toEqual([['medium', 'Certificate authority installed: CN=X']]);
    expect(await medium(sec('cert_authority_installed', { success: false, subject: 'CN=X' }), sec('cert_authority_installed', { success: 0, subject: 'CN=Y' }))).toEqual([]);
  });

  it('a certificate validation failure, a key integrity violation and a wipe failure: one MEDIUM each', async () => {
    expect(await medium(sec('cert_validation_failure', { reason: 'bad chain' }))).toEqual([['medium', 'Certificate validation failure detected: {"reason":"bad chain"}']]);
    expect(await medium(sec('wipe_failure', {}), sec('key_integrity_violation', { key_id: 'k', uid: 1 }))).toEqual([
      ['medium', 'Device wipe failure detected'],
      ['medium', 'Key integrity violation detected: {"key_id":"k","uid":1}'],
    ]);
  });

  it('a failed crypto self test (false, or an integer other than 1): MEDIUM; a passed one: none', async () => {
    expect(await medium(sec('crypto_self_test_completed', { success: false }))).toEqual([['medium', 'Cryptographic self test failed']]);
    expect(await medium(sec('crypto_self_test_completed', 0))).toEqual([['medium', 'Cryptographic self test failed']]);
    expect(await medium(sec('crypto_self_test_completed', { success: true }), sec('crypto_self_test_completed', 1))).toEqual([]);
  });

  it('key generation failures are told in the timeline (PinStorage included), never an alert', async () => {
    const texts = ['PinStorage_crossReboot_key', 'another_key'].map((key_id) => securityText({ tag: 'key_generated', payload: { success: false, key_id, uid: 1001 } }));
    expect(texts).toEqual(['Key generation failed: PinStorage_crossReboot_key (UID: 1001)', 'Key generation failed: another_key (UID: 1001)']);
    expect(await medium(sec('key_generated', { success: false, key_id: 'another_key', uid: 1001 }))).toEqual([]);
  });
});

describe('indicators (MVT §14.5): a synthetic file checked against a domain, an IP and an app id', () => {
  it('the DNS lookup matches its host and its address, the connection its address, all CRITICAL; the CA is MEDIUM; the duplicate is dropped', async () => {
    const iocs = tempTree({
      'i.stix2': stixBundle({
        malware: ['Test'],
        indicators: [
          { pattern: "[domain-name:value = 'example.org']", malware: 'Test' },
          { pattern: "[ipv4-addr:value = '198.51.100.1']", malware: 'Test' },
        ],
      }),
    });
    try {
      const result = await checkAqf({ 'getprop.txt': PARIS, 'intrusion_logs/a.txt': SECTION_14_5 }, [iocs.path('i.stix2')]);
      expect(result.coverage.map((c) => c.records)).toEqual([1, 1, 2]);
      expect(result.findings.map((f) => [f.artifact, f.level, f.match?.field ?? null, f.match?.observed ?? null])).toEqual([
        ['android.intrusion_dns', 'critical', 'hostname', 'sub.example.org'],
        ['android.intrusion_dns', 'critical', 'ip_addresses', '198.51.100.1'],
        ['android.intrusion_connect', 'critical', 'ip_address', '198.51.100.1'],
        ['android.intrusion_security', 'medium', null, null],
      ]);
      // The phone's wall clock with its zone's offset (the instant and what the phone showed, in one value).
      expect(result.findings[3]!.eventTime?.iso()).toBe('2023-11-14T23:13:23.000000+01:00');
      expect(result.findings[3]!.eventTime?.instant()?.iso()).toBe('2023-11-14T22:13:23.000000Z');
    } finally {
      iocs.remove();
    }
  });
});

describe('the generator: a clean day stays quiet, planted traces are all found', () => {
  it('2,000 clean events with duplicates and an unknown type: no finding, without or with indicators of other hosts', async () => {
    const text = intrusionLogText({ seed: 5, events: 2_000, duplicates: 40, unknownTypes: 3 });
    const iocs = tempTree({ 'i.stix2': stixBundle({ malware: ['S'], indicators: [{ pattern: `[domain-name:value = '${PLANTED.host}']`, malware: 'S' }, { pattern: `[app:id = '${PLANTED.app}']`, malware: 'S' }] }) });
    try {
      const result = await checkAqf({ 'getprop.txt': PARIS, 'intrusion_logs/day.txt': text }, [iocs.path('i.stix2')]);
      expect(result.findings).toEqual([]);
      const total = result.coverage.reduce((n, c) => n + c.records, 0);
      expect(total).toBe(2_000);
      expect(issues(result.coverage.find((c) => c.artifact === 'android.intrusion_dns')!)).toEqual([
        'intrusion-log event type(s) no module reads, kept out of the results: future_event (3)',
        '40 duplicate intrusion-log event(s) dropped (the same event exported more than once)',
      ]);
    } finally {
      iocs.remove();
    }
  });

  it('planted: the spyware host, its address and app found CRITICAL; the four SecurityLog heuristics MEDIUM', async () => {
    const text = intrusionLogText({ seed: 6, events: 300, planted: true });
    const iocs = tempTree({
      'i.stix2': stixBundle({
        malware: ['S'],
        indicators: [
          { pattern: `[domain-name:value = '${PLANTED.host}']`, malware: 'S' },
          { pattern: `[ipv4-addr:value = '${PLANTED.ip}']`, malware: 'S' },
          { pattern: `[app:id = '${PLANTED.app}']`, malware: 'S' },
        ],
      }),
    });
    try {
      const result = await checkAqf({ 'getprop.txt': PARIS, 'intrusion_logs/day.txt': text }, [iocs.path('i.stix2')]);
      const seen = result.findings.map((f) => [f.artifact.replace('android.intrusion_', ''), f.level, f.match?.field ?? f.rule?.id.replace('android.intrusion_security.', '')]);
      expect(seen).toEqual([
        ['dns', 'critical', 'hostname'],
        ['dns', 'critical', 'ip_addresses'],
        ['dns', 'critical', 'package_name'],
        ['connect', 'critical', 'ip_address'],
        ['connect', 'critical', 'package_name'],
        ['security', 'critical', 'payload.process'],
        ['security', 'medium', 'cert_authority_installed'],
        ['security', 'medium', 'key_integrity_violation'],
        ['security', 'medium', 'wipe_failure'],
        ['security', 'medium', 'crypto_self_test_failed'],
      ]);
    } finally {
      iocs.remove();
    }
  });
});
