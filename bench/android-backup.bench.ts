/**
 * `tracehound check` on generated Android backups (npm run bench:android-backup): for each size a `.ab` is
 * written once by src/synth/android-backup.ts (v5, compressed, AES-256 with a password unless --plain; 2,000
 * ordinary SMS with one planted Cytrox link, then other apps' files that compress about 2:1), then checked by
 * the real CLI in a child process against the public feeds: wall and CPU time, peak RSS, bytes written to disk
 * and the child's temp folder peak. The backup is read in one streamed pass that keeps only the SMS/MMS members,
 * so memory should stay flat with size and nothing should reach the disk.
 *
 *   npm run bench:android-backup                     50 and 200 MB, encrypted
 *   npm run bench:android-backup -- --sizes 50,200   these sizes in MB of app data
 *   npm run bench:android-backup -- --plain          without encryption
 */
import { mkdirSync, mkdtempSync, readdirSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ordinarySms, writeLargeAndroidBackup } from '../src/synth/android-backup.js';
import { builtCli, cli, measure, projectRoot, rssMethod } from './_child.js';

const PASSWORD = 'bench-password';
const PLANTED = 'https://mobnetlink1.com/track/8a1f';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '50,200' }, plain: { type: 'boolean', default: false }, iocs: { type: 'string', multiple: true } } });
const work = mkdtempSync(join(tmpdir(), 'th-bench-ab-'));
const iocs = values.iocs ?? [resolve(projectRoot, '..', 'shared', 'data', 'iocs')];

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
console.log(`tracehound check on generated Android backups, ${values.plain ? 'plain' : 'AES-256'} (${builtCli() ? 'built CLI' : 'sources through tsx'}; peak RSS by ${rssMethod()})`);
console.log('| app data | .ab file | generate | check wall | check cpu | MB/s (file) | peak RSS | written to disk | temp folder peak | planted found |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
try {
  for (const label of values.sizes.split(',')) {
    const megabytes = Number(label);
    if (!Number.isFinite(megabytes) || megabytes <= 0) throw new Error(`--sizes: ${label} is not a size in MB`);
    const path = join(work, `backup-${label}.ab`);
    const started = performance.now();
    const bytes = await writeLargeAndroidBackup(path, { seed: 7, sms: ordinarySms(7, 2_000, [{ url: PLANTED }]), padBytes: megabytes * 1e6, ...(values.plain ? {} : { password: PASSWORD }) });
    const generated = (performance.now() - started) / 1000;
    const childTemp = join(work, `tmp-${label}`);
    mkdirSync(childTemp);
    let tempPeak = 0;
    const poll = setInterval(() => (tempPeak = Math.max(tempPeak, treeBytes(childTemp))), 20);
    const run = await measure(cli(['check', path, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--json']), { ...process.env, TMPDIR: childTemp, TRACEHOUND_BACKUP_PASSWORD: PASSWORD, TSX_DISABLE_CACHE: '1' });
    clearInterval(poll);
    let found = 'no';
    try {
      const summary = JSON.parse(run.stdout) as { findings: { match?: { observed?: string } }[]; coverage: { records: number }[] };
      found = summary.findings.some((f) => f.match?.observed === PLANTED) ? `yes (${summary.coverage[0]?.records ?? 0} SMS read)` : 'no';
    } catch {
      found = `exit ${run.exitCode}: ${run.stderrTail}`;
    }
    console.log(`| ${label} MB | ${mb(bytes)} | ${generated.toFixed(1)} s | ${(run.wallMs / 1000).toFixed(1)} s | ${run.cpuMs === null ? 'n/a' : `${(run.cpuMs / 1000).toFixed(1)} s`} | ${(bytes / 1e6 / (run.wallMs / 1000)).toFixed(0)} | ${run.peakRssMb === null ? 'n/a' : `${run.peakRssMb.toFixed(0)} MB`} | ${mb(run.diskWrittenBytes)} | ${mb(tempPeak)} | ${found} |`);
    rmSync(path, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
