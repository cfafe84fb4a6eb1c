/**
 * Trusted adb computers compared with the computer that made the androidqf acquisition (MVT DumpsysADBState,
 * reference-spec §10.3): a key the phone trusts that is not the acquiring computer's was put there by someone
 * else's computer.
 */
import type { DumpsysAdbStateRecord } from '../../artifacts/android/dumpsys_adb_state.js';
import { isValidAdbKey, type AdbKey } from '../../formats/dumpsys-adb.js';
import { Moment } from '../../formats/time.js';
import { defineRule, type RuleHit } from '../rule.js';

const DAY_MS = 86_400_000;

/** Keystore entries first, then user_keys, once per key material. */
export function trustedKeys(r: DumpsysAdbStateRecord): AdbKey[] {
  const seen = new Set<string>();
  return [...r.keystore, ...r.user_keys].filter((k) => !seen.has(k.key) && seen.add(k.key));
}

export default [
  defineRule<DumpsysAdbStateRecord>({
    id: 'android.dumpsys_adb_state.trusted_key',
    version: 1,
    artifact: 'android.dumpsys_adb_state',
    level: 'low',
    title: 'The phone trusts a computer for USB debugging',
    why: 'A computer whose adb key the phone trusts can install apps, read data and change settings over USB (or Wi-Fi) debugging without the owner unlocking or touching the phone again. Installing stalkerware by hand usually leaves such a key behind. A key that is not the one of the computer used for this check belongs to another computer.',
    innocent: 'Developers, repair shops and earlier checks (another helpline computer) leave trusted keys too. Ask the owner who connected the phone to a computer; revoking USB debugging authorisations in the developer options removes them all.',
    source: 'MVT DumpsysADBState heuristic (reference-spec §10.3)',
    scope: 'record',
    check(r) {
      // Without an androidqf acquisition there is no acquiring computer to compare with (MVT: debug logs only).
      if (!r.acquisition) return [];
      const hostToken = r.acquisition.host_key?.trim().split(/\s+/)[0] ?? '';
      const hostKey = isValidAdbKey(hostToken) ? hostToken : null;
      const cutoffMs = r.acquisition.started ? r.acquisition.started.date.getTime() - DAY_MS : null;
      const out: RuleHit[] = [];
      for (const k of trustedKeys(r)) {
        const eventTime = k.last_connected !== undefined ? Moment.fromUnixSeconds(k.last_connected / 1000, 'unix_ms', k.last_connected) : null;
        const who = `${k.fingerprint} (${k.user})`;
        if (!isValidAdbKey(k.key)) out.push({ message: `Found an invalid trusted ADB host key: ${who}`, eventTime });
        else if (hostKey === null) out.push({ message: `Found a trusted ADB host key, but the AndroidQF acquisition does not include its host key: ${who}`, eventTime });
        else if (hostKey !== k.key) out.push({ message: `Found a trusted ADB host key different from the AndroidQF acquisition host: ${who}`, eventTime });
        else if (k.last_connected !== undefined && cutoffMs !== null && k.last_connected <= cutoffMs) {
          out.push({ message: `Found a trusted ADB host key last connected at least one day before the AndroidQF acquisition: ${who}`, eventTime, level: 'informational' });
        }
      }
      return out;
    },
  }),
];


