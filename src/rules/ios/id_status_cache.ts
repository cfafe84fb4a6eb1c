import type { IdStatusCacheRecord } from '../../artifacts/ios/id_status_cache.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<IdStatusCacheRecord>({
    id: 'ios.id_status_cache.nul_in_identity',
    version: 1,
    artifact: 'ios.id_status_cache',
    level: 'high',
    title: 'Identity lookup containing NUL characters',
    why: 'The phone looked up an iMessage/FaceTime identity whose text contains two NUL characters. No address or phone number a person types contains them; they appear when an attacker crafts malformed account names to reach the phone through Apple\'s messaging services, a pattern MVT flags as suspicious.',
    innocent: 'A bug in a third-party app using Apple\'s identity services could in principle produce such a lookup. Check the service it was made for and the time, and look for other traces around then.',
    source: 'reference-spec §7.3.7 (MVT IDStatusCache)',
    mvtNeedsIndicators: true,
    scope: 'record',
    check(r) {
      // MVT tests email indicators on `mailto:` identities and this pattern on the others.
      if (r.user.startsWith('mailto:') || !r.user.includes('\\x00\\x00')) return [];
      return [{ message: `Found an ID Status Cache entry with suspicious patterns: ${r.user}`, eventTime: r.isodate }];
    },
  }),
];
