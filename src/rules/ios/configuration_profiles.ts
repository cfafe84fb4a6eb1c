import { firstPayloadType, type ConfigurationProfileRecord } from '../../artifacts/ios/configuration_profiles.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<ConfigurationProfileRecord>({
    id: 'ios.configuration_profiles.notification_settings',
    version: 1,
    artifact: 'ios.configuration_profiles',
    level: 'medium',
    title: 'Configuration profile that changes notification settings',
    why: 'This installed profile\'s first payload sets notification settings (com.apple.notificationsettings). A profile like this can silence or hide the notifications of chosen apps without the user touching Settings, which spyware operators can use to keep their traces or warnings out of sight. MVT flags it for review.',
    innocent: 'Companies and schools use MDM profiles that manage notifications for their apps. Check who issued the profile (its name, organisation and signer) and whether the phone is, or was, managed by an employer or school.',
    source: 'reference-spec §7.1.2 (MVT ConfigurationProfiles)',
    mvtNeedsIndicators: true,
    scope: 'record',
    check(r) {
      if (firstPayloadType(r) !== 'com.apple.notificationsettings') return [];
      const name = typeof r.plist.PayloadDisplayName === 'string' ? r.plist.PayloadDisplayName : 'None';
      return [{ message: `Found a potentially suspicious configuration profile "${name}" with payload type com.apple.notificationsettings`, eventTime: r.install_date }];
    },
  }),
];
