/**
 * The terminal summary: counts per level, then the findings, most severe first, each with where it was
 * found and what it means; then what could not be checked. Plain text; colour is applied by the caller.
 */
import type { Coverage } from '../findings/coverage.js';
import { refKey } from '../evidence/source.js';
import { levelRank, levels, type Finding, type Level } from '../findings/finding.js';
import { assessCompleteness, describeIncompleteness } from './completeness.js';

export interface Paint {
  level(level: Level, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export const noPaint: Paint = { level: (_l, t) => t, dim: (t) => t, bold: (t) => t };

const LABEL: Record<Level, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', informational: 'INFO' };

export interface SummaryInput {
  readonly target: string;
  readonly findings: readonly Finding[];
  readonly coverage: readonly Coverage[];
  /** Problems of the container itself, shown as notes; they make the check incomplete. */
  readonly containerNotes?: readonly string[];
  readonly indicatorCount: number;
  readonly indicatorFiles: number;
  readonly outputDir?: string;
  readonly maxFindings?: number;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => levelRank(b.f.level) - levelRank(a.f.level) || a.i - b.i)
    .map(({ f }) => f);
}

export function renderSummary(input: SummaryInput, paint: Paint = noPaint): string {
  const lines: string[] = [];
  const counts = Object.fromEntries(levels.map((l) => [l, input.findings.filter((f) => f.level === l).length])) as Record<Level, number>;
  lines.push(paint.bold(`Checked ${input.target}`));
  lines.push(
    paint.dim(
      input.indicatorCount > 0
        ? `against ${input.indicatorCount} indicators from ${input.indicatorFiles} file(s), and Tracehound's heuristics`
        : 'with heuristics only (no indicators loaded: pass --iocs FILE|DIR)',
    ),
  );
  lines.push('');
  lines.push(
    [...levels]
      .reverse()
      .map((l) => paint.level(l, `${counts[l]} ${LABEL[l].toLowerCase()}`))
      .join('  '),
  );
  const sorted = sortFindings(input.findings);
  const max = input.maxFindings ?? 50;
  if (sorted.length > 0) lines.push('');
  for (const f of sorted.slice(0, max)) {
    lines.push(`${paint.level(f.level, LABEL[f.level].padEnd(8))} ${f.message}`);
    const where = `${refKey(f.evidence.ref)}${locatorText(f.evidence.at)}`;
    const what = f.indicator ? `indicator ${f.indicator.value} (${f.indicator.collection.name}, ${f.indicator.file.name})` : f.rule ? `rule ${f.rule.id}` : '';
    lines.push(paint.dim(`         ${f.artifact} · ${where}${what ? ` · ${what}` : ''}`));
    lines.push(paint.dim(`         ${f.explanation}`));
  }
  if (sorted.length > max) lines.push(paint.dim(`… and ${sorted.length - max} more (see alerts.json with --output)`));

  lines.push('');
  const by = (s: Coverage['state']) => input.coverage.filter((c) => c.state === s);
  const parsedCount = by('parsed').length + by('partial').length;
  lines.push(
    paint.dim(
      `${input.coverage.length} artifacts: ${parsedCount} read, ${by('empty').length} empty, ${by('missing').length} not in this acquisition, ${by('failed').length} failed`,
    ),
  );
  for (const c of [...by('failed'), ...by('partial')]) lines.push(`${paint.level('medium', c.state === 'failed' ? 'FAILED  ' : 'PARTIAL ')} ${c.artifact}: ${c.reason ?? ''}`);
  for (const note of input.containerNotes ?? []) lines.push(`${paint.level('medium', 'ARCHIVE ')} ${note}`);
  if (input.outputDir) lines.push(paint.dim(`Results written to ${input.outputDir}`));
  lines.push('');
  const severe = counts.critical + counts.high > 0;
  const completeness = assessCompleteness(input.coverage, input.containerNotes);
  if (!completeness.complete) lines.push(paint.level('high', `${describeIncompleteness(completeness)}.`));
  lines.push(
    severe
      ? paint.level('high', 'High or critical findings: only expert review can confirm an infection. Keep the acquisition unchanged and ask a digital-security helpline for help.')
      : completeness.complete
        ? paint.dim('No high or critical findings. This does not prove the device is clean: indicators only cover known operations.')
        : paint.level('high', 'Nothing high or critical in the part that could be read; the rest was not checked, so this says little about the device.'),
  );
  return lines.join('\n');
}

function locatorText(at: Finding['evidence']['at']): string {
  if ('table' in at) return ` (${at.table}${at.rowid !== null ? ` row ${at.rowid}` : ''}${at.inWal ? ', only in the WAL' : ''})`;
  if ('key' in at) return ` (${at.key})`;
  if ('line' in at) return ` (line ${at.line})`;
  return '';
}
