/** Every Android heuristic, grouped by the artifact it reads, in the artifacts' order. */
import type { AnyRule } from '../rule.js';
import aqfFiles from './aqf_files.js';
import aqfGetprop from './aqf_getprop.js';
import aqfPackages from './aqf_packages.js';
import aqfSettings from './aqf_settings.js';
import dumpsysAccessibility from './dumpsys_accessibility.js';
import dumpsysAdbState from './dumpsys_adb_state.js';
import dumpsysAppops from './dumpsys_appops.js';
import dumpsysBatteryDaily from './dumpsys_battery_daily.js';
import dumpsysGetprop from './dumpsys_getprop.js';
import dumpsysPackages from './dumpsys_packages.js';
import intrusionSecurity from './intrusion_security.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import tombstones from './tombstones.js';

/** The rules of a bugreport's modules, in their artifacts' order. */
const bugreportRules: readonly AnyRule[] = [...dumpsysAccessibility, ...dumpsysAppops, ...dumpsysBatteryDaily, ...dumpsysGetprop, ...dumpsysPackages, ...dumpsysAdbState, ...tombstones];

export const androidRules: readonly AnyRule[] = [...aqfPackages, ...aqfGetprop, ...aqfSettings, ...aqfFiles, ...rootBinaries, ...mounts, ...bugreportRules, ...intrusionSecurity];
