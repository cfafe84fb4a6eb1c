/** Accessibility services (MVT DumpsysAccessibility, reference-spec §10.3). */
import type { DumpsysAccessibilityRecord } from '../../artifacts/android/dumpsys_accessibility.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<DumpsysAccessibilityRecord>({
    id: 'android.dumpsys_accessibility.service',
    version: 1,
    artifact: 'android.dumpsys_accessibility',
    level: 'medium',
    title: 'An accessibility service is on the phone',
    why: 'An accessibility service can read everything shown on the screen, including messages in end-to-end encrypted apps, and tap and type for the user. Stalkerware and Android spyware ask for it for exactly this reason.',
    innocent: 'Phones ship with some (talkback, switch access, the maker\'s gesture helpers), and password managers, launchers and assistive apps use it. Check that each service belongs to a known app the owner uses.',
    source: 'MVT DumpsysAccessibility heuristic (reference-spec §10.3)',
    scope: 'record',
    check: (r) => [{ message: `Found accessibility service: "${r.service}"` }],
  }),
];
