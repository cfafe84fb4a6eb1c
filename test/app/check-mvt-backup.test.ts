/**
 * The acceptance run of issue #2: the MVT test backup checked against the MVT test indicators, MVT output
 * format. Counts and alerts are reference-spec §14.1's observed MVT outputs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { snapshotTree } from '../helpers/tree.js';

const readJson = (dir: string, name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;

describe('check on the MVT test backup with --format mvt', () => {
  let out: string;
  let result: CheckResult;
  let before: Record<string, string>;

  beforeAll(async () => {
    before = snapshotTree(mvtIosBackup());
    out = join(tempDir('out'), 'OUT');
    result = await check({ target: mvtIosBackup(), iocs: [mvtTestStix()], userIocDir: null, output: out, format: 'mvt' });
  });

  it('writes the per-module record counts MVT writes', () => {
    const count = (name: string) => (readJson(out, name) as unknown[]).length;
    expect(count('manifest.json')).toBe(3721);
    expect(count('tcc.json')).toBe(11);
    expect(count('sms.json')).toBe(1);
    expect(count('calendar.json')).toBe(1);
    expect(count('interaction_c.json')).toBe(3);
    expect(count('global_preferences.json')).toBe(16);
    expect(count('webkit_resource_load_statistics.json')).toBe(2);
    expect(count('safari_browser_state.json')).toBe(1);
    expect(count('whatsapp.json')).toBe(6);
    expect(count('whatsapp_contacts.json')).toBe(2);
    expect(Object.keys(readJson(out, 'backup_info.json') as object)).toHaveLength(18);
    // MVT names the database by its path in the backup folder, the hashed file.
    expect((readJson(out, 'safari_browser_state.json') as { safari_browser_state_db: string }[])[0]!.safari_browser_state_db).toBe('3a/3a47b0981ed7c10f3e2800aa66bac96a3b5db28e');
  });

  it('raises the same five alerts as MVT, in the same order', () => {
    const alerts = readJson(out, 'alerts.json') as { level: string; module: string; message: string; matched_indicator: { value: string; type: string; name: string; stix2_file_name: string } | null }[];
    expect(alerts.map((a) => [a.level, a.module])).toEqual([
      ['LOW', 'datausage'],
      ['CRITICAL', 'tcc'],
      ['CRITICAL', 'sms'],
      ['CRITICAL', 'whatsapp'],
      ['INFORMATIONAL', 'global_preferences'],
    ]);
    expect(alerts[0]!.message).toBe('Missing process 5. Previous process at "2019-08-27 15:08:09.253102" (1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.Fitness)');
    expect(alerts[1]!.message).toBe('Found a known suspicious process name "Launch" matching indicators from "TestMalware"');
    expect(alerts[1]!.matched_indicator).toEqual({ value: 'Launch', type: 'processes', name: 'TestMalware', stix2_file_name: 'test.stix2' });
    expect(alerts[2]!.message).toBe('Found a sub-domain with a suspicious top level https://badbadbad.example.org/ matching indicator "example.org" from "TestMalware"');
    expect(alerts[3]!.message).toBe('Found a known suspicious domain https://example.org/news matching indicator "example.org" from "TestMalware"');
    expect(alerts[4]!.message).toBe('Lockdown mode enabled');
  });

  it('writes the sorted MVT timeline with the Manifest row first', () => {
    const lines = readFileSync(join(out, 'timeline.csv'), 'utf8').split('\r\n');
    expect(lines[0]).toBe('"UTC Timestamp","Plugin","Event","Description"');
    expect(lines[1]).toBe('"1980-01-01 00:00:00.000000","Manifest","---B","Library/Application Support/Google/Chrome/SafetyTips/2716/_metadata/verified_contents.json - AppDomain-com.google.chrome.ios"');
  });

  it('lists the links it saw in urls.json', () => {
    // MVT keeps only the first 9 digits of the nanosecond date (23:13:30.000000); we keep the fraction.
    expect(readJson(out, 'urls.json')).toEqual([
      { url: 'https://badbadbad.example.org/', expanded_url: null, timestamp: '2019-08-29 23:13:30.539788', source: 'sms' },
      { url: 'https://example.org/news', expanded_url: null, timestamp: '2025-08-28 18:53:20.000000', source: 'whatsapp' },
    ]);
  });

  it('records every input and indicator file with its SHA-256 in info.json', () => {
    const info = readJson(out, 'info.json') as { ioc_files: string[]; hashes: { file_path: string; sha256: string }[] };
    expect(info.ioc_files).toEqual([mvtTestStix()]);
    expect(info.hashes.map((h) => h.file_path)).toContain(join(mvtIosBackup(), 'Manifest.db'));
    expect(info.hashes.every((h) => /^[0-9a-f]{64}$/.test(h.sha256))).toBe(true);
  });

  it('leaves the backup folder byte-for-byte as it was', () => {
    expect(snapshotTree(mvtIosBackup())).toEqual(before);
    expect(result.coverage.find((c) => c.artifact === 'ios.safari_history')?.state).toBe('missing');
  });

  it('writes the files MVT writes', () => {
    const files = readdirSync(out).sort();
    for (const f of ['alerts.json', 'alerts_timeline.csv', 'backup_info.json', 'datausage_detected.json', 'global_preferences_detected.json', 'info.json', 'sms_detected.json', 'tcc_detected.json', 'timeline.csv', 'urls.json', 'whatsapp_detected.json']) {
      expect(files).toContain(f);
    }
  });
});
