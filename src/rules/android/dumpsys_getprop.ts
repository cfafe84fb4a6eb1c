/** Heuristics over the system properties of a bugreport (MVT DumpsysGetProp, the same as AQFGetProp). */
import type { DumpsysPropertyRecord } from '../../artifacts/android/dumpsys_getprop.js';
import { defineRule } from '../rule.js';
import oldPatch from './aqf_getprop.js';

const aqf = oldPatch[0]!;

export default [
  defineRule<DumpsysPropertyRecord>({
    ...aqf,
    id: 'android.dumpsys_getprop.old_security_patch',
    artifact: 'android.dumpsys_getprop',
    source: 'MVT DumpsysGetProp heuristic (reference-spec §10.3, as AQFGetProp)',
  }),
];
