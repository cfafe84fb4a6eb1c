/**
 * End-to-end benchmark of `tracehound check` on synthetic iOS backups of growing size (npm run bench).
 *
 * For each size: generate a backup (seeded, with DemoSpy's traces planted among the rows) into a temp folder,
 * run the real CLI on it as a child process against the public indicator feeds plus the DemoSpy bundle, and
 * measure wall time and the child's peak RSS. Generation also runs in a child, so its memory is measured the
 * same way. The claim under test: time grows about linearly with size and peak memory stays nearly flat.
 *
 *   npm run bench                      all sizes, 10k … 1M Manifest entries (the 1M one takes minutes)
 *   npm run bench -- --max 100k        sizes up to 100k entries
 *   npm run bench -- --sizes 10k,250k  just these
 *   npm run bench -- --no-check        only generate (measures the generator)
 *   npm run bench -- --keep            keep the generated backups (paths are printed)
 *   npm run bench -- --outputs [--sizes 100k] [--before ../th-before]
 *                                      what writing results costs: the check without --output, with the native
 *                                      output and with --format mvt, side by side (and on a built checkout from
 *                                      before a change, with --before; the outputs of both are compared)
 *   npm run bench -- --outputs --jobs 1,2
 *                                      the same, once per pool size (`--jobs N` of the check; `default` passes
 *                                      no flag: the CLI's default, `auto`); the outputs of all are compared
 *   --rounds N                         N rounds (default 3 with --outputs, else 1), every build's run of a mode
 *                                      (or every size's check) side by side in each; the tables give medians
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PLANTS, demoStixBundle } from '../src/synth/demo.js';
import { generateIosBackup, type GeneratedBackup } from '../src/synth/ios-backup.js';
import { builtCli, cli, measure, projectRoot, rssMethod, type Measured } from './_child.js';

const SEED = 20240601;

interface Size {
  readonly label: string;
  readonly manifestEntries: number;
  readonly messages: number;
  readonly visits: number;
  readonly processes: number;
}

/** Scale factor × {Manifest 10k, messages 2k, visits 2k}; the last one is the target of the issue. */
const SIZES: readonly Size[] = [1, 5, 10, 25, 50, 100].map((k) => ({
  label: k === 100 ? '1M' : `${k * 10}k`,
  manifestEntries: 10_000 * k,
  messages: 2_000 * k,
  visits: 2_000 * k,
  processes: Math.min(2_000, 200 * k), // a phone has hundreds of processes, not hundreds of thousands
}));

// ---------------------------------------------------------------------------------------------------------
// The command under test. Adjust here when the CLI changes.

/** `tracehound check` as a user runs it. */
function checkCommand(backup: string, outDir: string, iocs: readonly string[]): { command: string; args: string[] } {
  return cli(['check', backup, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--output', outDir, '--quiet']);
}

/** This script again, in its `--generate` role, with the same loader (tsx) it was started with. */
function generateCommand(dir: string, size: Size): { command: string; args: string[] } {
  return { command: process.execPath, args: [...process.execArgv, fileURLToPath(import.meta.url), '--generate', dir, '--size', size.label] };
}

// ---------------------------------------------------------------------------------------------------------
// Runs

interface Row {
  readonly size: Size;
  readonly generated: GeneratedBackup | null;
  readonly generateMs: number;
  readonly generateRssMb: number | null;
  readonly check: Measured | null;
  readonly entriesPerSecond: number | null;
}

interface Generated {
  readonly size: Size;
  readonly work: string;
  readonly backup: string;
  readonly demoIocs: string;
  readonly generated: GeneratedBackup | null;
  readonly measured: Measured;
}

async function generate(size: Size): Promise<Generated> {
  const work = mkdtempSync(join(tmpdir(), `th-bench-${size.label}-`));
  const backup = join(work, 'backup');
  const measured = await measure(generateCommand(backup, size));
  if (measured.exitCode !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`generating ${size.label} failed (exit ${measured.exitCode}):\n${measured.stderrTail}`);
  }
  const demoIocs = join(work, 'demospy.stix2');
  writeFileSync(demoIocs, JSON.stringify(demoStixBundle()));
  return { size, work, backup, demoIocs, generated: JSON.parse(measured.stdout.trim().split('\n').pop() ?? 'null') as GeneratedBackup | null, measured };
}

/**
 * Generates every size, then checks each `rounds` times, the sizes one after the other in each round (a shared
 * machine's load drifts over minutes, and runs side by side see the same drift): each figure is the median of its
 * rounds. With one round, each backup is checked and removed before the next is generated; with more, every
 * generated backup stays on disk until the last round.
 */
async function runSizes(sizes: readonly Size[], opts: { check: boolean; keep: boolean; iocs: readonly string[]; rounds: number }): Promise<Row[]> {
  const generated: Generated[] = [];
  const samples = new Map<Size, Measured[]>();
  const checkOnce = async (g: Generated): Promise<void> => {
    const outDir = join(g.work, 'out');
    rmSync(outDir, { recursive: true, force: true });
    const check = await measure(checkCommand(g.backup, outDir, [...opts.iocs, g.demoIocs]));
    if (check.exitCode !== 0 && check.exitCode !== 1) process.stderr.write(`check on ${g.size.label} exited ${check.exitCode}:\n${check.stderrTail}\n`);
    samples.set(g.size, [...(samples.get(g.size) ?? []), check]);
    process.stdout.write(`  ${g.size.label.padEnd(5)} checked    ${secs(check.wallMs).padStart(7)} wall ${mb(check.peakRssMb).padStart(8)}\n`);
  };
  const done = (g: Generated): void => {
    if (opts.keep) process.stderr.write(`kept ${g.work}\n`);
    else rmSync(g.work, { recursive: true, force: true });
  };
  try {
    for (const size of sizes) {
      const g = await generate(size);
      generated.push(g);
      process.stdout.write(`  ${size.label.padEnd(5)} generated  ${secs(g.measured.wallMs).padStart(7)} wall ${mb(g.measured.peakRssMb).padStart(8)}\n`);
      if (opts.rounds === 1) {
        if (opts.check) await checkOnce(g);
        done(g);
      }
    }
    if (opts.rounds > 1 && opts.check) {
      for (let round = 1; round <= opts.rounds; round++) {
        process.stdout.write(`round ${round}/${opts.rounds}\n`);
        for (const g of generated) await checkOnce(g);
      }
    }
  } finally {
    if (opts.rounds > 1) for (const g of generated) done(g);
  }
  return generated.map((g) => {
    const runs = samples.get(g.size);
    const check = runs ? medianOf(runs) : null;
    return {
      size: g.size,
      generated: g.generated,
      generateMs: g.measured.wallMs,
      generateRssMb: g.measured.peakRssMb,
      check,
      entriesPerSecond: check && (check.exitCode === 0 || check.exitCode === 1) ? g.size.manifestEntries / (check.wallMs / 1000) : null,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Report

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(0)} MB`);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

function printHeader(): void {
  const head = ['size', 'manifest', 'messages', 'visits', 'procs', 'generate', 'gen RSS', 'check', 'entries/s', 'peak RSS', 'planted found'];
  process.stdout.write(`${formatRow(head)}\n${formatRow(head.map((h) => '-'.repeat(h.length)))}\n`);
}

const WIDTHS = [5, 10, 9, 9, 6, 9, 8, 9, 10, 9, 13];
function formatRow(cells: readonly string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  ');
}

function printRow(r: Row): void {
  const c = r.check;
  const found = !c ? '-' : c.exitCode === 1 ? 'yes' : c.exitCode === 0 ? 'NO' : `exit ${c.exitCode}`;
  process.stdout.write(
    `${formatRow([
      r.size.label,
      int(r.size.manifestEntries),
      int(r.size.messages),
      int(r.size.visits),
      int(r.size.processes),
      secs(r.generateMs),
      mb(r.generateRssMb),
      c ? secs(c.wallMs) : '-',
      r.entriesPerSecond === null ? '-' : int(r.entriesPerSecond),
      c ? mb(c.peakRssMb) : '-',
      found,
    ])}\n`,
  );
}

function printSummary(rows: readonly Row[]): void {
  if (rows.length < 2) return;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const scale = ratio(last.size.manifestEntries, first.size.manifestEntries);
  process.stdout.write(`\n${last.size.label} holds ${scale} the data of ${first.size.label}.\n`);
  if (first.check?.peakRssMb && last.check?.peakRssMb) {
    process.stdout.write(`Peak RSS of the check, ${last.size.label} vs ${first.size.label}: ${ratio(last.check.peakRssMb, first.check.peakRssMb)} (bounded memory keeps this small)\n`);
  }
  if (first.generateRssMb && last.generateRssMb) {
    process.stdout.write(`Peak RSS of the generator, ${last.size.label} vs ${first.size.label}: ${ratio(last.generateRssMb, first.generateRssMb)}\n`);
  }
  const measured = rows.filter((r) => r.entriesPerSecond !== null);
  if (measured.length >= 2) {
    const base = measured[0]!;
    process.stdout.write(`Throughput (Manifest entries/s) relative to ${base.size.label}: ${measured.map((r) => `${r.size.label} ${ratio(r.entriesPerSecond!, base.entriesPerSecond!)}`).join(', ')}\n`);
    process.stdout.write(
      `Throughput, each size vs the previous: ${measured
        .slice(1)
        .map((r, i) => `${measured[i]!.size.label}→${r.size.label} ${ratio(r.entriesPerSecond!, measured[i]!.entriesPerSecond!)}`)
        .join(', ')}\n`,
    );
    process.stdout.write(`Check time, ${last.size.label} vs ${first.size.label}: ${ratio(last.check!.wallMs, first.check!.wallMs)} for ${scale} the data (linear would be equal)\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// --outputs: what writing the results costs, side by side with the same check without --output (issue #8's
// goal: at most 1.3× it). Several rounds, the builds' runs of one mode one after the other: medians.

type OutputMode = 'none' | 'native' | 'mvt';
const OUTPUT_MODES: readonly OutputMode[] = ['none', 'native', 'mvt'];

function outputArgs(mode: OutputMode, outDir: string): string[] {
  if (mode === 'none') return [];
  return mode === 'native' ? ['--output', outDir] : ['--output', outDir, '--format', 'mvt'];
}

interface Build {
  readonly label: string;
  readonly root: string;
  /** `--jobs` for this build's check (a number, or `default`: no flag); builds from before the pool take none. */
  readonly jobs?: string;
}

const jobsArgs = (build: Build): string[] => (build.jobs && build.jobs !== 'default' ? ['--jobs', build.jobs] : []);

interface OutputRun {
  readonly build: Build;
  readonly mode: OutputMode;
  readonly measured: Measured;
  readonly outDir: string;
}

async function runOutputs(size: Size, builds: readonly Build[], iocs: readonly string[], rounds: number, keep: boolean): Promise<OutputRun[]> {
  const work = mkdtempSync(join(tmpdir(), `th-bench-outputs-${size.label}-`));
  const backup = join(work, 'backup');
  try {
    const gen = await measure(generateCommand(backup, size));
    if (gen.exitCode !== 0) throw new Error(`generating ${size.label} failed (exit ${gen.exitCode}):\n${gen.stderrTail}`);
    const demoIocs = join(work, 'demospy.stix2');
    writeFileSync(demoIocs, JSON.stringify(demoStixBundle()));
    // Round after round, each build's run of a mode right after the other's: the load of a shared machine drifts
    // over minutes, and runs side by side see the same drift. Each figure is the median of its rounds.
    const samples = new Map<string, Measured[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const mode of OUTPUT_MODES) {
        for (const build of builds) {
          const outDir = join(work, `out-${build.label}-${mode}`);
          const args = ['check', backup, ...[...iocs, demoIocs].flatMap((i) => ['--iocs', i]), '--no-default-iocs', ...outputArgs(mode, outDir), ...jobsArgs(build), '--quiet'];
          const measured = await measure(cli(args, build.root));
          if (measured.exitCode !== 0 && measured.exitCode !== 1) process.stderr.write(`${build.label} ${mode} exited ${measured.exitCode}:\n${measured.stderrTail}\n`);
          const key = `${build.label}\0${mode}`;
          samples.set(key, [...(samples.get(key) ?? []), measured]);
          process.stdout.write(`  round ${round}/${rounds}  ${build.label.padEnd(10)} ${mode.padEnd(7)} ${secs(measured.wallMs).padStart(7)} wall ${measured.cpuMs === null ? '' : `${secs(measured.cpuMs).padStart(7)} cpu `}${mb(measured.peakRssMb).padStart(8)}\n`);
        }
      }
    }
    const runs: OutputRun[] = builds.flatMap((build) => OUTPUT_MODES.map((mode) => ({ build, mode, measured: medianOf(samples.get(`${build.label}\0${mode}`)!), outDir: join(work, `out-${build.label}-${mode}`) })));
    process.stdout.write(`\nMedians of ${rounds} round${rounds === 1 ? '' : 's'}:\n`);
    printOutputHeader();
    for (const run of runs) printOutputRun(runs, run);
    if (builds.length > 1) {
      process.stdout.write('\n');
      printVersusBefore(runs);
      for (const mode of OUTPUT_MODES.filter((m) => m !== 'none')) compareOutputs(runs, mode);
    }
    if (keep) process.stderr.write(`kept ${work}\n`);
    return runs;
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

/** The median of each figure over the rounds (figures of different runs: wall, CPU and peak RSS each their own). */
function medianOf(runs: readonly Measured[]): Measured {
  const median = (values: readonly number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const known = (pick: (m: Measured) => number | null): number | null => {
    const values = runs.map(pick).filter((v): v is number => v !== null);
    return values.length === runs.length ? median(values) : null;
  };
  return { ...runs[runs.length - 1]!, wallMs: median(runs.map((r) => r.wallMs)), cpuMs: known((r) => r.cpuMs), peakRssMb: known((r) => r.peakRssMb), diskWrittenBytes: known((r) => r.diskWrittenBytes) };
}

const OUTPUT_WIDTHS = [10, 7, 8, 8, 9, 9, 9];

function printOutputHeader(): void {
  const head = ['build', 'output', 'wall', 'cpu', 'peak RSS', 'wall/none', 'cpu/none'];
  const row = (cells: readonly string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(OUTPUT_WIDTHS[i]!) : c.padStart(OUTPUT_WIDTHS[i]!))).join('  ');
  process.stdout.write(`${row(head)}\n${row(head.map((h) => '-'.repeat(h.length)))}\n`);
}

function printOutputRun(runs: readonly OutputRun[], r: OutputRun): void {
  const none = runs.find((x) => x.build === r.build && x.mode === 'none')!.measured;
  const m = r.measured;
  const cells = [r.build.label, r.mode, secs(m.wallMs), m.cpuMs === null ? 'n/a' : secs(m.cpuMs), mb(m.peakRssMb), ratio(m.wallMs, none.wallMs), cpuRatio(m, none)];
  process.stdout.write(`${cells.map((c, i) => (i < 2 ? c.padEnd(OUTPUT_WIDTHS[i]!) : c.padStart(OUTPUT_WIDTHS[i]!))).join('  ')}\n`);
}

const cpuRatio = (a: Measured, b: Measured): string => (a.cpuMs !== null && b.cpuMs !== null ? ratio(a.cpuMs, b.cpuMs) : '-');

/** Each output mode of this build against the same mode of the build from before. */
function printVersusBefore(runs: readonly OutputRun[]): void {
  const labels = [...new Set(runs.map((r) => r.build.label))].filter((l) => l !== 'before');
  for (const label of labels) for (const mode of OUTPUT_MODES) {
    const now = runs.find((r) => r.build.label === label && r.mode === mode)?.measured;
    const before = runs.find((r) => r.build.label === 'before' && r.mode === mode)?.measured;
    if (now && before) process.stdout.write(`${mode.padEnd(6)} ${label} vs before: wall ${ratio(now.wallMs, before.wallMs)}, cpu ${cpuRatio(now, before)}, peak RSS ${now.peakRssMb && before.peakRssMb ? ratio(now.peakRssMb, before.peakRssMb) : '-'}\n`);
  }
}

/** The builds' output folders for one mode, file by file: info.json aside (it holds the run's times and paths). */
function compareOutputs(runs: readonly OutputRun[], mode: OutputMode): void {
  const [first, ...others] = runs.filter((r) => r.mode === mode);
  for (const other of others) {
    const names = [...new Set([...readdirSync(first!.outDir), ...readdirSync(other.outDir)])].filter((n) => n !== 'info.json').sort();
    const differing = names.filter((n) => {
      const a = join(first!.outDir, n);
      const b = join(other.outDir, n);
      return !existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b));
    });
    process.stdout.write(`${mode} output, ${first!.build.label} vs ${other.build.label}: ${differing.length === 0 ? `the same ${names.length} files (info.json aside)` : `differ in ${differing.join(', ')}`}\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Entry point

/** "10k" → 10000, "1m" → 1000000, "250000" → 250000. */
function parseCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (expected e.g. 10k, 250k, 1m)`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1_000 : m[2]?.toLowerCase() === 'm' ? 1_000_000 : 1));
}

function sizeByLabel(label: string): Size {
  const n = parseCount(label);
  const size = SIZES.find((s) => s.manifestEntries === n);
  if (!size) throw new Error(`unknown size ${label}; known: ${SIZES.map((s) => s.label).join(', ')}`);
  return size;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      max: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-check': { type: 'boolean', default: false },
      iocs: { type: 'string', multiple: true },
      generate: { type: 'string' },
      size: { type: 'string' },
      outputs: { type: 'boolean', default: false },
      before: { type: 'string' },
      jobs: { type: 'string' },
      rounds: { type: 'string' },
    },
  });

  if (values.generate) {
    // Child role: generate one backup and print what was written, as JSON on the last line.
    const size = sizeByLabel(values.size ?? '');
    const result = generateIosBackup(values.generate, { seed: SEED, ...size, plant: DEMO_PLANTS });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  if (values.outputs) {
    const jobs = values.jobs ? values.jobs.split(',').map((j) => j.trim()) : [];
    const builds: Build[] = jobs.length === 0 ? [{ label: 'this', root: projectRoot }] : jobs.map((j) => ({ label: `this j${j === 'default' ? 'def' : j}`, root: projectRoot, jobs: j }));
    if (values.before) {
      const root = resolve(values.before);
      if (!builtCli(root)) throw new Error(`${root}: no built CLI; build it there first (\`npm run build\`, or \`npx tsc -p tsconfig.build.json\` in a checkout from before scripts/build.ts)`);
      builds.push({ label: 'before', root });
    }
    const iocs = values.iocs ?? [join('..', 'shared', 'data', 'iocs')];
    const sizes = values.sizes ? values.sizes.split(',').map(sizeByLabel) : [sizeByLabel('100k')];
    const rounds = values.rounds ? parseCount(values.rounds) : 3;
    process.stdout.write(
      `Tracehound output cost · seed ${SEED} · ${builds.map((b) => `${b.label}: ${b.root}${builtCli(b.root) ? '' : ' (sources through tsx)'}`).join(' · ')}\n` +
        `Peak RSS and CPU via ${rssMethod()}; ${rounds} round${rounds === 1 ? '' : 's'}, the builds side by side in each; medians.\n`,
    );
    for (const size of sizes) {
      process.stdout.write(`\n${size.label}: ${int(size.manifestEntries)} Manifest entries, ${int(size.messages)} messages, ${int(size.visits)} visits\n`);
      const runs = await runOutputs(size, builds, iocs, rounds, values.keep);
      const outDir = join(projectRoot, 'bench', 'out');
      mkdirSync(outDir, { recursive: true });
      const file = join(outDir, `outputs-${size.label}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      writeFileSync(
        file,
        `${JSON.stringify(
          runs.map((r) => ({ build: r.build, mode: r.mode, wallMs: Math.round(r.measured.wallMs), cpuMs: r.measured.cpuMs, peakRssMb: r.measured.peakRssMb, exitCode: r.measured.exitCode })),
          null,
          2,
        )}\n`,
      );
      process.stdout.write(`Results: ${file}\n`);
    }
    return;
  }

  let sizes = values.sizes ? values.sizes.split(',').map(sizeByLabel) : [...SIZES];
  if (values.max) {
    const max = parseCount(values.max);
    sizes = sizes.filter((s) => s.manifestEntries <= max);
  }
  const iocs = values.iocs ?? [join('..', 'shared', 'data', 'iocs')];
  const check = !values['no-check'];
  process.stdout.write(
    `Tracehound iOS backup benchmark · seed ${SEED}\n` +
      (check
        ? `Check: tracehound check <backup> ${[...iocs, '<demospy.stix2>'].map((i) => `--iocs ${i}`).join(' ')} --no-default-iocs --output <tmp> --quiet` +
          ` (${builtCli() ? 'built CLI' : 'sources through tsx: run `npm run build` to time the built CLI'})\n`
        : 'Generation only.\n') +
      `Peak RSS via ${rssMethod()}; DemoSpy traces planted in every backup.\n`,
  );
  const rounds = values.rounds ? parseCount(values.rounds) : 1;
  const rows = await runSizes(sizes, { check, keep: values.keep, iocs, rounds });
  process.stdout.write(rounds > 1 ? `\nMedians of ${rounds} rounds:\n` : '\n');
  printHeader();
  for (const row of rows) printRow(row);
  printSummary(rows);

  const outDir = join(projectRoot, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `ios-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      rows.map((r) => ({
        size: r.size,
        generated: r.generated,
        generateMs: Math.round(r.generateMs),
        generateRssMb: r.generateRssMb,
        checkMs: r.check ? Math.round(r.check.wallMs) : null,
        checkExitCode: r.check?.exitCode ?? null,
        checkRssMb: r.check?.peakRssMb ?? null,
        entriesPerSecond: r.entriesPerSecond,
      })),
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nResults: ${file}\n`);
}

await main();
