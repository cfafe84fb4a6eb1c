import type { GlobalPreferenceRecord } from '../../artifacts/ios/global_preferences.js';
import { defineRule } from '../rule.js';

/** MVT tests the value as Python does (`if value:`); iOS stores a boolean, older builds sometimes 0/1. */
function enabled(v: GlobalPreferenceRecord['value']): boolean {
  return !(v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0));
}

export default [
  defineRule<GlobalPreferenceRecord>({
    id: 'ios.global_preferences.lockdown_mode',
    version: 1,
    artifact: 'ios.global_preferences',
    // Off is the finding that matters (LOW); on is reported for context (INFORMATIONAL).
    level: 'low',
    title: 'Lockdown Mode setting',
    why: 'Lockdown Mode is Apple\'s optional hardening for people at risk of mercenary spyware: it turns off the features most exploits come through (message attachments, link previews, some web technologies). Apple and Citizen Lab have seen it block Pegasus exploits. Knowing whether it was on tells how exposed the phone was.',
    innocent: 'Lockdown Mode is off on almost every phone; being off is not a sign of infection, only of a larger attack surface. It being on is a good sign, not proof that the phone was never attacked (it may have been turned on after an infection).',
    source: 'https://support.apple.com/en-us/105120 (reference-spec §7.3.6)',
    scope: 'record',
    check(r) {
      if (r.entry !== 'LDMGlobalEnabled') return [];
      return enabled(r.value) ? [{ message: 'Lockdown mode enabled', level: 'informational' }] : [{ message: 'Lockdown mode disabled' }];
    },
  }),
];
