/** The configuration-profile heuristic of the backup artifact (reference-spec §7.1.2), on the sysdiagnose's copies. */
import type { SysdiagnoseProfileRecord } from '../../artifacts/ios/sysdiagnose_profiles.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<SysdiagnoseProfileRecord>({
    id: 'ios.sysdiagnose_profiles.notification_settings',
    version: 1,
    artifact: 'ios.sysdiagnose_profiles',
    level: 'medium',
    title: 'Configuration profile that changes notification settings',
    why: "This installed profile's first payload sets notification settings (com.apple.notificationsettings). A profile like this can silence or hide the notifications of chosen apps without the user touching Settings, which spyware operators can use to keep their traces or warnings out of sight. MVT flags the same profile in backups for review.",
    innocent: 'Companies and schools use MDM profiles that manage notifications for their apps. Check who issued the profile (its name, organisation and signer) and whether the phone is, or was, managed by an employer or school.',
    source: 'reference-spec §7.1.2 (MVT ConfigurationProfiles), applied to logs/MCState/Shared/profile-*.stub',
    scope: 'record',
    check(r) {
      if (r.payload_types[0] !== 'com.apple.notificationsettings') return [];
      return [{ message: `Found a potentially suspicious configuration profile "${r.display_name ?? 'None'}" with payload type com.apple.notificationsettings`, eventTime: r.install_date }];
    },
  }),
];
