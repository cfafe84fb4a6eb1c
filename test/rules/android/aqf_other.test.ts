import { describe, expect, it } from 'vitest';
import files, { type AqfFileRecord } from '../../../src/artifacts/android/aqf_files.js';
import settings, { type AqfSettingRecord } from '../../../src/artifacts/android/aqf_settings.js';
import rootBinaries, { rootBinaryRecord, type RootBinaryRecord } from '../../../src/artifacts/android/root_binaries.js';
import fileRules from '../../../src/rules/android/aqf_files.js';
import settingRules from '../../../src/rules/android/aqf_settings.js';
import rootRules from '../../../src/rules/android/root_binaries.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtAndroidqf, parseAqf, parseAqfFiles } from '../../artifacts/android/_aqf.js';

const settingRule = settingRules[0] as RecordRule<AqfSettingRecord>;
const rootRule = rootRules[0] as RecordRule<RootBinaryRecord>;
const fileRule = fileRules[0] as RecordRule<AqfFileRecord>;

describe('dangerous settings', () => {
  it('MVT\'s settings_random.txt: one MEDIUM, samsung_errorlog_agree = 0', async () => {
    const { records } = await parseAqf<AqfSettingRecord>(settings, mvtAndroidqf());
    expect(settingRule.level).toBe('medium');
    expect(records.flatMap((r) => settingRule.check(r))).toEqual([{ message: 'Found suspicious "random" setting "samsung_errorlog_agree = 0" (disabled sharing of crash logs with manufacturer)' }]);
  });

  it('an ordinary phone raises nothing; Play Protect off and accessibility on do', () => {
    const s = (key: string, value: string) => settingRule.check({ namespace: 'global', key, value });
    expect([s('package_verifier_enable', '1'), s('accessibility_enabled', '0'), s('adb_enabled', '1'), s('verifier_verify_adb_installs', '1')].flat()).toEqual([]);
    expect(s('package_verifier_enable', '0')).toEqual([{ message: 'Found suspicious "global" setting "package_verifier_enable = 0" (disabled Google Play Protect)' }]);
    expect(s('accessibility_enabled', '1')).toEqual([{ message: 'Found suspicious "global" setting "accessibility_enabled = 1" (enabled accessibility services)' }]);
  });
});

describe('root binaries', () => {
  it('MVT\'s 4 root binaries: 4 HIGH', async () => {
    const { records } = await parseAqf<RootBinaryRecord>(rootBinaries, mvtAndroidqf());
    expect(rootRule.level).toBe('high');
    expect(records.flatMap((r) => rootRule.check(r)).map((h) => h.message)).toEqual([
      'Found root binary "su" at path "/system/bin/su"',
      'Found root binary "busybox" at path "/system/xbin/busybox"',
      'Found root binary "magisk" at path "/data/local/tmp/magisk"',
      'Found root binary "magiskhide" at path "/system/bin/magiskhide"',
    ]);
    expect(rootRule.check(rootBinaryRecord('/x/su'))).toHaveLength(1);
  });
});

describe('files in /data/local/tmp', () => {
  it('MVT\'s files.json (shared storage only): nothing', async () => {
    const { records } = await parseAqf<AqfFileRecord>(files, mvtAndroidqf());
    expect(records.flatMap((r) => fileRule.check(r))).toEqual([]);
  });

  it('HIGH for a file there, "executable" when its mode says so; androidqf\'s own collector and look-alike folders are not', async () => {
    const listing = [
      { path: '/data/local/tmp/pwn', mode: '-rwxr-x---', modified_time: 1700000000 },
      { path: '/data/local/tmp/notes.txt', mode: '-rw-r-----' },
      { path: '/data/local/tmp/collector', mode: '-rwxr-x---' },
      { path: '/data/local/tmpfoo/x', mode: '-rwxr-x---' },
      { path: '/sdcard/Download/a.apk', mode: '-rw-rw----' },
    ];
    const { records } = await parseAqfFiles<AqfFileRecord>(files, { 'files.json': JSON.stringify(listing) });
    expect(fileRule.level).toBe('high');
    expect(fileRule.mvtNeedsIndicators).toBe(true);
    const hits = records.flatMap((r) => fileRule.check(r));
    expect(hits.map((h) => h.message)).toEqual(['Found executable file at suspicious path "/data/local/tmp/pwn"', 'Found file at suspicious path "/data/local/tmp/notes.txt"']);
    expect(hits[0]!.eventTime!.iso()).toBe('2023-11-14T22:13:20.000000Z');
  });
});
