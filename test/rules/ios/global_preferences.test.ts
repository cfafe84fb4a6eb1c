import { describe, expect, it } from 'vitest';
import globalPreferences, { type GlobalPreferenceRecord } from '../../../src/artifacts/ios/global_preferences.js';
import rules from '../../../src/rules/ios/global_preferences.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

const lockdown = rules[0] as RecordRule<GlobalPreferenceRecord>;

describe('Lockdown Mode rule', () => {
  it('raises MVT\'s single INFORMATIONAL "Lockdown mode enabled" on the MVT test backup', async () => {
    const { records } = await parseBackup<GlobalPreferenceRecord>(globalPreferences, mvtIosBackup());
    expect(records.flatMap((r) => lockdown.check(r))).toEqual([{ message: 'Lockdown mode enabled', level: 'informational' }]);
  });

  it.each([
    [false, [{ message: 'Lockdown mode disabled' }]],
    [0, [{ message: 'Lockdown mode disabled' }]],
    [1, [{ message: 'Lockdown mode enabled', level: 'informational' }]],
  ])('with LDMGlobalEnabled = %s raises %j (rule level LOW when off)', (value, expected) => {
    expect(lockdown.level).toBe('low');
    expect(lockdown.check({ entry: 'LDMGlobalEnabled', value })).toEqual(expected);
  });

  it('says nothing about other settings, nor when the key is absent', () => {
    expect(lockdown.check({ entry: 'AppleLocale', value: 'en_FR' })).toEqual([]);
  });
});
