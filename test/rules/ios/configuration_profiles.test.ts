import { describe, expect, it } from 'vitest';
import type { ConfigurationProfileRecord } from '../../../src/artifacts/ios/configuration_profiles.js';
import rules from '../../../src/rules/ios/configuration_profiles.js';
import type { RecordRule } from '../../../src/rules/rule.js';

const notif = rules[0] as RecordRule<ConfigurationProfileRecord>;
const profile = (payloadType: string, name = 'Notification Helper'): ConfigurationProfileRecord => ({
  file_id: 'f'.repeat(40),
  relative_path: 'Library/ConfigurationProfiles/profile-x.stub',
  domain: 'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles',
  plist: { PayloadDisplayName: name, PayloadUUID: 'U-1', PayloadContent: [{ PayloadType: payloadType }] },
  install_date: null,
});

describe('notification settings profile rule', () => {
  it('raises MEDIUM when the first payload is com.apple.notificationsettings (MVT only does with indicators loaded)', () => {
    expect(notif.level).toBe('medium');
    expect(notif.mvtNeedsIndicators).toBe(true);
    expect(notif.check(profile('com.apple.notificationsettings'))).toEqual([
      { message: 'Found a potentially suspicious configuration profile "Notification Helper" with payload type com.apple.notificationsettings', eventTime: null },
    ]);
  });

  it('stays quiet for other payloads and for profiles without content', () => {
    expect(notif.check(profile('com.apple.vpn.managed'))).toEqual([]);
    expect(notif.check({ ...profile('x'), plist: { PayloadUUID: 'U-2' } })).toEqual([]);
  });
});
