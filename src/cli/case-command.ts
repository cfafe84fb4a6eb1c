/**
 * `case list`, `case show`, `case lock`, `case unlock` and `recheck`: the case store from the command line (all
 * reading is in case/ and app/). An encrypted case asks for its key (case-key.ts) before it is opened.
 */
import { recheck } from '../app/recheck.js';
import type { RecheckFinding } from '../case/recheck.js';
import type { CaseReport } from '../case/report-model.js';
import { loadCaseReport } from '../case/report-model.js';
import { lockCase, openCase, refuseCaseState, unlockCase } from '../case/store.js';
import { levels, type Level } from '../findings/finding.js';
import { newCaseSeal, openingSeal, type CaseOpenFlags, type CaseSealFlags } from './case-key.js';
import { EXIT } from './exit-codes.js';

export async function runCaseList(dir: string, flags: { json?: true } & CaseOpenFlags): Promise<number> {
  const report = loadCaseReport(dir, undefined, await openingSeal(dir, flags));
  process.stdout.write(flags.json ? `${JSON.stringify(caseListJson(report), null, 2)}\n` : caseListText(report));
  return EXIT.ok;
}

export async function runCaseShow(dir: string, flags: { device?: string; json?: true } & CaseOpenFlags): Promise<number> {
  const report = loadCaseReport(dir, flags.device, await openingSeal(dir, flags));
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : caseShowText(report));
  return EXIT.ok;
}

export interface RecheckFlags extends CaseOpenFlags {
  iocs: string[];
  defaultIocs: boolean;
  json?: true;
}

/** `case lock DIR`: a plain case encrypted (to a new passphrase, or to --recipient keys); refused when it already is. */
export async function runCaseLock(dir: string, flags: CaseSealFlags & { quiet?: true }): Promise<number> {
  // Refused before a passphrase is asked for when the case is already encrypted (or no case).
  refuseCaseState(dir, 'encrypted');
  openCase(dir).close(); // a folder that is not a readable case is refused before a passphrase is typed twice
  const path = lockCase(dir, await newCaseSeal(dir, flags));
  if (!flags.quiet) process.stdout.write(`${path}: the case is encrypted; the plaintext case.db was overwritten and removed (best effort on SSDs and copy-on-write file systems)\n`);
  return EXIT.ok;
}

/** `case unlock DIR`: an encrypted case decrypted back to a plain case.db, as the user asked; refused when it is not encrypted. */
export async function runCaseUnlock(dir: string, flags: CaseOpenFlags & { quiet?: true }): Promise<number> {
  refuseCaseState(dir, 'plain');
  const seal = await openingSeal(dir, flags);
  if (seal === undefined) throw new Error('an encrypted case gave no seal');
  const path = unlockCase(dir, seal);
  if (!flags.quiet) process.stdout.write(`${path}: the case is decrypted (plaintext on disk from now on; \`tracehound case lock ${dir}\` encrypts it again)\n`);
  return EXIT.ok;
}

export async function runRecheck(cases: string[], flags: RecheckFlags): Promise<number> {
  const result = await recheck({
    cases,
    iocs: flags.iocs,
    ...(flags.defaultIocs && process.env.TRACEHOUND_IOCS ? { envIocs: process.env.TRACEHOUND_IOCS } : {}),
    ...(flags.defaultIocs ? {} : { userIocDir: null }),
    unlock: (dir) => openingSeal(dir, flags),
  });
  for (const r of result.indicators.rejected) process.stderr.write(`warning: ${r.reason}\n`);
  for (const f of result.failed) process.stderr.write(`tracehound: ${f.reason}\n`);
  const added = result.cases.flatMap((c) => c.new);
  const gone = result.cases.flatMap((c) => c.gone);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ new: added, gone, cases: result.cases.map((c) => ({ case: c.case, run: c.runId, acquisitions: c.acquisitions, current: c.current })), failed: result.failed }, null, 2)}\n`);
  } else {
    const out: string[] = [`${result.indicators.total} indicators from ${result.indicators.files.length} file(s)`];
    for (const c of result.cases) {
      out.push(`${c.case}: ${c.acquisitions} acquisition(s), ${c.new.length} new finding(s), ${c.gone.length} gone, ${c.current} indicator finding(s) now`);
      for (const f of c.new) out.push(`  NEW  ${line(f)}`);
      for (const f of c.gone) out.push(`  GONE ${line(f)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (result.failed.length > 0) return EXIT.error;
  return added.length > 0 ? EXIT.findings : EXIT.ok;
}

function line(f: RecheckFinding): string {
  return `[${f.level}] ${f.device}: ${f.message}\n       evidence: ${f.evidence}\n       indicator: ${f.indicator.value} (${f.indicator.collection}) from ${f.indicator.file} sha256 ${f.indicator.sha256}`;
}

function countsOf(report: CaseReport, acquisitionIds: ReadonlySet<number>): Record<Level, number> {
  const counts = Object.fromEntries(levels.map((l) => [l, 0])) as Record<Level, number>;
  for (const f of report.findings) if (acquisitionIds.has(f.acquisitionId)) counts[f.level]++;
  return counts;
}

function caseListJson(report: CaseReport) {
  return {
    case: report.path,
    schema_version: report.schemaVersion,
    devices: report.devices.map((d) => {
      const acqs = report.acquisitions.filter((a) => a.deviceId === d.id);
      return { ...d, counts: countsOf(report, new Set(acqs.map((a) => a.id))), acquisitions: acqs.map(({ inputs, ...a }) => ({ ...a, inputs: inputs.length })) };
    }),
    runs: report.runs.map((r) => ({ id: r.id, kind: r.kind, tool: r.tool, started_at: r.startedAt, finished_at: r.finishedAt, indicator_files: r.indicatorFiles, acquisitions: r.acquisitionIds })),
    counts: report.counts,
  };
}

const countText = (c: Record<Level, number>) =>
  [...levels]
    .reverse()
    .filter((l) => c[l] > 0)
    .map((l) => `${c[l]} ${l}`)
    .join(', ') || 'no findings';

function caseListText(report: CaseReport): string {
  const out = [`case ${report.path} (schema ${report.schemaVersion}): ${report.devices.length} device(s), ${report.acquisitions.length} acquisition(s), ${report.runs.length} run(s); ${countText(report.counts)}`];
  for (const d of report.devices) {
    const acqs = report.acquisitions.filter((a) => a.deviceId === d.id);
    const who = [d.person, d.organisation].filter((x) => x !== null).join(', ');
    out.push(`device ${d.name}${who ? ` (${who})` : ''}: ${countText(countsOf(report, new Set(acqs.map((a) => a.id))))}`);
    for (const a of acqs) out.push(`  acquisition ${a.id}: ${a.kind} ${a.target}${a.acquiredAt ? `, made ${a.acquiredAt}` : ''}, added ${a.addedAt}, ${a.inputs.length} input file(s)`);
  }
  for (const r of report.runs) {
    const files = r.indicatorFiles.map((f) => `${f.path} (${f.sha256.slice(0, 12)}…, ${f.indicators} indicators)`).join('; ') || 'no indicators';
    out.push(`run ${r.id}: ${r.kind} by ${r.tool.name} ${r.tool.version}, ${r.startedAt}, acquisitions ${r.acquisitionIds.join(', ')}; ${files}`);
  }
  return `${out.join('\n')}\n`;
}

function caseShowText(report: CaseReport): string {
  const out = [`case ${report.path}${report.device ? `, device ${report.device}` : ''}: ${countText(report.counts)}`];
  for (const level of [...levels].reverse()) {
    const list = report.findings.filter((f) => f.level === level);
    if (list.length === 0) continue;
    out.push('', `${level.toUpperCase()} (${list.length})`);
    for (const f of list) {
      out.push(`  ${f.device} · ${f.artifact}: ${f.message}`);
      out.push(`    evidence: ${f.evidence.file}${f.eventTime ? ` at ${f.eventTime}` : ''}`);
      if (f.indicator) out.push(`    indicator: ${f.indicator.value} (${f.indicator.collection}) from ${f.indicator.file}`);
      if (f.rule) out.push(`    rule: ${f.rule.id} v${f.rule.version}`);
    }
  }
  out.push('', 'coverage (what each check could and could not read: "nothing found" is not "clean" where an artifact was not read)');
  for (const a of report.acquisitions) {
    const cov = report.coverage.filter((c) => c.acquisitionId === a.id);
    const byState = new Map<string, number>();
    for (const c of cov) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    out.push(`  acquisition ${a.id} (${a.device}, ${a.kind}): ${[...byState].map(([s, n]) => `${n} ${s}`).join(', ')}`);
    for (const c of cov) if (c.state === 'failed' || c.state === 'partial' || c.state === 'missing') out.push(`    ${c.state} ${c.artifact}: ${c.reason ?? ''}`);
  }
  return `${out.join('\n')}\n`;
}
