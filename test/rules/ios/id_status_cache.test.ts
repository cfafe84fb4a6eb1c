import { describe, expect, it } from 'vitest';
import type { IdStatusCacheRecord } from '../../../src/artifacts/ios/id_status_cache.js';
import rules from '../../../src/rules/ios/id_status_cache.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { fromCocoa } from '../../../src/formats/time.js';

const nul = rules[0] as RecordRule<IdStatusCacheRecord>;
const lookup = (user: string): IdStatusCacheRecord => ({ package: 'com.apple.madrid', user, isodate: fromCocoa(700000000), idstatus: 2, occurrences: 1 });

describe('ID status cache NUL rule', () => {
  it('raises HIGH for an identity with two NUL characters, dated by the lookup', () => {
    expect(nul.level).toBe('high');
    expect(nul.mvtNeedsIndicators).toBe(true);
    const hits = nul.check(lookup('tel:+1555\\x00\\x001234'));
    expect(hits.map((h) => h.message)).toEqual(['Found an ID Status Cache entry with suspicious patterns: tel:+1555\\x00\\x001234']);
    expect(hits[0]!.eventTime?.mvt()).toBe('2023-03-08 20:26:40.000000');
  });

  it.each(['tel:+15551234', 'tel:+1555\\x001234', 'mailto:a\\x00\\x00@example.org'])('stays quiet for %s (one NUL, none, or a mailto: identity as in MVT)', (user) => {
    expect(nul.check(lookup(user))).toEqual([]);
  });
});
