/**
 * `tracehound report --from-output DIR --output report.html`: the HTML report of a check's output folder.
 * (The case-store form, `report CASE`, maps the case model onto the same renderer.)
 *
 * Written through the same write guard as every other output (app/output-target.ts): never into or onto
 * the evidence the check read, never through a link, an existing file only with --force, and mode 0600:
 * the report quotes the phone's content.
 */
import { openOutputFile } from '../app/output-target.js';
import { UserError } from '../errors.js';
import { modelFromNativeOutput } from '../report/html/from-native.js';
import { renderReport } from '../report/html/render.js';
import { EXIT } from './exit-codes.js';

export interface ReportFlags {
  fromOutput?: string;
  output: string;
  force?: true;
  quiet?: true;
}

export async function runReport(flags: ReportFlags): Promise<number> {
  if (flags.fromOutput === undefined) throw new UserError('usage', 'report: give --from-output DIR (the folder `tracehound check --output DIR` wrote)');
  const model = await modelFromNativeOutput(flags.fromOutput);
  const target = model.provenance.acquisition.target;
  const file = openOutputFile(flags.output, { flag: '--output', evidence: target === '' ? [] : [target], privateMode: true, ...(flags.force ? { force: true } : {}) });
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
