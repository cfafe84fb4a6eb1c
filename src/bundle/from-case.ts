/**
 * A result bundle from a case (`tracehound export CASE --device NAME`): the device's latest acquisition, with
 * the findings current for it (its check's rule findings and the indicator findings of the latest run over it,
 * a recheck's included), the coverage of the check that read it, and the provenance of both runs. The findings
 * are written as a check's alerts.json writes them, so `verify --acquisition` re-runs the check with the
 * bundle's indicator files and compares like with like.
 */
import { basename } from 'node:path';
import { loadCaseReport } from '../case/report-load.js';
import { CaseError } from '../case/errors.js';
import type { CaseSeal } from '../case/sealed.js';
import type { ReportFinding, ReportRun } from '../case/report-model.js';
import { modelFromCase } from '../report/html/from-case.js';
import { renderReport } from '../report/html/render.js';
import { BUNDLE_FORMAT, carriedIndicatorFiles, observablesOf, readIndicatorFile, type BundleContent, type FindingJson } from './content.js';

export interface CaseBundle {
  readonly content: BundleContent;
  /** The acquisition exported (its id in the case, and the path that was checked). */
  readonly acquisition: { readonly id: number; readonly target: string };
  /** How many acquisitions the device has in the case (only the latest is exported). */
  readonly acquisitionsOfDevice: number;
}

/** `seal`: the key of an encrypted case (store.ts `unlockSeal`). */
export function bundleContentFromCase(dir: string, device: string, seal?: CaseSeal): CaseBundle {
  const report = loadCaseReport(dir, device, seal);
  const acquisition = report.acquisitions.at(-1);
  if (acquisition === undefined) throw new CaseError('unknown-device', `${report.path}: device "${device}" has no acquisition to export`);
  const runsOver = report.runs.filter((r) => r.acquisitionIds.includes(acquisition.id));
  const checkRun = runsOver.find((r) => r.kind === 'check');
  const latest = runsOver.at(-1);
  if (checkRun === undefined || latest === undefined) throw new CaseError('damaged', `${report.path}: acquisition ${acquisition.id} of "${device}" has no finished check`);

  const findings = report.findings.filter((f) => f.acquisitionId === acquisition.id).map(findingJson);
  const { containerNotes, rejectedIndicatorFiles: _rejected, ...options_ } = checkRun.options;
  const indicatorRefs = latest.indicatorFiles.map((f) => ({ path: f.path, sha256: f.sha256, indicators: f.indicators }));
  const content: BundleContent = {
    findings,
    coverage: report.coverage
      .filter((c) => c.acquisitionId === acquisition.id)
      .map((c) => ({ artifact: c.artifact, title: c.title, state: c.state, records: c.records, files: c.files, issues: c.issues, ...(c.reason === null ? {} : { reason: c.reason }) })),
    observables: observablesOf(findings),
    provenance: {
      bundle_format: BUNDLE_FORMAT,
      tool: checkRun.tool,
      started_at: checkRun.startedAt,
      finished_at: latest.finishedAt ?? latest.startedAt,
      target: acquisition.target,
      acquisition: { kind: acquisition.kind, root: acquisition.target, encrypted: acquisition.encrypted, acquiredAt: acquisition.acquiredAt, device: acquisition.metadata },
      container_notes: Array.isArray(containerNotes) ? containerNotes.map(String) : [],
      options: options_,
      inputs: acquisition.inputs,
      indicator_files: indicatorRefs,
      artifacts: versionsOf(checkRun, 'artifact'),
      rules: versionsOf(checkRun, 'rule'),
      case: { path: report.path, device, acquisition_id: acquisition.id, runs: runsOver.map((r) => ({ id: r.id, kind: r.kind, finished_at: r.finishedAt })) },
    },
    indicatorFiles: carriedIndicatorFiles(indicatorRefs).map(readIndicatorFile),
    reportHtml: renderReport(modelFromCase(report)),
  };
  return { content, acquisition: { id: acquisition.id, target: acquisition.target }, acquisitionsOfDevice: report.acquisitions.length };
}

/** A finding in the shape of a check's alerts.json (src/report/native.ts `findingJson`), keys in its order. */
function findingJson(f: ReportFinding): FindingJson {
  const ind = f.indicator;
  return {
    level: f.level,
    artifact: f.artifact,
    message: f.message,
    explanation: f.explanation,
    event_time: f.eventTime,
    ...(ind
      ? {
          indicator: {
            value: ind.value,
            key: ind.key,
            bucket: ind.bucket,
            collection: { id: ind.collectionId, name: ind.collection },
            file: { path: ind.file, name: basename(ind.file), sha256: ind.sha256 },
            ...(ind.stixId === null ? {} : { stixId: ind.stixId }),
          },
        }
      : {}),
    ...(f.match ? { match: f.match } : {}),
    ...(f.rule ? { rule: f.rule } : {}),
    evidence: { file: f.evidence.file, stored_path: f.evidence.storedPath, ...f.evidence.at },
    ...(f.recovered ? { recovered: true } : {}),
    record: f.record,
  };
}

function versionsOf(run: ReportRun, kind: 'artifact' | 'rule'): { id: string; version: number }[] {
  return run.components.filter((c) => c.kind === kind).map((c) => ({ id: c.id, version: c.version }));
}
