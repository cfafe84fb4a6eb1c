/**
 * `tracehound report --from-output DIR --output report.html`: the HTML report of a check's output folder.
 * (The case-store form, `report CASE`, maps the case model onto the same renderer.)
 */
import { lstat, writeFile } from 'node:fs/promises';
import { OutputError, UserError, errorMessage } from '../errors.js';
import { modelFromNativeOutput } from '../report/html/from-native.js';
import { renderReport } from '../report/html/render.js';
import { EXIT } from './exit-codes.js';

export interface ReportFlags {
  fromOutput?: string;
  output: string;
  quiet?: true;
}

export async function runReport(flags: ReportFlags): Promise<number> {
  if (flags.fromOutput === undefined) throw new UserError('usage', 'report: give --from-output DIR (the folder `tracehound check --output DIR` wrote)');
  const model = await modelFromNativeOutput(flags.fromOutput);
  const html = renderReport(model);
  const existing = await lstat(flags.output).catch(() => null);
  if (existing !== null && !existing.isFile()) throw new OutputError(`${flags.output}: exists and is not a regular file (expected a path for the HTML report)`);
  try {
    // The report quotes the phone's content: private to the user when the evidence was encrypted.
    await writeFile(flags.output, html, { mode: model.provenance.acquisition.encrypted ? 0o600 : 0o644 });
  } catch (err) {
    throw new OutputError(`${flags.output}: cannot write the report (${errorMessage(err)})`);
  }
  if (!flags.quiet) process.stdout.write(`Report with ${model.findings.length} finding(s) written to ${flags.output} (${html.length} bytes, self-contained: open it in any browser, offline)\n`);
  return EXIT.ok;
}
