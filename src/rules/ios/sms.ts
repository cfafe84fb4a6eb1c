import type { SmsRecord } from '../../artifacts/ios/sms.js';
import { defineRule } from '../rule.js';

/** The opening words of Apple's threat notifications sent by iMessage (old and current wording). */
const APPLE_THREAT_NOTIFICATIONS = [
  'ALERT: State-sponsored attackers may be targeting your iPhone',
  'ALERT: Apple detected a targeted mercenary spyware attack against your iPhone',
];

export default [
  defineRule<SmsRecord>({
    id: 'ios.sms.apple_threat_notification',
    version: 1,
    artifact: 'ios.sms',
    level: 'high',
    scope: 'record',
    title: 'Apple threat notification received',
    why: 'Apple sends this message (together with an email and a banner on appleid.apple.com) when it believes the phone was targeted by state-sponsored or mercenary spyware. It is one of the strongest signals that the owner is a target, even when no infection trace is found.',
    innocent:
      'Scammers imitate these notifications: check that the message came from Apple (an iMessage from Apple, a matching notice at appleid.apple.com) and not from an ordinary phone number. A genuine notice means targeting, not necessarily a successful infection.',
    source: 'https://support.apple.com/en-us/102174 (reference-spec §7.3.15)',
    check(r) {
      // `text` also holds text recovered from attributedBody (iOS 16+), which MVT does not read.
      if (!APPLE_THREAT_NOTIFICATIONS.some((prefix) => r.text.startsWith(prefix))) return [];
      return [{ message: `Apple warning about state-sponsored attack received on ${r.isodate?.mvt() ?? ''}`, eventTime: r.isodate }];
    },
  }),
];
