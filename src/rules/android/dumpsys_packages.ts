/** Rooting apps in the package manager's list (MVT DumpsysPackages, reference-spec §10.3). */
import type { DumpsysPackageRecord } from '../../artifacts/android/dumpsys_packages.js';
import { defineRule } from '../rule.js';
import { rootPackages } from './aqf_packages.js';

export default [
  defineRule<DumpsysPackageRecord>({
    id: 'android.dumpsys_packages.root_package',
    version: 1,
    artifact: 'android.dumpsys_packages',
    level: 'medium',
    title: 'An app that roots the phone or hides root is installed',
    why: 'Rooting apps (Magisk, SuperSU, Xposed, root cloakers) give apps full control of the phone and switch off Android\'s protections. Spyware installed by someone with the phone in hand often needs root; an unexpected rooting app is a reason to look further.',
    innocent: 'Some owners root their own phones to customise them. Ask whether the owner rooted the phone.',
    source: 'MVT DumpsysPackages heuristic (reference-spec §10.3, Appendix B)',
    // Once per name, as MVT: a package listed twice (two users) is one finding.
    scope: 'artifact',
    check(records) {
      const seen = new Set<string>();
      return records
        .filter((r) => rootPackages.has(r.package_name) && !seen.has(r.package_name) && seen.add(r.package_name))
        .map((record) => ({ record, hit: { message: `Found an installed package related to rooting/jailbreaking: "${record.package_name}"` } }));
    },
  }),
];
