/** Risky app operations (MVT DumpsysAppops, reference-spec §10.3). */
import type { DumpsysAppopsRecord } from '../../artifacts/android/dumpsys_appops.js';
import { compareMoments } from '../../formats/time.js';
import { defineRule, type RuleHit } from '../rule.js';

const RISKY_PERMISSION = 'REQUEST_INSTALL_PACKAGES';
const SHELL = 'com.android.shell';

/** MVT's rendering of an entry time in its messages (`2022-02-02 23:20:13.096000`), "" when there is none. */
const shown = (hit: { timestamp: { mvt(): string } | null }) => hit.timestamp?.mvt() ?? '';

export default [
  defineRule<DumpsysAppopsRecord>({
    id: 'android.dumpsys_appops.risky_permission',
    version: 1,
    artifact: 'android.dumpsys_appops',
    level: 'medium',
    title: 'An app may install other apps, or the adb shell used an app operation',
    why: 'REQUEST_INSTALL_PACKAGES lets an app install other apps from files it downloads: droppers use it to bring in spyware after a harmless-looking first app. Operations of the adb shell (com.android.shell) were done from a computer connected over USB debugging.',
    innocent: 'Browsers, file managers, messengers and alternative app stores ask for REQUEST_INSTALL_PACKAGES to open downloaded APKs; shell operations come from anyone who used adb, the owner or a repair shop included. Ask whether the owner installs apps from outside the store or uses adb.',
    source: 'MVT DumpsysAppops heuristic (reference-spec §10.3)',
    scope: 'record',
    check(r) {
      const out: RuleHit[] = [];
      for (const p of r.permissions) {
        const shell = r.package_name === SHELL;
        if (p.name !== RISKY_PERMISSION && !shell) continue;
        const entries = p.entries.length > 0 ? [...p.entries].sort((a, b) => compareMoments(a.timestamp, b.timestamp)) : [{ access: 'Unknown', timestamp: null }];
        for (const e of entries) {
          const message = shell
            ? `Risky package '${r.package_name}' had '${p.name}' permission set to '${e.access}' at ${shown(e)}`
            : `Package '${r.package_name}' had risky permission '${p.name}' set to '${e.access}' at ${shown(e)}`;
          out.push({ message, eventTime: e.timestamp });
        }
      }
      return out;
    },
  }),
];
