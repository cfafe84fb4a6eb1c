import type { SmsAttachmentRecord } from '../../artifacts/ios/sms_attachments.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<SmsAttachmentRecord>({
    id: 'ios.sms_attachments.var_tmp_received',
    version: 1,
    artifact: 'ios.sms_attachments',
    level: 'medium',
    scope: 'record',
    title: 'Received iMessage attachment stored under /var/tmp/ with a name ending in "-1"',
    why: 'Messages normally stores attachments in the user\'s Library. Attachments received into /var/tmp/ with names ending in "-1" were left behind by zero-click iMessage exploits of the Pegasus FORCEDENTRY era, where the attachment itself carried the exploit.',
    innocent: 'Some iOS versions may stage ordinary transfers in temporary folders; on its own this is a lead to examine with the message, its sender and the time, not proof of an infection.',
    source: 'reference-spec §7.3.16 (MVT SMSAttachments heuristic); https://citizenlab.ca/2021/09/forcedentry-nso-group-imessage-zero-click-exploit-captured-in-the-wild/',
    check(r) {
      if (!(r.filename.startsWith('/var/tmp/') && r.filename.endsWith('-1') && r.direction === 'received')) return [];
      return [{ message: `Suspicious iMessage attachment ${r.filename} on ${r.isodate?.mvt() ?? ''}`, eventTime: r.isodate }];
    },
  }),
];
