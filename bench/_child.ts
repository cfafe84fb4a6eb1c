/** What both benchmarks share: running the real CLI as a child process and measuring its time and peak memory. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Whether `root` has a built CLI: bundled (dist/cli.js, scripts/build.ts) or, in a checkout from before the bundle, dist/cli/main.js. */
export const builtCli = (root = projectRoot): boolean => existsSync(join(root, 'dist', 'cli.js')) || existsSync(join(root, 'dist', 'cli', 'main.js'));

/**
 * `tracehound <args>` as a user runs it, on the built CLI when there is one, else on the sources through tsx.
 * `root` is another checkout to run instead of this one (e.g. a build from before a change, side by side).
 */
export function cli(args: readonly string[], root = projectRoot): { command: string; args: string[] } {
  if (builtCli(root)) return { command: process.execPath, args: [join(root, 'bin', 'tracehound.js'), ...args] };
  const runner = `const { main } = await import(${JSON.stringify(join(root, 'src', 'cli', 'main.ts'))}); process.exitCode = await main(['node', 'tracehound', ...process.argv.slice(1)]);`;
  return { command: process.execPath, args: ['--import', 'tsx', '--input-type=module', '-e', runner, ...args] };
}

export interface Measured {
  readonly exitCode: number;
  readonly wallMs: number;
  /** Peak RSS in MB (the child's high-water mark), null when it could not be measured. */
  readonly peakRssMb: number | null;
  /** User + system CPU time of the child, null without GNU time. Steadier than wall time on a loaded machine. */
  readonly cpuMs: number | null;
  /**
   * Bytes the child had written to storage (GNU time's %O, file system output blocks of 512 bytes: files it
   * created, temp copies included, once they reach the disk), null without GNU time.
   */
  readonly diskWrittenBytes: number | null;
  readonly stdout: string;
  readonly stderrTail: string;
}

const GNU_TIME = '/usr/bin/time';

/** How peak memory is measured on this machine, for the report header. */
export const rssMethod = (): string => (existsSync(GNU_TIME) ? 'GNU time (%M)' : '/proc VmHWM polling');

/**
 * GNU time reports the child's maximum RSS from wait4(), which also covers its threads and children. Without it,
 * poll VmHWM in /proc (the kernel's high-water mark, so no peak between polls is lost; Linux only).
 */
export async function measure(cmd: { command: string; args: string[] }, env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const timeFile = useTime ? join(mkdtempSync(join(tmpdir(), 'th-bench-time-')), 'rss') : '';
  const [command, args] = useTime ? [GNU_TIME, ['-f', '%M %U %S %O', '-o', timeFile, cmd.command, ...cmd.args]] : [cmd.command, cmd.args];
  const started = performance.now();
  const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = []; // kept whole: check's --json summary is read from it
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4_096)));
  let polledKb = 0;
  const poll = useTime
    ? null
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          // the child has exited between two polls
        }
      }, 20);
  const exitCode = await new Promise<number>((resolveExit) => child.on('close', (code) => resolveExit(code ?? -1)));
  const wallMs = performance.now() - started;
  if (poll) clearInterval(poll);
  let peakKb: number | null = polledKb || null;
  let cpuMs: number | null = null;
  let diskWrittenBytes: number | null = null;
  if (useTime) {
    const lines = existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n') : [];
    // The last line is ours; GNU time writes "Command exited with non-zero status" lines before it.
    const [kb, user, system, blocks] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
    peakKb = kb !== undefined && Number.isFinite(kb) && kb > 0 ? kb : null;
    cpuMs = user !== undefined && system !== undefined && Number.isFinite(user + system) ? (user + system) * 1000 : null;
    diskWrittenBytes = blocks !== undefined && Number.isFinite(blocks) ? blocks * 512 : null;
    rmSync(dirname(timeFile), { recursive: true, force: true });
  }
  return { exitCode, wallMs, peakRssMb: peakKb === null ? null : peakKb / 1024, cpuMs, diskWrittenBytes, stdout: Buffer.concat(out).toString('utf8'), stderrTail: stderr.trim().split('\n').slice(-8).join('\n') };
}
