/** Every platform's heuristic rules, in one list: a new platform adds its rule registry here. */
import { androidRules } from './android/index.js';
import { iosRules } from './ios/index.js';
import type { SourceKind } from '../evidence/source.js';
import type { AnyRule } from './rule.js';

export const allRules: readonly AnyRule[] = [...iosRules, ...androidRules];

/** The rules that run on an acquisition of this kind: a rule written for some kinds only is not run, nor listed, elsewhere. */
export function rulesFor(kind: SourceKind): AnyRule[] {
  return allRules.filter((r) => r.sources === undefined || r.sources.includes(kind));
}
