/**
 * Checking an encrypted backup in place versus decrypting it whole (npm run bench:encrypted).
 *
 * Generates one encrypted backup of realistic weight (by default 2 GiB of camera-roll video, 100,000 small stored
 * files among 250,000 Manifest entries, iOS's real key-derivation counts: DPIC 10,000,000, ITER 10,000), with
 * DemoSpy's traces planted, then runs the real CLI on it as child processes and measures each run's wall time and
 * peak RSS:
 *   (a) `check` with the password in TRACEHOUND_BACKUP_PASSWORD,
 *   (b) `ios extract-key`, then `check --key-file` (no derivation),
 *   (c) `ios decrypt` into a new folder, as the tools that cannot read encrypted backups require.
 * The claim under test: `check` decrypts only what its parsers read (a few databases, not the camera roll), so it
 * takes a fraction of the time and bytes of a full decryption and never writes a plaintext copy.
 *
 *   npm run bench:encrypted                                   the full-size run (several minutes, ~5 GB in /tmp)
 *   npm run bench:encrypted -- --stored 5k --media-mb 64      a quick one
 *   npm run bench:encrypted -- --dpic 1000 --iter 10          cheap key derivation (figures do not count then)
 *   npm run bench:encrypted -- --keep                         keep the temp folder (its path is printed)
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_DOMAIN, DEMO_PLANTS, DEMO_PROCESS, demoStixBundle } from '../src/synth/demo.js';
import { generateIosBackup, type GeneratedBackup, type GenerateOptions } from '../src/synth/ios-backup.js';
import { builtCli, cli, measure, projectRoot, rssMethod, type Measured } from './_child.js';

const SEED = 20240601;
const PASSWORD = 'tracehound-bench-password';
const PASSWORD_ENV = 'TRACEHOUND_BACKUP_PASSWORD';
/** Where DemoSpy's planted traces must be found: its domain in SMS and Safari, its process in DataUsage and TCC. */
const PLANTED_IN = ['ios.datausage', 'ios.safari_history', 'ios.sms', 'ios.tcc'] as const;

interface Plan {
  readonly manifestEntries: number;
  readonly messages: number;
  readonly visits: number;
  readonly processes: number;
  readonly storedFiles: number;
  readonly mediaBytes: number;
  readonly dpic: number;
  readonly iter: number;
}

// ---------------------------------------------------------------------------------------------------------
// The commands under test. Adjust here when the CLI changes.

function checkArgs(backup: string, outDir: string, iocs: readonly string[], extra: readonly string[] = []): string[] {
  return ['check', backup, ...iocs.flatMap((i) => ['--iocs', i]), '--no-default-iocs', '--output', outDir, '--quiet', '--json', ...extra];
}

/** This script again, in its `--generate` role, with the same loader (tsx) it was started with. */
function generateCommand(dir: string, plan: Plan): { command: string; args: string[] } {
  return { command: process.execPath, args: [...process.execArgv, fileURLToPath(import.meta.url), '--generate', dir, '--plan', JSON.stringify(plan)] };
}

/** Runs with the password in the environment, or (null) with it removed. */
type Password = string | null;

function envWith(password: Password): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[PASSWORD_ENV];
  delete env.TRACEHOUND_IOCS;
  if (password !== null) env[PASSWORD_ENV] = password;
  return env;
}

function mustSucceed(what: string, m: Measured, ok: readonly number[] = [0]): Measured {
  if (!ok.includes(m.exitCode)) throw new Error(`${what} exited ${m.exitCode}:\n${m.stderrTail}`);
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the results

interface CheckSummary {
  readonly findings: readonly { readonly artifact: string; readonly indicator?: { readonly value: string; readonly collection: { readonly name: string } } }[];
  readonly coverage: readonly { readonly artifact: string; readonly state: string; readonly records: number }[];
  readonly decrypted?: { readonly files: number; readonly bytes: number };
}

interface CheckRun {
  readonly label: string;
  readonly run: Measured;
  readonly summary: CheckSummary;
  /** Artifacts in which a DemoSpy indicator matched. */
  readonly plantedFoundIn: readonly string[];
}

function readCheck(label: string, run: Measured): CheckRun {
  mustSucceed(label, run, [0, 1]);
  const summary = JSON.parse(run.stdout) as CheckSummary;
  if (!summary.decrypted) throw new Error(`${label}: the JSON summary has no "decrypted" figures; was the backup encrypted?`);
  const demo = new Set([DEMO_DOMAIN, DEMO_PROCESS]);
  const plantedFoundIn = [...new Set(summary.findings.filter((f) => f.indicator?.collection.name === 'DemoSpy' && demo.has(f.indicator.value)).map((f) => f.artifact))].sort();
  return { label, run, summary, plantedFoundIn };
}

/** Files and bytes under a folder (symlinks not followed). */
function folderSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(join(dir, rel));
    if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { files, bytes };
}

// ---------------------------------------------------------------------------------------------------------
// Report

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const rss = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(0)} MB`);
const size = (bytes: number): string => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(a / b < 0.01 ? 3 : 1)}%`;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

const WIDTHS = [27, 9, 9, 9, 10, 5];
function line(cells: readonly string[]): string {
  return `${cells.map((c, i) => (i === 0 ? c.padEnd(WIDTHS[i]!) : c.padStart(WIDTHS[i]!))).join('  ')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Entry point

/** "100k" → 100000, "1m" → 1000000, "2500" → 2500. */
function parseCount(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`--${flag}: not a count: ${text} (expected e.g. 5k, 100k, 1m)`);
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'k' ? 1_000 : m[2]?.toLowerCase() === 'm' ? 1_000_000 : 1));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stored: { type: 'string', default: '100k' },
      'media-mb': { type: 'string', default: '2048' },
      manifest: { type: 'string' },
      messages: { type: 'string', default: '20k' },
      visits: { type: 'string', default: '20k' },
      dpic: { type: 'string', default: '10000000' },
      iter: { type: 'string', default: '10000' },
      iocs: { type: 'string', multiple: true },
      keep: { type: 'boolean', default: false },
      generate: { type: 'string' },
      plan: { type: 'string' },
    },
  });

  if (values.generate) {
    // Child role: generate the backup and print what was written, as JSON on the last line.
    const plan = JSON.parse(values.plan ?? '{}') as Plan;
    const options: GenerateOptions = {
      seed: SEED,
      manifestEntries: plan.manifestEntries,
      messages: plan.messages,
      visits: plan.visits,
      processes: plan.processes,
      storedFiles: plan.storedFiles,
      mediaBytes: plan.mediaBytes,
      plant: DEMO_PLANTS,
      encryption: { password: PASSWORD, dpic: plan.dpic, iter: plan.iter },
    };
    process.stdout.write(`${JSON.stringify(generateIosBackup(values.generate, options))}\n`);
    return;
  }

  const storedFiles = parseCount(values.stored, 'stored');
  const mediaBytes = parseCount(values['media-mb'], 'media-mb') * 1024 * 1024;
  const plan: Plan = {
    // Room for the stored files, the media and the listed-only rows a real backup has around them.
    manifestEntries: values.manifest ? parseCount(values.manifest, 'manifest') : Math.max(250_000, Math.ceil(storedFiles * 2.5)),
    messages: parseCount(values.messages, 'messages'),
    visits: parseCount(values.visits, 'visits'),
    processes: 2_000,
    storedFiles,
    mediaBytes,
    dpic: parseCount(values.dpic, 'dpic'),
    iter: parseCount(values.iter, 'iter'),
  };
  const iocs = values.iocs ?? [join('..', 'shared', 'data', 'iocs')];
  const realCounts = plan.dpic === 10_000_000 && plan.iter === 10_000;

  const work = mkdtempSync(join(tmpdir(), 'th-bench-encrypted-'));
  const removeWork = (): void => {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeWork();
    process.stderr.write(`\n${signal}: temp folder removed\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const say = (text: string): void => void process.stdout.write(text);
  try {
    say(
      `Tracehound encrypted-backup benchmark · seed ${SEED} · ${builtCli() ? 'built CLI' : 'sources through tsx (run `npm run build` to time the built CLI)'}\n` +
        `Machine: ${availableParallelism()} CPUs, load average ${load()} (1, 5, 15 min); peak RSS via ${rssMethod()}\n` +
        `Backup: ${int(plan.manifestEntries)} Manifest entries, ${int(plan.storedFiles)} small stored files, ${size(plan.mediaBytes)} of media, ` +
        `${int(plan.messages)} messages, ${int(plan.visits)} visits; keybag DPIC ${int(plan.dpic)}, ITER ${int(plan.iter)}` +
        `${realCounts ? ' (iOS\'s real counts)' : ' (NOT the real counts: figures do not count)'}\n\n`,
    );

    const backup = join(work, 'backup');
    const gen = mustSucceed('generating the backup', await measure(generateCommand(backup, plan), envWith(null)));
    const generated = JSON.parse(gen.stdout.trim().split('\n').pop() ?? 'null') as GeneratedBackup;
    const onDisk = folderSize(backup);
    say(
      `Generated in ${secs(gen.wallMs)} (peak RSS ${rss(gen.peakRssMb)}): ${int(generated.manifestEntries)} Manifest entries, ` +
        `${int(generated.storedFiles)} stored files (${int(generated.mediaFiles)} media), ${size(onDisk.bytes)} in ${int(onDisk.files)} files on disk\n\n`,
    );

    const demoIocs = join(work, 'demospy.stix2');
    writeFileSync(demoIocs, JSON.stringify(demoStixBundle()));
    const allIocs = [...iocs, demoIocs];

    say(`(a) check, password from ${PASSWORD_ENV}\n`);
    const withPassword = readCheck('check (password)', await measure(cli(checkArgs(backup, join(work, 'out-password'), allIocs)), envWith(PASSWORD)));

    say('(b) ios extract-key, then check --key-file\n');
    const keyFile = join(work, 'backup.key');
    const extract = mustSucceed('ios extract-key', await measure(cli(['ios', 'extract-key', backup, '--output', keyFile]), envWith(PASSWORD)));
    const withKey = readCheck('check (key file)', await measure(cli(checkArgs(backup, join(work, 'out-key'), allIocs, ['--key-file', keyFile])), envWith(null)));

    say('(c) ios decrypt, password from the environment\n\n');
    const decryptedDir = join(work, 'decrypted');
    const decrypt = mustSucceed('ios decrypt', await measure(cli(['ios', 'decrypt', backup, '--output', decryptedDir, '--quiet']), envWith(PASSWORD)));
    const decrypted = folderSize(decryptedDir);
    rmSync(decryptedDir, { recursive: true, force: true }); // plaintext of the whole backup: not a moment longer

    const head = ['run', 'wall', 'peak RSS', 'files', 'bytes', 'exit'];
    say(line(head) + line(head.map((h) => '-'.repeat(h.length))));
    for (const c of [withPassword, withKey]) {
      say(line([c.label, secs(c.run.wallMs), rss(c.run.peakRssMb), int(c.summary.decrypted!.files), size(c.summary.decrypted!.bytes), String(c.run.exitCode)]));
    }
    say(line(['ios extract-key', secs(extract.wallMs), rss(extract.peakRssMb), '-', '-', String(extract.exitCode)]));
    say(line(['ios decrypt (output folder)', secs(decrypt.wallMs), rss(decrypt.peakRssMb), int(decrypted.files), size(decrypted.bytes), String(decrypt.exitCode)]));

    say('\nRatios, check / ios decrypt:\n');
    for (const c of [withPassword, withKey]) {
      say(
        `  ${c.label}: time ${(c.run.wallMs / decrypt.wallMs).toFixed(3)}× (${pct(c.run.wallMs, decrypt.wallMs)}), ` +
          `bytes decrypted ${pct(c.summary.decrypted!.bytes, decrypted.bytes)}, files ${pct(c.summary.decrypted!.files, decrypted.files)}\n`,
      );
    }
    for (const c of [withPassword, withKey]) {
      const missing = PLANTED_IN.filter((a) => !c.plantedFoundIn.includes(a));
      say(`Planted DemoSpy traces, ${c.label}: ${missing.length === 0 ? 'all found' : `MISSING in ${missing.join(', ')}`} (found in ${c.plantedFoundIn.join(', ') || 'nothing'}; exit ${c.run.exitCode})\n`);
    }
    const records = (c: CheckRun): string => JSON.stringify(c.summary.coverage.map((x) => [x.artifact, x.state, x.records]));
    say(`Same coverage and record counts with password and key file: ${records(withPassword) === records(withKey) ? 'yes' : 'NO'}\n`);
    say(`Load average at the end: ${load()}\n`);

    const outDir = join(projectRoot, 'bench', 'out');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `encrypted-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const figures = (m: Measured) => ({ wallMs: Math.round(m.wallMs), peakRssMb: m.peakRssMb, exitCode: m.exitCode });
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          plan,
          realCounts,
          cpus: availableParallelism(),
          generated,
          generate: figures(gen),
          backupOnDisk: onDisk,
          checkPassword: { ...figures(withPassword.run), decrypted: withPassword.summary.decrypted, plantedFoundIn: withPassword.plantedFoundIn },
          extractKey: figures(extract),
          checkKeyFile: { ...figures(withKey.run), decrypted: withKey.summary.decrypted, plantedFoundIn: withKey.plantedFoundIn },
          decrypt: { ...figures(decrypt), output: decrypted },
        },
        null,
        2,
      )}\n`,
    );
    say(`\nResults: ${file}\n`);
    if (values.keep) process.stderr.write(`kept ${work}\n`);
  } finally {
    removeWork();
  }
}

await main();
