/** Every platform's heuristic rules, in one list: a new platform adds its rule registry here. */
import { iosRules } from './ios/index.js';
import type { AnyRule } from './rule.js';

export const allRules: readonly AnyRule[] = [...iosRules];
