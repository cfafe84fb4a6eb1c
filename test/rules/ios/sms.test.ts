import { describe, expect, it } from 'vitest';
import sms, { type SmsRecord } from '../../../src/artifacts/ios/sms.js';
import rules from '../../../src/rules/ios/sms.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes } from '../../fixtures/sms.js';
import { typedstreamBody } from '../../fixtures/typedstream.js';

const rule = rules.find((r) => r.id === 'ios.sms.apple_threat_notification') as RecordRule<SmsRecord>;

async function messages(): Promise<SmsRecord[]> {
  const data = smsDbBytes((db) => {
    const apple = insertHandle(db, 'apple');
    const friend = insertHandle(db, '+14155550100');
    insertMessage(db, { guid: 'old-wording', handle_id: apple, date: 690000000000000000n, text: 'ALERT: State-sponsored attackers may be targeting your iPhone. Apple believes…' });
    insertMessage(db, { guid: 'new-wording', handle_id: apple, date: 700000000000000000n, text: 'ALERT: Apple detected a targeted mercenary spyware attack against your iPhone.' });
    // iOS 16+: the text column is NULL and the warning lives only in attributedBody (MVT misses this one).
    insertMessage(db, { guid: 'body-only', handle_id: apple, date: 710000000000000000n, text: null, attributedBody: typedstreamBody('ALERT: Apple detected a targeted mercenary spyware attack against your iPhone.') });
    insertMessage(db, { guid: 'quoted', handle_id: friend, date: 710000001000000000n, text: 'Did you see "ALERT: Apple detected a targeted mercenary spyware attack against your iPhone"?' });
    insertMessage(db, { guid: 'ordinary', handle_id: friend, date: 710000002000000000n, text: 'See you at 8' });
  });
  return (await parseBackup<SmsRecord>(sms, smsBackup(data))).records;
}

describe('ios.sms.apple_threat_notification', () => {
  it('is a HIGH record rule on ios.sms that MVT runs without indicators', () => {
    expect(rule).toMatchObject({ artifact: 'ios.sms', level: 'high', scope: 'record', version: 1 });
    expect(rule.mvtNeedsIndicators).toBeUndefined();
    expect(rule.why.length).toBeGreaterThan(40);
    expect(rule.innocent.length).toBeGreaterThan(40);
  });

  it('flags both wordings of Apple\'s notification, also when only attributedBody holds the text', async () => {
    const hits = (await messages()).map((r) => [r.guid, rule.check(r).map((h) => [h.message, h.eventTime?.mvt()])]);
    expect(hits).toEqual([
      ['old-wording', [['Apple warning about state-sponsored attack received on 2022-11-13 02:40:00.000000', '2022-11-13 02:40:00.000000']]],
      ['new-wording', [['Apple warning about state-sponsored attack received on 2023-03-08 20:26:40.000000', '2023-03-08 20:26:40.000000']]],
      ['body-only', [['Apple warning about state-sponsored attack received on 2023-07-02 14:13:20.000000', '2023-07-02 14:13:20.000000']]],
      ['quoted', []],
      ['ordinary', []],
    ]);
  });

  it('raises nothing on the MVT test backup (MVT: 0 alerts without indicators)', async () => {
    const { records } = await parseBackup<SmsRecord>(sms, mvtIosBackup());
    expect(records.flatMap((r) => rule.check(r))).toEqual([]);
  });
});
