import type { AnyRule } from '../rule.js';

export const iosRules: readonly AnyRule[] = [];
