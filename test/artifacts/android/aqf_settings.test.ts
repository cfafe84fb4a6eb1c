import { describe, expect, it } from 'vitest';
import settings, { decodeSettings, settingsNamespace, type AqfSettingRecord } from '../../../src/artifacts/android/aqf_settings.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles } from './_aqf.js';

describe('android.aqf_settings', () => {
  it('reads MVT\'s settings_random.txt: namespace random, 9 keys', async () => {
    const { records, coverage, timeline } = await parseAqf<AqfSettingRecord>(settings, mvtAndroidqf());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(9);
    expect(records[0]).toEqual({ namespace: 'random', key: 'samsung_errorlog_agree', value: '0' });
    // An empty value is a value.
    expect(records.find((r) => r.key === 'navigationbar_recently_used_color')).toEqual({ namespace: 'random', key: 'navigationbar_recently_used_color', value: '' });
    expect(timeline).toEqual([]);
  });

  it('reads every settings file, each under its namespace', async () => {
    const { records, items } = await parseAqfFiles<AqfSettingRecord>(settings, {
      'settings_global.txt': 'adb_enabled=1\npackage_verifier_enable=0\n',
      'settings_secure.txt': 'accessibility_enabled=1\nenabled_accessibility_services=com.x/.Svc:com.y/.A=B\n',
    });
    expect(records.map((r) => `${r.namespace}:${r.key}=${r.value}`)).toEqual([
      'global:adb_enabled=1',
      'global:package_verifier_enable=0',
      'secure:accessibility_enabled=1',
      'secure:enabled_accessibility_services=com.x/.Svc:com.y/.A=B',
    ]);
    expect(items[3]!.source.at).toEqual({ line: 2 });
  });

  it('lines without "=" are one issue; a binary file is one issue and nothing else', async () => {
    expect(decodeSettings('a=1\nno equals\n=nokey\nb=2', 'system')).toEqual({
      settings: [
        { record: { namespace: 'system', key: 'a', value: '1' }, line: 1 },
        { record: { namespace: 'system', key: 'b', value: '2' }, line: 4 },
      ],
      skipped: 2,
      truncated: false,
    });
    const { records, coverage } = await parseAqfFiles<AqfSettingRecord>(settings, { 'settings_system.txt': 'a=1\njunk\n', 'settings_secure.txt': Buffer.from([1, 0, 2, 0]) });
    expect(records).toHaveLength(1);
    expect(coverage.issues.map((i) => i.message)).toEqual(['settings_secure.txt: binary data where text was expected; not read', 'settings_system.txt: 1 line(s) without "key=value" not read']);
  });

  it('settingsNamespace takes the text after the last underscore', () => {
    expect(settingsNamespace('settings_secure.txt')).toBe('secure');
    expect(settingsNamespace('settings_random.txt')).toBe('random');
  });
});
