/** Heuristics over the system properties of an androidqf acquisition. */
import type { AqfPropertyRecord } from '../../artifacts/android/aqf_getprop.js';
import { defineRule } from '../rule.js';

/** MVT's "six months": six times 31 days. */
export const patchAgeLimitDays = 6 * 31;

/** Days between a `YYYY-MM-DD` patch level and `now`, or null for a value that is not such a date. */
export function patchAgeDays(value: string, now: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const patch = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(patch);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return null;
  return (now.getTime() - patch) / 86_400_000;
}

export default [
  defineRule<AqfPropertyRecord>({
    id: 'android.aqf_getprop.old_security_patch',
    version: 1,
    artifact: 'android.aqf_getprop',
    level: 'medium',
    title: 'The phone has had no security update for more than six months',
    why: 'ro.build.version.security_patch is the date of the last Android security patch installed. A phone more than six months behind is open to publicly known vulnerabilities, the ones commercial spyware chains and forensic tools use; it also tells the analyst which exploits were possible.',
    innocent: 'Many phones stop receiving updates from their maker after a few years, and some owners postpone updates. An old patch level is a risk to fix, not a sign of infection by itself. The age is measured against today, as MVT does, not against the acquisition date.',
    source: 'MVT AQFGetProp heuristic (reference-spec §10.2)',
    scope: 'record',
    check(record) {
      if (record.name !== 'ro.build.version.security_patch') return [];
      const age = patchAgeDays(record.value, new Date());
      if (age === null || age <= patchAgeLimitDays) return [];
      return [{ message: `This phone has not received security updates for more than six months (last update: ${record.value})` }];
    },
  }),
];
