import { profileEventText, type ProfileEventRecord } from '../../artifacts/ios/profile_events.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<ProfileEventRecord>({
    id: 'ios.profile_events.profile_operation',
    version: 1,
    artifact: 'ios.profile_events',
    level: 'low',
    title: 'A configuration profile was installed, changed or removed',
    why: 'Configuration profiles can route the phone\'s traffic through a VPN, make it trust a certificate or change its settings. Spyware operators have used them, and a profile installed and then removed leaves only this event behind. Every such operation is listed so that an analyst can check it.',
    innocent: 'Most profile events are ordinary: beta software, an employer\'s or school\'s device management, a VPN or carrier profile. Check the profile identifier and the process, and ask the user whether they installed it.',
    source: 'reference-spec §7.1.4 (MVT ProfileEvents)',
    scope: 'record',
    check(r) {
      return [
        {
          message: `On ${r.timestamp?.mvt() ?? ''} process "${profileEventText(r.process)}" started operation "${profileEventText(r.operation)}" of profile "${r.profile_id}"`,
          eventTime: r.timestamp,
        },
      ];
    },
  }),
];
