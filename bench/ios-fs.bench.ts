/**
 * `tracehound check` on synthetic iOS filesystem dumps, as a tar and as a tar.gz, read straight from the
 * archive (npm run bench:fs). For each size the dump is generated once per format (src/synth/ios-fs-dump.ts:
 * seeded, realistic paths, DemoSpy's process planted in DataUsage), then checked by the real CLI in a child
 * process against the public feeds and the DemoSpy bundle, without --output: wall and CPU time, peak RSS, and
 * the bytes the check wrote to disk (GNU time's %O: the check extracts nothing, so this stays near zero).
 *
 *   npm run bench:fs                        500k files, tar and tar.gz
 *   npm run bench:fs -- --sizes 100k,500k   these sizes (the peak RSS ratio between them says whether memory is flat)
 *   npm run bench:fs -- --keep              keep the generated dumps (paths are printed)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PLANTS, demoStixBundle } from '../src/synth/demo.js';
import { generateIosFilesystemDump } from '../src/synth/ios-fs-dump.js';
import { builtCli, cli, measure, projectRoot, rssMethod } from './_child.js';

const SEED = 20240601;
const FORMATS = ['tar', 'tar.gz'] as const;

function sizeOf(label: string): number {
  const m = /^(\d+)([km]?)$/i.exec(label.trim());
  if (!m) throw new Error(`--sizes: ${label} is not a size like 100k or 1m`);
  return Number(m[1]) * (m[2]?.toLowerCase() === 'm' ? 1_000_000 : m[2]?.toLowerCase() === 'k' ? 1_000 : 1);
}

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '500k' }, keep: { type: 'boolean', default: false }, iocs: { type: 'string', multiple: true } } });
const work = mkdtempSync(join(tmpdir(), 'th-bench-fs-'));
const demoStix = join(work, 'demospy.stix2');
writeFileSync(demoStix, JSON.stringify(demoStixBundle()));
const iocs = [...(values.iocs ?? [resolve(projectRoot, '..', 'shared', 'data', 'iocs')]), demoStix];

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);
console.log(`tracehound check on generated iOS filesystem dumps (${builtCli() ? 'built CLI' : 'sources through tsx'}; peak RSS by ${rssMethod()})`);
console.log('| files | format | archive | generate | check wall | check cpu | files/s | peak RSS | written to disk | planted found |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const rows: { label: string; format: string; peak: number | null }[] = [];
try {
  for (const label of values.sizes.split(',')) {
    const files = sizeOf(label);
    for (const format of FORMATS) {
      const path = join(work, `dump-${label}.${format}`);
      const started = performance.now();
      await generateIosFilesystemDump(path, { seed: SEED, files, format, plant: DEMO_PLANTS });
      const generated = (performance.now() - started) / 1000;
      const run = await measure(cli(['check', path, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--quiet']));
      rows.push({ label, format, peak: run.peakRssMb });
      const cells = [
        files.toLocaleString('en'),
        format,
        mb(statSync(path).size),
        `${generated.toFixed(1)} s`,
        `${(run.wallMs / 1000).toFixed(1)} s`,
        run.cpuMs === null ? 'n/a' : `${(run.cpuMs / 1000).toFixed(1)} s`,
        Math.round(files / (run.wallMs / 1000)).toLocaleString('en'),
        run.peakRssMb === null ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`,
        mb(run.diskWrittenBytes),
        run.exitCode === 1 ? 'yes' : `no (exit ${run.exitCode}: ${run.stderrTail})`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
      if (values.keep) console.log(`kept ${path}`);
      else rmSync(path, { force: true });
    }
  }
  for (const format of FORMATS) {
    const of = rows.filter((r) => r.format === format && r.peak !== null);
    if (of.length > 1) console.log(`${format}: peak RSS ${of.at(-1)!.label} / ${of[0]!.label} = ${(of.at(-1)!.peak! / of[0]!.peak!).toFixed(2)}`);
  }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
