/** The NetBase heuristics of `datausage.ts` over networkd's netusage.sqlite, which only a filesystem dump has. */
import { netBaseRules, noBinaryRule } from './datausage.js';

export default [...netBaseRules('ios.netusage'), noBinaryRule('ios.netusage')];
