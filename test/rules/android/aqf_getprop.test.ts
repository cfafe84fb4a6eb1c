import { describe, expect, it } from 'vitest';
import getprop, { type AqfPropertyRecord } from '../../../src/artifacts/android/aqf_getprop.js';
import rules, { patchAgeDays } from '../../../src/rules/android/aqf_getprop.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { mvtAndroidqf, parseAqf } from '../../artifacts/android/_aqf.js';

const rule = rules[0] as RecordRule<AqfPropertyRecord>;
const patch = (value: string) => rule.check({ name: 'ro.build.version.security_patch', value });
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('old security patch', () => {
  it('is MEDIUM with MVT\'s message when the patch is more than 6×31 days old', () => {
    expect(rule.level).toBe('medium');
    expect(patch('2019-03-05')).toEqual([{ message: 'This phone has not received security updates for more than six months (last update: 2019-03-05)' }]);
    expect(patch(daysAgo(200))).toHaveLength(1);
  });

  it('says nothing for a recent patch, another property, or a value that is not a date', () => {
    expect(patch(daysAgo(30))).toEqual([]);
    expect(patch(daysAgo(180))).toEqual([]);
    expect(rule.check({ name: 'ro.build.version.release', value: '2019-03-05' })).toEqual([]);
    expect(patch('')).toEqual([]);
    expect(patch('2019-02-30')).toEqual([]);
    expect(patch('March 2019')).toEqual([]);
  });

  it('MVT\'s test getprop has no patch level: no finding', async () => {
    const { records } = await parseAqf<AqfPropertyRecord>(getprop, mvtAndroidqf());
    expect(records.flatMap((r) => rule.check(r))).toEqual([]);
  });

  it('patchAgeDays counts whole days from midnight UTC', () => {
    expect(patchAgeDays('2024-01-01', new Date('2024-01-11T00:00:00Z'))).toBe(10);
  });
});
