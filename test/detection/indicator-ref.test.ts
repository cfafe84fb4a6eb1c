import { describe, expect, it } from 'vitest';
import { toIndicatorRef } from '../../src/detection/indicator-ref.js';
import { collectionsOf } from '../indicators/bundle.js';

describe('toIndicatorRef', () => {
  it('keeps the value, key, bucket, collection and file, without the back-reference', () => {
    const [c] = collectionsOf({ malware: ['M'], indicators: [{ id: 'indicator--1', pattern: "[domain-name:value='Evil.com']", malware: 'M' }] }, 'feed.stix2');
    expect(toIndicatorRef(c!.indicators[0]!)).toEqual({
      value: 'evil.com',
      key: 'domain-name:value',
      bucket: 'domains',
      collection: { id: 'malware--00000000-0000-4000-8000-000000000000', name: 'M' },
      file: { path: '/fixtures/feed.stix2', name: 'feed.stix2', sha256: '0'.repeat(64) },
      stixId: 'indicator--1',
    });
  });
});
