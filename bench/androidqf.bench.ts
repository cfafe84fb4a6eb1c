/**
 * `tracehound check` on synthetic androidqf acquisitions (npm run bench:androidqf): the issue's size (2,000
 * packages, a 100 MB dumpsys.txt, 500,000 files.json entries) and a fifth of it, so the peak RSS ratio says
 * whether memory stays flat. Each acquisition is generated once (src/synth/androidqf.ts: seeded, an ordinary
 * phone, one stalkerware package planted), then checked by the real CLI in a child process against every
 * public feed, without --output: wall and CPU time, peak RSS, bytes written to disk.
 *
 *   npm run bench:androidqf                       the issue's size and a fifth of it
 *   npm run bench:androidqf -- --scales 0.2,1,2   these multiples of the issue's size
 *   npm run bench:androidqf -- --keep             keep the generated acquisitions (paths are printed)
 *   npm run bench:androidqf -- --before ../main   also check each acquisition with that checkout's build (a build
 *                                                 from before a change), side by side under the same load
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateAndroidqf } from '../src/synth/androidqf.js';
import { builtCli, cli, measure, projectRoot, rssMethod } from './_child.js';

const SEED = 20240601;
/** An app id of a public feed (mvt-indicators ResidentBat), planted as a side-loaded package. */
const PLANT = 'com.oneplussync.bat';
const ISSUE_SIZE = { packages: 2_000, files: 500_000, dumpsysBytes: 100 * 1024 * 1024 };

const { values } = parseArgs({ options: { scales: { type: 'string', default: '0.2,1' }, keep: { type: 'boolean', default: false }, before: { type: 'string' } } });
const builds = [...(values.before ? [{ label: 'before', root: resolve(values.before) }] : []), { label: values.before ? 'after' : 'this', root: projectRoot }];
const work = mkdtempSync(join(tmpdir(), 'th-bench-aqf-'));
const iocs = resolve(projectRoot, '..', 'shared', 'data', 'iocs');
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);

console.log(`tracehound check on generated androidqf acquisitions (${builtCli() ? 'built CLI' : 'sources through tsx'}; peak RSS by ${rssMethod()})`);
console.log('| build | scale | packages | files.json entries | dumpsys.txt | generate | check wall | check cpu | peak RSS | written to disk | planted found |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const peaks = new Map<string, number[]>();
try {
  for (const label of values.scales.split(',')) {
    const scale = Number(label);
    if (!(scale > 0)) throw new Error(`--scales: ${label} is not a positive number`);
    const root = join(work, `androidqf-${label}`);
    const started = performance.now();
    const made = await generateAndroidqf(root, {
      seed: SEED,
      packages: Math.round(ISSUE_SIZE.packages * scale),
      files: Math.round(ISSUE_SIZE.files * scale),
      dumpsysBytes: Math.round(ISSUE_SIZE.dumpsysBytes * scale),
      plant: PLANT,
    });
    const generated = (performance.now() - started) / 1000;
    for (const build of builds) {
      const run = await measure(cli(['check', root, '--iocs', iocs, '--no-default-iocs', '--quiet'], build.root));
      if (run.peakRssMb !== null) peaks.set(build.label, [...(peaks.get(build.label) ?? []), run.peakRssMb]);
      console.log(
        `| ${build.label} | ${label} | ${made.packages.toLocaleString('en')} | ${made.files.toLocaleString('en')} | ${mb(made.dumpsysBytes)} | ${generated.toFixed(1)} s | ${(run.wallMs / 1000).toFixed(1)} s | ${run.cpuMs === null ? 'n/a' : `${(run.cpuMs / 1000).toFixed(1)} s`} | ${run.peakRssMb === null ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`} | ${mb(run.diskWrittenBytes)} | ${run.exitCode === 1 ? 'yes' : `no (exit ${run.exitCode}: ${run.stderrTail})`} |`,
      );
    }
    if (values.keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  for (const [build, p] of peaks) if (p.length > 1) console.log(`${build}: peak RSS largest / smallest scale = ${(p.at(-1)! / p[0]!).toFixed(2)}`);
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
