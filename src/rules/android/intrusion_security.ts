/** Heuristics over Android's SecurityLog from intrusion logging (MVT SecurityEvent, reference-spec §10.4): MEDIUM each. */
import { cryptoSelfTestPassed, succeeded, type IntrusionSecurityRecord } from '../../artifacts/android/intrusion_security.js';
import { shownTime } from '../../artifacts/android/_intrusion.js';
import { isObject, valueText } from '../../formats/intrusion-logs.js';
import { defineRule } from '../rule.js';

const SOURCE = 'MVT SecurityEvent heuristic (reference-spec §10.4)';
const ARTIFACT = 'android.intrusion_security';
const shown = (p: unknown): string => valueText(p, 500);

export default [
  defineRule<IntrusionSecurityRecord>({
    id: 'android.intrusion_security.cert_authority_installed',
    version: 1,
    artifact: ARTIFACT,
    level: 'medium',
    title: 'A certificate authority was added to the phone',
    why: 'A certificate authority the phone trusts can vouch for any website. Whoever adds one (an app with device-admin rights, someone with the phone in hand) can read and alter the phone\'s encrypted traffic, which stalkerware and network interception kits rely on.',
    innocent: 'Employers install their own authority on managed phones, and some VPN, parental-control and antivirus apps add one. Ask whether the phone is managed and which app installed it; the subject names the authority.',
    source: SOURCE,
    scope: 'record',
    check(r) {
      if (r.tag !== 'cert_authority_installed' || !succeeded(r.payload)) return [];
      const subject = isObject(r.payload) && typeof r.payload.subject === 'string' && r.payload.subject ? r.payload.subject : 'unknown';
      return [{ message: `Certificate authority installed: ${subject}`, eventTime: shownTime(r) }];
    },
  }),
  defineRule<IntrusionSecurityRecord>({
    id: 'android.intrusion_security.cert_validation_failure',
    version: 1,
    artifact: ARTIFACT,
    level: 'medium',
    title: 'A certificate failed validation on the phone',
    why: 'A connection presented a certificate the phone could not verify: what a network attacker intercepting traffic (a fake Wi-Fi, a hostile operator) causes.',
    innocent: 'Captive portals in hotels and airports, a wrong clock on the phone and misconfigured servers cause the same failures. Look at when and how often it happened.',
    source: SOURCE,
    scope: 'record',
    check: (r) => (r.tag === 'cert_validation_failure' ? [{ message: `Certificate validation failure detected: ${shown(r.payload)}`, eventTime: shownTime(r) }] : []),
  }),
  defineRule<IntrusionSecurityRecord>({
    id: 'android.intrusion_security.key_integrity_violation',
    version: 1,
    artifact: ARTIFACT,
    level: 'medium',
    title: 'A cryptographic key failed its integrity check',
    why: 'Android checks that the keys apps keep in its keystore have not been tampered with; a violation means a key or its storage was altered, which an attacker with deep access to the phone could cause.',
    innocent: 'Storage corruption and some system updates cause it too. Repeated violations, or ones near other suspicious events, matter more than one.',
    source: SOURCE,
    scope: 'record',
    check: (r) => (r.tag === 'key_integrity_violation' ? [{ message: `Key integrity violation detected: ${shown(r.payload)}`, eventTime: shownTime(r) }] : []),
  }),
  defineRule<IntrusionSecurityRecord>({
    id: 'android.intrusion_security.wipe_failure',
    version: 1,
    artifact: ARTIFACT,
    level: 'medium',
    title: 'A wipe of the phone failed',
    why: 'A wipe was ordered (by the owner, a device admin or remote management) and did not complete: data someone meant to erase may still be there, or something prevented the wipe.',
    innocent: 'A wipe can fail when the phone loses power or the storage is faulty. Ask who ordered the wipe.',
    source: SOURCE,
    scope: 'record',
    check: (r) => (r.tag === 'wipe_failure' ? [{ message: 'Device wipe failure detected', eventTime: shownTime(r) }] : []),
  }),
  defineRule<IntrusionSecurityRecord>({
    id: 'android.intrusion_security.crypto_self_test_failed',
    version: 1,
    artifact: ARTIFACT,
    level: 'medium',
    title: 'The phone\'s cryptography self test failed',
    why: 'Android tests its cryptographic module at start-up; a failure means the code that protects keys and encryption is not behaving as built, which tampering with the system can cause.',
    innocent: 'Faulty hardware and broken system updates can make the test fail too.',
    source: SOURCE,
    scope: 'record',
    check: (r) => (r.tag === 'crypto_self_test_completed' && !cryptoSelfTestPassed(r.payload) ? [{ message: 'Cryptographic self test failed', eventTime: shownTime(r) }] : []),
  }),
];
