/**
 * Heuristics that need no indicators. Metadata is static (enough to document a rule with no case open);
 * `check` is a pure function of one record, or of all records of an artifact for rules that compare rows.
 */
import type { SourceKind } from '../evidence/kinds.js';
import type { Moment } from '../formats/time.js';
import type { Level } from '../findings/finding.js';

export interface RuleHit {
  readonly message: string;
  readonly eventTime?: Moment | null;
  /** A rule may raise a different level for a weaker variant (Lockdown Mode on vs. off). */
  readonly level?: Level;
}

interface RuleMeta {
  /** `<artifact or family>.<what it detects>` */
  readonly id: string;
  readonly version: number;
  readonly artifact: string;
  readonly level: Level;
  readonly title: string;
  /** Why this matters, for a non-expert. */
  readonly why: string;
  /** The innocent explanations an analyst must rule out. */
  readonly innocent: string;
  /** The public report or reference the heuristic comes from. */
  readonly source: string;
  /** True when MVT only runs this heuristic with indicators loaded (we always run it; see differences doc). */
  readonly mvtNeedsIndicators?: boolean;
  /** The acquisition kinds the rule applies to, when not all that its artifact reads (a binary is only looked for on a dump). */
  readonly sources?: readonly SourceKind[];
}

export interface RecordRule<R> extends RuleMeta {
  readonly scope: 'record';
  check(record: R): RuleHit[];
}

/** Sees every record of its artifact at once, each hit naming the record it is about. */
export interface ArtifactRule<R> extends RuleMeta {
  readonly scope: 'artifact';
  check(records: readonly R[]): { record: R; hit: RuleHit }[];
}

/** What matched on a record, for rules that correlate a record's structure with an indicator hit. */
export interface MatchedObservable {
  readonly field: string;
  readonly observed: string;
  readonly indicator: string;
}

/**
 * Runs only on records whose observables matched indicators, with what matched: a correlation (a redirect chain
 * through a known-bad domain), still a pure function of its inputs.
 */
export interface MatchedRecordRule<R> extends RuleMeta {
  readonly scope: 'matched';
  check(record: R, matched: readonly MatchedObservable[]): RuleHit[];
}

export type Rule<R> = RecordRule<R> | ArtifactRule<R> | MatchedRecordRule<R>;
export type AnyRule = Rule<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineRule<R>(rule: Rule<R>): Rule<R> {
  return rule;
}
