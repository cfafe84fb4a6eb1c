/**
 * Detection as its own step: compiled indicators and heuristic rules in, a pure function from a record's
 * facts to findings out. It never reads evidence, so the same detector serves the live check and a re-check
 * of stored observables when new indicators appear.
 */
import type { Finding } from '../findings/finding.js';
import type { Matcher } from '../indicators/match.js';
import type { AnyRule, ArtifactRule, MatchedObservable, MatchedRecordRule, RecordRule } from '../rules/rule.js';
import type { RecordFacts } from './facts.js';
import { indicatorFindings, type IndicatorFinding } from './indicator-findings.js';
import { ruleFinding } from './rule-findings.js';

export interface Detector {
  /**
   * Every finding about one record, in a stable order: its indicator matches, then the rules that correlate
   * those matches with the record (`matched`), then the record rules.
   */
  record(facts: RecordFacts): Finding[];
  /** True when the artifact has rules over all its records: the caller keeps its records for `artifact()`. */
  needsAllRecords(artifactId: string): boolean;
  /** Findings of the artifact-scope rules over every record of one artifact (DataUsage compares rows). */
  artifact(artifactId: string, records: readonly RecordFacts[]): Finding[];
}

interface ArtifactRules {
  readonly record: readonly RecordRule<unknown>[];
  readonly artifact: readonly ArtifactRule<unknown>[];
  readonly matched: readonly MatchedRecordRule<unknown>[];
}

const NO_RULES: ArtifactRules = { record: [], artifact: [], matched: [] };

export function createDetector(matcher: Matcher, rules: readonly AnyRule[]): Detector {
  const byArtifact = groupRules(rules);
  const rulesOf = (artifactId: string) => byArtifact.get(artifactId) ?? NO_RULES;
  return {
    record(facts) {
      const own = rulesOf(facts.artifact);
      const matches = indicatorFindings(facts, matcher);
      const found: Finding[] = [...matches];
      if (matches.length > 0 && own.matched.length > 0) {
        const matched = matches.map(matchedObservable);
        for (const rule of own.matched) for (const hit of rule.check(facts.record, matched)) found.push(ruleFinding(rule, facts, hit));
      }
      for (const rule of own.record) for (const hit of rule.check(facts.record)) found.push(ruleFinding(rule, facts, hit));
      return found;
    },
    needsAllRecords: (artifactId) => rulesOf(artifactId).artifact.length > 0,
    artifact(artifactId, records) {
      const own = rulesOf(artifactId).artifact;
      if (own.length === 0) return [];
      // Rules see bare records and name the one a hit is about; the facts give it back its evidence.
      const factsOf = new Map(records.map((f) => [f.record, f]));
      const bare = records.map((f) => f.record);
      const found: Finding[] = [];
      for (const rule of own) for (const { record, hit } of rule.check(bare)) found.push(ruleFinding(rule, factsOf.get(record)!, hit));
      return found;
    },
  };
}

function groupRules(rules: readonly AnyRule[]): Map<string, ArtifactRules> {
  const out = new Map<string, { record: RecordRule<unknown>[]; artifact: ArtifactRule<unknown>[]; matched: MatchedRecordRule<unknown>[] }>();
  for (const rule of rules) {
    let own = out.get(rule.artifact);
    if (!own) out.set(rule.artifact, (own = { record: [], artifact: [], matched: [] }));
    if (rule.scope === 'record') own.record.push(rule);
    else if (rule.scope === 'artifact') own.artifact.push(rule);
    else own.matched.push(rule);
  }
  return out;
}

/** What a matched rule is told about an indicator finding. */
function matchedObservable(f: IndicatorFinding): MatchedObservable {
  return { field: f.match.field, observed: f.match.observed, indicator: f.indicator.value };
}
