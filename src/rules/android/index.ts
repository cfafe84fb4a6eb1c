/** Every Android heuristic, grouped by the artifact it reads, in the artifacts' order. */
import type { AnyRule } from '../rule.js';
import aqfGetprop from './aqf_getprop.js';
import aqfPackages from './aqf_packages.js';

export const androidRules: readonly AnyRule[] = [...aqfPackages, ...aqfGetprop];
