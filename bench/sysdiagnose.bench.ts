/**
 * `tracehound check` on a synthetic sysdiagnose .tar.gz, read straight from the archive (npm run bench:sysdiagnose).
 * For each size the sysdiagnose is generated once (src/synth/sysdiagnose.ts: seeded, 60 ordinary reboots in a
 * rotated shutdown log, two planted suspicious ones, an ordinary phone's process lists, install log, profiles, TCC.db
 * and crash reports from sysdiagnose-content.ts, log-archive bulk that compresses no better than real tracev3
 * chunks up to the size asked), then checked by the real CLI in a child process against the public feeds:
 * wall and CPU time, peak RSS, the bytes the check wrote to disk (GNU time's %O) and the largest the child's
 * private temp folder grew to (polled): the check extracts nothing, so both stay near zero.
 *
 *   npm run bench:sysdiagnose                       200 MB
 *   npm run bench:sysdiagnose -- --sizes 50,200     these sizes in MB (the peak RSS ratio says whether memory is flat)
 *   npm run bench:sysdiagnose -- --keep             keep the generated archives (paths are printed)
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PEGASUS_STAGING } from '../src/synth/shutdown-log.js';
import { generateSysdiagnose } from '../src/synth/sysdiagnose.js';
import { sysdiagnoseContent } from '../src/synth/sysdiagnose-content.js';
import { builtCli, cli, measure, projectRoot, rssMethod } from './_child.js';

const SEED = 20240502;
const COLLECTED = new Date('2024-05-02T08:15:30Z');
const SUSPICIOUS = [
  { at: new Date('2024-03-10T21:30:00Z'), clients: [{ path: `${PEGASUS_STAGING}/roleaccountd`, notices: 3 }] },
  { at: new Date('2024-04-28T06:05:00Z'), clients: [{ path: '/private/var/tmp/UserEventAgent', notices: 4 }] },
];

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '200' }, keep: { type: 'boolean', default: false }, iocs: { type: 'string', multiple: true } } });
const work = mkdtempSync(join(tmpdir(), 'th-bench-sysdiag-'));
const iocs = values.iocs ?? [resolve(projectRoot, '..', 'shared', 'data', 'iocs')];

/** Bytes under `dir` now (files only; links not followed). */
function treeBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      total += st.isDirectory() ? treeBytes(path) : st.size;
    } catch {
      // removed between the listing and the stat
    }
  }
  return total;
}

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);
console.log(`tracehound check on generated sysdiagnose archives (${builtCli() ? 'built CLI' : 'sources through tsx'}; peak RSS by ${rssMethod()})`);
console.log('| size asked | archive | members | generate | check wall | check cpu | MB/s | peak RSS | written to disk | temp folder peak | planted found |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const rows: { label: string; peak: number | null }[] = [];
try {
  for (const label of values.sizes.split(',')) {
    const megabytes = Number(label);
    if (!Number.isFinite(megabytes) || megabytes <= 0) throw new Error(`--sizes: ${label} is not a size in MB`);
    const dir = join(work, `size-${label}`);
    mkdirSync(dir);
    const started = performance.now();
    const extra = sysdiagnoseContent(SEED, { collectedAt: COLLECTED, utcOffsetMinutes: 120, buildVersion: '21E236' });
    const g = await generateSysdiagnose(dir, { seed: SEED, format: 'tar.gz', collectedAt: COLLECTED, reboots: 60, rotated: true, uuidSuffix: true, suspicious: SUSPICIOUS, padBytes: megabytes * 1e6, extra });
    const generated = (performance.now() - started) / 1000;
    const archiveBytes = statSync(g.path).size;

    // The child's own temp area, watched while it runs: whatever it writes there is what "extracting" would be.
    const childTemp = join(work, `tmp-${label}`);
    mkdirSync(childTemp);
    let tempPeak = 0;
    const poll = setInterval(() => (tempPeak = Math.max(tempPeak, treeBytes(childTemp))), 20);
    const run = await measure(cli(['check', g.path, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--quiet']), { ...process.env, TMPDIR: childTemp });
    clearInterval(poll);
    rows.push({ label, peak: run.peakRssMb });
    const cells = [
      `${label} MB`,
      mb(archiveBytes),
      g.files.toLocaleString('en'),
      `${generated.toFixed(1)} s`,
      `${(run.wallMs / 1000).toFixed(1)} s`,
      run.cpuMs === null ? 'n/a' : `${(run.cpuMs / 1000).toFixed(1)} s`,
      (archiveBytes / 1e6 / (run.wallMs / 1000)).toFixed(0),
      run.peakRssMb === null ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`,
      mb(run.diskWrittenBytes),
      mb(tempPeak),
      run.exitCode === 1 ? 'yes' : `no (exit ${run.exitCode}: ${run.stderrTail})`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
    if (values.keep) console.log(`kept ${g.path}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  const measured = rows.filter((r) => r.peak !== null);
  if (measured.length > 1) console.log(`peak RSS ${measured.at(-1)!.label} MB / ${measured[0]!.label} MB = ${(measured.at(-1)!.peak! / measured[0]!.peak!).toFixed(2)}`);
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
