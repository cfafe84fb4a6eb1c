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
import dumpsysPackages from './dumpsys_packages.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';

/** The dumpsys rules, in the dumpsys artifacts' order. */
const dumpsysRules: readonly AnyRule[] = [...dumpsysAccessibility, ...dumpsysAppops, ...dumpsysBatteryDaily, ...dumpsysPackages, ...dumpsysAdbState];

export const androidRules: readonly AnyRule[] = [...aqfPackages, ...aqfGetprop, ...aqfSettings, ...aqfFiles, ...rootBinaries, ...mounts, ...dumpsysRules];
