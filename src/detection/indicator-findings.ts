/**
 * Indicator matches of one record's observables, as findings. The level and the explanation come from the
 * one policy in findings/explain.ts; this file only decides which matches are distinct.
 */
import { explainMatch, levelForMatch } from '../findings/explain.js';
import type { Finding } from '../findings/finding.js';
import { toIndicatorRef } from './indicator-ref.js';
import type { Matcher } from '../indicators/match.js';
import type { RecordFacts } from './facts.js';

/** A finding that names the indicator it matched and how. */
export type IndicatorFinding = Finding & Required<Pick<Finding, 'indicator' | 'match'>>;

/**
 * One finding per (collection, indicator, observed value): a URL listed in two fields of the same record, or
 * matching both as a URL and by its domain, is reported once per indicator, not once per way it matched. A
 * process indicator that matched the record's process by name is not reported again as a name in its path
 * (shutdown.log's `/private/var/db/…/roleaccountd`): "only a mention" would contradict the finding above it.
 */
export function indicatorFindings(facts: RecordFacts, matcher: Matcher): IndicatorFinding[] {
  if (matcher.size === 0) return [];
  const out: IndicatorFinding[] = [];
  // Made at the first match: almost every record has none (a backup's 100,000 Manifest rows, say).
  let seen: Set<string> | undefined;
  for (const observable of facts.observables) {
    if (!observable.value) continue;
    for (const m of matcher.match(observable)) {
      const key = `${m.indicator.collection.id}\u0000${m.indicator.kind}\u0000${m.indicator.value}\u0000${observable.value}`;
      seen ??= new Set();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        level: levelForMatch(observable, { kind: m.kind, indicator: m.indicator.value }),
        artifact: facts.artifact,
        message: m.message,
        explanation: explainMatch(m.kind, observable, m.indicator.collection.name, m.indicator.value),
        eventTime: null,
        record: facts.record,
        evidence: facts.evidence,
        indicator: toIndicatorRef(m.indicator),
        match: { kind: m.kind, observed: observable.value, field: observable.field },
      });
    }
  }
  if (out.length === 0) return out;
  const ranByName = new Set(out.filter((f) => f.match.kind === 'process' || f.match.kind === 'process-truncated').map(indicatorKey));
  return ranByName.size === 0 ? out : out.filter((f) => f.match.kind !== 'process-in-path' || !ranByName.has(indicatorKey(f)));
}

const indicatorKey = (f: IndicatorFinding) => `${f.indicator.collection.id}\u0000${f.indicator.value}`;
