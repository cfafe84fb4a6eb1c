/**
 * `tracehound report CASE [--device NAME] --output report.html`: the HTML report of a case (its model mapped
 * from the case store, report/html/from-case.ts); `report --from-output DIR` the same of a check's output
 * folder.
 *
 * Written through the same write guard as every other output (app/output-target.ts): never into or onto
 * the evidence the check read, never through a link, an existing file only with --force, and mode 0600:
 * the report quotes the phone's content.
 */
import { openOutputFile } from '../app/output-target.js';
import { refuseInsideEncryptedCase } from '../case/store.js';
import { UserError } from '../errors.js';
import { loadCaseReport } from '../case/report-model.js';
import { modelFromCase } from '../report/html/from-case.js';
import { modelFromNativeOutput } from '../report/html/from-native.js';
import type { ReportModel } from '../report/html/model.js';
import { renderReport } from '../report/html/render.js';
import { openingSeal } from './case-key.js';
import { EXIT } from './exit-codes.js';

export interface ReportFlags {
  caseDir?: string;
  device?: string;
  fromOutput?: string;
  output: string;
  force?: true;
  quiet?: true;
  /** Identity files of a case encrypted to recipients. */
  identity?: string[];
}

export async function runReport(flags: ReportFlags): Promise<number> {
  if (flags.caseDir !== undefined) refuseInsideEncryptedCase(flags.caseDir, flags.output, 'report');
  const { model, evidence } = await modelFor(flags);
  const file = openOutputFile(flags.output, { flag: '--output', evidence, privateMode: true, ...(flags.force ? { force: true } : {}) });
  let html: string;
  try {
    html = renderReport(model);
  } catch (err) {
    file.discard();
    throw err;
  }
  file.commit(html);
  if (!flags.quiet) process.stdout.write(`Report with ${model.findings.length} finding(s) written to ${file.path} (${html.length} bytes, self-contained: open it in any browser, offline)\n`);
  return EXIT.ok;
}

/** The model, and the evidence the report must never be written into (every acquisition it describes). */
async function modelFor(flags: ReportFlags): Promise<{ model: ReportModel; evidence: string[] }> {
  if ((flags.caseDir === undefined) === (flags.fromOutput === undefined)) {
    throw new UserError('usage', 'report: give a case folder (`check --case DIR` made it) or --from-output DIR (the folder `check --output DIR` wrote), not both');
  }
  if (flags.caseDir !== undefined) {
    const report = loadCaseReport(flags.caseDir, flags.device, await openingSeal(flags.caseDir, flags));
    return { model: modelFromCase(report), evidence: report.acquisitions.map((a) => a.target) };
  }
  if (flags.device !== undefined) throw new UserError('usage', 'report: --device chooses a device of a case; an output folder holds one check');
  const model = await modelFromNativeOutput(flags.fromOutput!);
  const target = model.provenance.acquisition.target;
  return { model, evidence: target === '' ? [] : [target] };
}
