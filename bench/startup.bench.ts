/**
 * Start-up time of the CLI (issue #8: `tracehound --version` under 0.2 s), side by side with a bare Node.
 *
 *   npm run build && npx tsx bench/startup.bench.ts [--runs 20] [--before ../th-before]
 *
 * Each round runs every command once, in turn (so a burst of load on the shared machine hits all of them
 * alike): `node -e 0`, `tracehound --version`, `tracehound --help`, `tracehound check --help`, and with
 * `--before` the same three on another built checkout. The table gives the medians of wall time and CPU time
 * (user + system, from GNU time: steadier than wall on a loaded machine) and of peak RSS; the `over node`
 * columns subtract bare Node's medians, i.e. what Tracehound itself costs.
 */
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { builtCli, measure, projectRoot, rssMethod } from './_child.js';

interface Subject {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
}

interface Samples {
  readonly wallMs: number[];
  readonly cpuMs: number[];
  readonly rssMb: number[];
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, before: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a positive whole number, not ${values.runs}`);
if (!builtCli()) throw new Error('no dist/: run `npm run build` first (start-up is measured on the built CLI, as users run it)');

const cliSubjects = (root: string, tag: string): Subject[] => {
  const bin = join(root, 'bin', 'tracehound.js');
  return [
    { label: `${tag}--version`, command: process.execPath, args: [bin, '--version'] },
    { label: `${tag}--help`, command: process.execPath, args: [bin, '--help'] },
    { label: `${tag}check --help`, command: process.execPath, args: [bin, 'check', '--help'] },
  ];
};

const subjects: Subject[] = [{ label: 'node -e 0', command: process.execPath, args: ['-e', '0'] }, ...cliSubjects(projectRoot, '')];
if (values.before !== undefined) {
  const before = resolve(values.before);
  if (!builtCli(before)) throw new Error(`--before ${before}: not a built checkout (no dist/cli.js, nor dist/cli/main.js from before the bundle)`);
  subjects.push(...cliSubjects(before, 'before: '));
}

const samples = new Map<string, Samples>(subjects.map((s) => [s.label, { wallMs: [], cpuMs: [], rssMb: [] }]));
process.stdout.write(`${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${runs} rounds; peak RSS by ${rssMethod()}\n`);
for (let round = 0; round < runs; round++) {
  for (const subject of subjects) {
    const m = await measure({ command: subject.command, args: [...subject.args] });
    if (m.exitCode !== 0) throw new Error(`${subject.label}: exit ${m.exitCode}: ${m.stderrTail}`);
    const s = samples.get(subject.label)!;
    s.wallMs.push(m.wallMs);
    if (m.cpuMs !== null) s.cpuMs.push(m.cpuMs);
    if (m.peakRssMb !== null) s.rssMb.push(m.peakRssMb);
  }
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const node = samples.get('node -e 0')!;
const [nodeWall, nodeCpu] = [median(node.wallMs), median(node.cpuMs)];
const rows = subjects.map((s) => {
  const m = samples.get(s.label)!;
  const [wall, cpu] = [median(m.wallMs), median(m.cpuMs)];
  return [s.label, `${(wall / 1000).toFixed(3)} s`, `${(cpu / 1000).toFixed(3)} s`, `${median(m.rssMb).toFixed(0)} MB`, `${((wall - nodeWall) / 1000).toFixed(3)} s`, `${((cpu - nodeCpu) / 1000).toFixed(3)} s`];
});
const header = ['command (medians)', 'wall', 'cpu', 'peak RSS', 'wall over node', 'cpu over node'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [header, ...rows]) process.stdout.write(`${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}\n`);
process.stdout.write(`load at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
