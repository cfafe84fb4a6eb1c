/**
 * The plain-language summary for the person whose phone was checked: what was found, how sure we are, what
 * to do next, and what was and was not checked. Pure text (the renderer escapes it), so its wording is
 * tested directly. "Nothing found" is never phrased as "clean": a check only sees what the acquisition held
 * and what the indicators knew on that day.
 */
import { reportLevels, type CoverageEntry, type ReportFinding, type ReportLevel, type ReportModel } from './model.js';

export type Verdict = 'strong' | 'review' | 'nothing-found';

export interface Summary {
  readonly verdict: Verdict;
  /** One sentence, the first thing the person reads. */
  readonly headline: string;
  /** What was found, in words. */
  readonly found: string;
  /** How sure we are. */
  readonly certainty: string;
  /** What to do next, as steps. */
  readonly nextSteps: readonly string[];
  /** What was and was not checked. */
  readonly checked: string;
  /** Areas that could not be checked, by title, one sentence per kind of gap. */
  readonly gaps: readonly string[];
  readonly counts: Readonly<Record<ReportLevel, number>>;
}

export const HELP_LINE =
  'If you need help, contact a digital-security helpline such as Access Now (https://www.accessnow.org/help/) or Amnesty International’s Security Lab (https://securitylab.amnesty.org/get-help/).';

export function levelCounts(findings: readonly ReportFinding[]): Record<ReportLevel, number> {
  const counts = Object.fromEntries(reportLevels.map((l) => [l, 0])) as Record<ReportLevel, number>;
  for (const f of findings) counts[f.level] += 1;
  return counts;
}

export function summarise(model: ReportModel): Summary {
  const counts = levelCounts(model.findings);
  const strong = counts.critical + counts.high;
  const weak = counts.medium + counts.low;
  const { checked: coverageChecked, gaps } = coverageText(model.coverage);
  const indicators = model.provenance.indicatorFiles.reduce((n, f) => n + f.indicators, 0);
  // Without indicators only heuristics ran: "nothing found" then says even less, and the reader must know.
  const checked =
    indicators === 0
      ? `${coverageChecked} No published indicators of spyware were used in this check: only heuristics could find anything.`
      : `${coverageChecked} They were compared with ${indicators} published indicators from ${plural(model.provenance.indicatorFiles.length, 'file')}.`;

  if (strong > 0) {
    const indicatorHits = model.findings.filter((f) => (f.level === 'critical' || f.level === 'high') && f.basis?.kind === 'indicator');
    const collections = [...new Set(indicatorHits.map((f) => (f.basis?.kind === 'indicator' ? f.basis.collection : '')))].filter((c) => c !== '');
    return {
      verdict: 'strong',
      headline: 'We found traces that match known spyware on this phone.',
      found: `${plural(strong, 'serious finding')}${collections.length ? ` matching published indicators of ${listOf(collections)}` : ''}${weak ? `, and ${plural(weak, 'weaker sign')} that need an expert’s review` : ''}.`,
      certainty:
        'A match with a published indicator is strong evidence that the phone was targeted, and often that it was infected. It is not yet proof: an expert must confirm each finding, because some matches (a link that was received but never opened, a very short process name) can have an innocent explanation.',
      nextSteps: [
        'Do not reset, update or wipe the phone yet: that would destroy the evidence an expert needs to confirm the findings.',
        'Until an expert has looked, use another device you trust for sensitive conversations, and assume what this phone saw may have been read.',
        'Share this report only with people you trust to help you: it contains personal data from the phone.',
        HELP_LINE,
      ],
      checked,
      gaps,
      counts,
    };
  }
  if (weak > 0) {
    return {
      verdict: 'review',
      headline: 'We found signs that need an expert’s review, but no match with known spyware.',
      found: `${plural(weak, 'sign')} from heuristics: patterns that spyware has left before, which ordinary phone activity can also leave.`,
      certainty: 'On their own these signs are weak evidence. They matter when several of them line up in time, or with other findings; an expert can tell.',
      nextSteps: [
        'Ask an expert to review the findings below before drawing conclusions.',
        'Keep the phone as it is until then (no reset or wipe), so the check can be repeated.',
        HELP_LINE,
      ],
      checked,
      gaps,
      counts,
    };
  }
  return {
    verdict: 'nothing-found',
    headline: 'We found no known trace of spyware in what we could check.',
    found: `No finding matched a published indicator or a heuristic${counts.informational ? ` (${plural(counts.informational, 'informational note')} below ${counts.informational === 1 ? 'describes' : 'describe'} the phone’s settings, not a threat)` : ''}.`,
    certainty:
      'This does not prove the phone is free of spyware. A check sees only what the acquisition held and what the indicators knew on the day it ran: new spyware, traces that were removed, and areas that could not be read stay invisible. Checking again when new indicators are published is worthwhile.',
    nextSteps: [
      'Keep the phone and its software up to date, and turn on Lockdown Mode (iPhone) or Advanced Protection (Android) if you are at risk.',
      'If you still suspect targeting (a strange message, a warning from Apple or Google), ask an expert: a fuller acquisition can show more.',
      HELP_LINE,
    ],
    checked,
    gaps,
    counts,
  };
}

function coverageText(coverage: readonly CoverageEntry[]): { checked: string; gaps: string[] } {
  const read = coverage.filter((c) => c.state === 'parsed' || c.state === 'partial' || c.state === 'empty');
  const missing = coverage.filter((c) => c.state === 'missing');
  const failed = coverage.filter((c) => c.state === 'failed' || c.state === 'partial');
  const skipped = coverage.filter((c) => c.state === 'skipped');
  const parts = [
    `We looked at ${plural(coverage.length, 'area')} of the phone (kinds of records).`,
    `${read.length} ${read.length === 1 ? 'was' : 'were'} read${failed.some((c) => c.state === 'partial') ? ' (some only in part)' : ''}`,
    `${missing.length} ${missing.length === 1 ? 'was' : 'were'} not in this acquisition`,
    `${coverage.filter((c) => c.state === 'failed').length} could not be read`,
  ];
  if (skipped.length) parts.push(`${skipped.length} ${skipped.length === 1 ? 'was' : 'were'} skipped`);
  const [first, ...rest] = parts;
  // Titles only, grouped by what went wrong, for the person checked: the reasons are in the coverage table.
  const titles = (entries: readonly CoverageEntry[]) => entries.map((c) => c.title).join(', ');
  const listedAbsent = missing.filter((c) => c.reason !== undefined && c.reason !== 'not present in this acquisition');
  const gaps = [
    ...(coverage.some((c) => c.state === 'failed') ? [`Could not be read: ${titles(coverage.filter((c) => c.state === 'failed'))}.`] : []),
    ...(coverage.some((c) => c.state === 'partial') ? [`Read only in part: ${titles(coverage.filter((c) => c.state === 'partial'))}.`] : []),
    ...(listedAbsent.length ? [`Listed in the acquisition, but the files were absent: ${titles(listedAbsent)}.`] : []),
  ];
  return { checked: `${first ?? ''} ${rest.join(', ')}.`, gaps };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}
