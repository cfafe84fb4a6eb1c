/** Every Android heuristic, grouped by the artifact it reads, in the artifacts' order. */
import type { AnyRule } from '../rule.js';
import aqfFiles from './aqf_files.js';
import aqfGetprop from './aqf_getprop.js';
import aqfPackages from './aqf_packages.js';
import aqfSettings from './aqf_settings.js';
import dumpsysGetprop from './dumpsys_getprop.js';
import intrusionSecurity from './intrusion_security.js';
import mounts from './mounts.js';
import rootBinaries from './root_binaries.js';
import tombstones from './tombstones.js';

export const androidRules: readonly AnyRule[] = [...aqfPackages, ...aqfGetprop, ...aqfSettings, ...aqfFiles, ...rootBinaries, ...mounts, ...dumpsysGetprop, ...tombstones, ...intrusionSecurity];
