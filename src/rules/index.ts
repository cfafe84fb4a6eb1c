/** Every platform's heuristic rules, in one list: a new platform adds its rule registry here. */
import { androidRules } from './android/index.js';
import { iosRules } from './ios/index.js';
import type { AnyRule } from './rule.js';

export const allRules: readonly AnyRule[] = [...iosRules, ...androidRules];
