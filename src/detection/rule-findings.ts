/** A rule's hit on a record, as a finding: the rule's metadata says why it matters and what else it could be. */
import type { Finding } from '../findings/finding.js';
import type { AnyRule, RuleHit } from '../rules/rule.js';
import type { RecordFacts } from './facts.js';

export function ruleFinding(rule: AnyRule, facts: Pick<RecordFacts, 'artifact' | 'record' | 'evidence'>, hit: RuleHit): Finding {
  return {
    level: hit.level ?? rule.level,
    artifact: facts.artifact,
    message: hit.message,
    explanation: `${rule.why} ${rule.innocent ? `Innocent explanations: ${rule.innocent}` : ''}`.trim(),
    eventTime: hit.eventTime ?? null,
    record: facts.record,
    evidence: facts.evidence,
    rule: { id: rule.id, version: rule.version, source: rule.source },
  };
}
