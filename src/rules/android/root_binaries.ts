/** Root tools on the phone (MVT RootBinaries). */
import type { RootBinaryRecord } from '../../artifacts/android/root_binaries.js';
import { defineRule } from '../rule.js';

export default [
  defineRule<RootBinaryRecord>({
    id: 'android.root_binaries.root_binary',
    version: 1,
    artifact: 'android.root_binaries',
    level: 'high',
    title: 'A root tool is on the phone',
    why: 'su, Magisk and similar tools give any app that asks full control of the phone, past Android\'s isolation between apps. Spyware installed by someone with the phone in hand often roots it first; an unexplained root tool is a strong reason to examine the phone further.',
    innocent: 'Owners root their own phones to customise them, and some custom ROMs ship BusyBox. Ask whether the owner rooted the phone or installed a custom ROM.',
    source: 'MVT RootBinaries heuristic (reference-spec §10.2)',
    scope: 'record',
    check: (r) => [{ message: `Found root binary "${r.binary_name}" at path "${r.path}"` }],
  }),
];
