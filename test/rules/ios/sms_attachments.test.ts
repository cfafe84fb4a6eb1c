import { describe, expect, it } from 'vitest';
import { fromCocoa } from '../../../src/formats/time.js';
import { decodeSmsAttachmentRow, type SmsAttachmentRecord } from '../../../src/artifacts/ios/sms_attachments.js';
import rules from '../../../src/rules/ios/sms_attachments.js';
import type { RecordRule } from '../../../src/rules/rule.js';

const rule = rules.find((r) => r.id === 'ios.sms_attachments.var_tmp_received') as RecordRule<SmsAttachmentRecord>;

/** An attachment row as sms.db gives it (created 2021-08-07 03:33:20 UTC). */
const attachment = (filename: string | null, is_outgoing = 0) =>
  decodeSmsAttachmentRow({ ROWID: 7, attachment_id: 7, guid: 'g', created_date: 650000000, start_date: 0, filename, is_outgoing, user_info: null, transfer_name: 'x', total_bytes: 1, service: 'iMessage', phone_number: '+14155550100' });

describe('ios.sms_attachments.var_tmp_received', () => {
  it('is a MEDIUM record rule on ios.sms_attachments that MVT runs without indicators', () => {
    expect(rule).toMatchObject({ artifact: 'ios.sms_attachments', level: 'medium', scope: 'record', version: 1 });
    expect(rule.mvtNeedsIndicators).toBeUndefined();
  });

  it('flags a received attachment stored under /var/tmp/ whose name ends in -1', () => {
    const r = attachment('/var/tmp/com.apple.messages/F7A5/IMG_0001.GIF-1');
    expect(rule.check(r)).toEqual([
      { message: 'Suspicious iMessage attachment /var/tmp/com.apple.messages/F7A5/IMG_0001.GIF-1 on 2021-08-07 03:33:20.000000', eventTime: fromCocoa(650000000) },
    ]);
  });

  it.each([
    ['sent, not received', '/var/tmp/com.apple.messages/x-1', 1],
    ['not ending in -1', '/var/tmp/com.apple.messages/IMG_0001.GIF', 0],
    ['ending in -10', '/var/tmp/com.apple.messages/IMG_0001.GIF-10', 0],
    ['in the user\'s Library', '~/Library/SMS/Attachments/ab/IMG_0001.GIF-1', 0],
    ['/private/var/tmp (MVT compares the literal prefix)', '/private/var/tmp/x-1', 0],
    ['without a file name', null, 0],
  ])('does not flag an attachment %s', (_name, filename, outgoing) => {
    expect(rule.check(attachment(filename, outgoing))).toEqual([]);
  });
});
