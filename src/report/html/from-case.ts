/**
 * The report model of a case (`tracehound report CASE [--device NAME]`): the case store's plain `CaseReport`
 * (src/case/report-model.ts) mapped onto what the renderer draws. A pure function: the store is read by
 * `loadCaseReport`, and the renderer never sees the database.
 *
 * A report is about one person's device. A case of several devices, reported whole, names the devices in the
 * subject and each finding's evidence with its device, so nothing of the case is left out.
 */
import type { CaseReport, ReportAcquisition, ReportFinding as CaseFinding } from '../../case/report-model.js';
import { deviceFacts } from './device-facts.js';
import type { CoverageEntry, DeviceFacts, EvidenceRef, FindingBasis, ReportFinding, ReportModel } from './model.js';

export function modelFromCase(c: CaseReport, generatedAt = new Date()): ReportModel {
  const several = c.devices.length > 1;
  const device = c.devices.length === 1 ? c.devices[0] : undefined;
  const acquisitions = [...c.acquisitions].sort((a, b) => a.addedAt.localeCompare(b.addedAt));
  const latest = acquisitions.at(-1);
  const runs = [...c.runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const checks = runs.filter((r) => r.kind === 'check');
  const indicatorFiles = new Map<string, { path: string; sha256: string; indicators: number }>();
  for (const run of runs) for (const f of run.indicatorFiles) indicatorFiles.set(f.sha256, { path: f.path, sha256: f.sha256, indicators: f.indicators });
  const byAcquisition = new Map(acquisitions.map((a, i) => [a.id, { label: `acquisition ${i + 1} (${a.kind})`, device: a.device }]));

  const facts: DeviceFacts = device ? { ...deviceFacts(latest?.metadata ?? {}, latest?.kind ?? ''), name: device.name } : { name: `${c.devices.length} devices: ${c.devices.map((d) => d.name).join(', ')}` };
  return {
    generatedAt: generatedAt.toISOString(),
    subject: {
      ...(device?.person ? { person: device.person } : {}),
      ...(device?.organisation ? { organisation: device.organisation } : {}),
      device: facts,
    },
    findings: c.findings.map((f) => findingOf(f, several)),
    coverage: c.coverage.map((cov): CoverageEntry => {
      const where = acquisitions.length > 1 ? byAcquisition.get(cov.acquisitionId) : undefined;
      return {
        artifact: cov.artifact,
        title: where ? `${cov.title} (${several ? `${where.device}, ` : ''}${where.label})` : cov.title,
        state: cov.state,
        records: cov.records,
        ...(cov.reason !== null ? { reason: cov.reason } : {}),
      };
    }),
    timeline: timelineOf(acquisitions),
    provenance: {
      tool: checks.at(-1)?.tool ?? runs.at(-1)?.tool ?? { name: 'tracehound', version: 'unknown' },
      ...(runs[0] ? { startedAt: runs[0].startedAt } : {}),
      ...(runs.at(-1)?.finishedAt ? { finishedAt: runs.at(-1)!.finishedAt! } : {}),
      acquisition: latest
        ? { kind: latest.kind, target: acquisitions.length > 1 ? `${latest.target} (and ${acquisitions.length - 1} earlier acquisition(s) of this case)` : latest.target, ...(latest.acquiredAt ? { acquiredAt: latest.acquiredAt } : {}), encrypted: latest.encrypted }
        : { kind: 'none', target: c.path },
      inputs: acquisitions.flatMap((a) => a.inputs.map((i) => ({ path: i.path, label: i.label, sha256: i.sha256, bytes: i.bytes }))),
      indicatorFiles: [...indicatorFiles.values()],
      rejectedIndicatorFiles: [],
      notes: [],
    },
  };
}

/**
 * The events a case stored around each check's findings (not every event of the phone: report/timeline-window.ts),
 * merged over the acquisitions reported. Findings a later recheck added have the events their check kept.
 */
function timelineOf(acquisitions: readonly ReportAcquisition[]): ReportModel['timeline'] {
  const kept = acquisitions.flatMap((a) => (a.timeline ? [a.timeline] : []));
  const events = kept.flatMap((t) => t.events).sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
  const spans = kept.flatMap((t) => (t.span ? [t.span] : []));
  const span = spans.length === 0 ? undefined : {
    first: spans.map((s) => s.first).reduce((a, b) => (b < a ? b : a)),
    last: spans.map((s) => s.last).reduce((a, b) => (b > a ? b : a)),
    total: spans.reduce((n, s) => n + s.total, 0),
  };
  return { events, omitted: kept.reduce((n, t) => n + t.omitted, 0), ...(span ? { span } : {}) };
}

function findingOf(f: CaseFinding, several: boolean): ReportFinding {
  return {
    level: f.level,
    title: f.message,
    explanation: f.explanation,
    artifact: f.artifact,
    time: f.eventTime,
    evidence: evidenceOf(f, several),
    ...(basisOf(f) ? { basis: basisOf(f)! } : {}),
    ...(f.recovered ? { recovered: true } : {}),
  };
}

function evidenceOf(f: CaseFinding, several: boolean): EvidenceRef {
  const at = Object.entries(f.evidence.at).map(([k, v]) => (k === 'whole' ? 'the whole file' : `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`));
  return {
    file: several ? `${f.device}: ${f.evidence.file}` : f.evidence.file,
    ...(at.length > 0 ? { locator: at.join(', ') } : {}),
    ...(f.evidence.storedPath !== f.evidence.file ? { storedAs: f.evidence.storedPath } : {}),
  };
}

function basisOf(f: CaseFinding): FindingBasis | undefined {
  if (f.indicator) {
    return {
      kind: 'indicator',
      value: f.indicator.value,
      collection: f.indicator.collection,
      file: f.indicator.file,
      fileSha256: f.indicator.sha256,
      ...(f.match && f.match.observed !== f.indicator.value ? { observed: f.match.observed } : {}),
    };
  }
  if (f.rule) return { kind: 'rule', id: f.rule.id, version: f.rule.version, source: f.rule.source };
  return undefined;
}
