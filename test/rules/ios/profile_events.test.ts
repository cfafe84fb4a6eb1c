import { describe, expect, it } from 'vitest';
import type { ProfileEventRecord } from '../../../src/artifacts/ios/profile_events.js';
import rules from '../../../src/rules/ios/profile_events.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { fromDate } from '../../../src/formats/time.js';

const everyEvent = rules[0] as RecordRule<ProfileEventRecord>;

describe('profile operation rule', () => {
  it('raises LOW for every profile event, in MVT\'s words, dated by the event', () => {
    expect(everyEvent.level).toBe('low');
    const when = fromDate(new Date(Date.UTC(2021, 5, 1, 8, 30, 0)));
    const hits = everyEvent.check({ profile_id: 'com.example.notifications', timestamp: when, operation: 'install', process: 'profiled' });
    expect(hits).toEqual([{ message: 'On 2021-06-01 08:30:00.000000 process "profiled" started operation "install" of profile "com.example.notifications"', eventTime: when }]);
  });

  it('still reports an event with no time or process', () => {
    const hits = everyEvent.check({ profile_id: 'p', timestamp: null, operation: '', process: '' });
    expect(hits).toEqual([{ message: 'On  process "" started operation "" of profile "p"', eventTime: null }]);
  });
});
