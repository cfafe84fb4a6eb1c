/**
 * Startup: `--version` alone answers without loading even the command line parser (src/cli/entry.ts);
 * `--help` and a usage error answer without loading what the commands need (the parsers, SQLite, the
 * indicator loader, the writers): each command imports its module when it runs.
 *
 * Not a timed assertion (a loaded CI machine would make it flaky): the CLI runs as a child process on the
 * sources, with a module hook that records every URL the loader resolves, and the test asserts what was
 * NOT loaded. Measured on the built CLI, median of 10 runs of `node bin/tracehound.js --version` on a busy
 * 2-core machine (load 8): loading every command at start took 1.2-1.3 s wall / 0.76 s CPU; lazily, 0.46-0.49 s
 * wall / 0.22 s CPU, against 0.34-0.38 s wall / 0.16 s CPU for a bare `node` printing one line. With
 * `--version` answered before commander loads (bench/startup.bench.ts, medians of 20 alternating rounds at
 * load ~2.5): 0.106 s wall / 0.090 s CPU, against 0.120 / 0.100 s before and 0.088 / 0.075 s for `node -e 0`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allArtifacts } from '../../src/artifacts/index.js';
import { toolVersion } from '../../src/version.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { projectRoot } from '../helpers/data.js';

const CHILD = join(projectRoot, 'test', 'cli', '_cli-child.ts');

/**
 * A module hook (run in the loader thread) that appends each URL the ES module loader resolves to the file
 * named by TRACEHOUND_LOADS_FILE: every project module and every package they import (requires made inside
 * a CommonJS package are not seen, and need not be: the project imports its dependencies itself).
 */
const RECORDER_HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.TRACEHOUND_LOADS_FILE, resolved.url + '\\n');
  return resolved;
}`;

interface StartupRun {
  readonly status: number | null;
  readonly stdout: string;
  /** Project files loaded, relative to the project root ('src/cli/main.ts'). */
  readonly projectModules: readonly string[];
  /** npm packages imported ('@commander-js/extra-typings'). */
  readonly packages: readonly string[];
}

function runCli(...args: string[]): StartupRun {
  const dir = tempDir('startup');
  const loads = join(dir, 'loads.txt');
  writeFileSync(loads, '');
  writeFileSync(join(dir, 'hooks.mjs'), RECORDER_HOOKS);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(join(dir, 'register.mjs')).href, CHILD, ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, TRACEHOUND_LOADS_FILE: loads },
  });
  const files = [...new Set(readFileSync(loads, 'utf8').split('\n'))].filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  // By the path after node_modules/, not relative to the project: a linked node_modules (a git worktree sharing
  // the main checkout's) resolves to its real place.
  const packages = new Set(files.filter((f) => f.includes('/node_modules/')).map((f) => packageOf(f)));
  packages.delete('tsx'); // the test's own TypeScript loader
  return {
    status: child.status,
    stdout: child.stdout,
    projectModules: files.map((f) => relative(projectRoot, f)).filter((f) => f.startsWith('src/')).sort(),
    packages: [...packages].sort(),
  };
}

function packageOf(file: string): string {
  const [first, second] = file.slice(file.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/');
  return first!.startsWith('@') ? `${first}/${second}` : first!;
}

/** All `--version` loads: the entry and the version (read from package.json); no package at all. */
const VERSION_MODULES = ['src/cli/entry.ts', 'src/version.ts'];
/** What every other start may load: the command line parser and the few small modules `main` needs to report an outcome. */
const STARTUP_MODULES = ['src/cli/entry.ts', 'src/cli/exit-codes.ts', 'src/cli/interrupt.ts', 'src/cli/main.ts', 'src/errors.ts', 'src/evidence/kinds.ts', 'src/evidence/temp.ts', 'src/version.ts'];
/** As ES module imports see them: commander itself is required by the typings wrapper, inside CommonJS, which the hook does not see. */
const STARTUP_PACKAGES = ['@commander-js/extra-typings'];

describe('tracehound starts without loading the commands', () => {
  it('--version (and -V) prints the version and loads nothing but the version: not even the command line parser', () => {
    for (const flag of ['--version', '-V']) {
      const run = runCli(flag);
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(`${toolVersion}\n`);
      expect(run.projectModules).toEqual(VERSION_MODULES);
      expect(run.packages).toEqual([]);
      // Said outright, for whoever breaks it: no SQLite, no check use case, no command module.
      expect(run.projectModules).not.toContain('src/app/check.ts');
      expect(run.projectModules.filter((m) => m.endsWith('-command.ts'))).toEqual([]);
    }
  });

  it('--version among other arguments is left to the command line parser, which answers the same', () => {
    const run = runCli('--version', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${toolVersion}\n`);
    expect(run.projectModules).toEqual(STARTUP_MODULES);
    expect(run.packages).toEqual(STARTUP_PACKAGES);
  });

  it('--help still lists every command, and check --help every option, loading no more', () => {
    const top = runCli('--help');
    expect(top.status).toBe(0);
    for (const command of ['check [options] <path>', 'iocs', 'ios', 'artifacts', 'demo [options]', 'keys', 'export [options]', 'verify [options] <bundle>']) expect(top.stdout).toContain(command);
    expect(top.projectModules).toEqual(STARTUP_MODULES);

    const check = runCli('check', '--help');
    expect(check.status).toBe(0);
    for (const option of ['--iocs <path>', '--output <dir>', '--format <format>', '--fail-on <level>', '--type <kind>', '--only <ids>', '--no-default-iocs', '--key-file <path>', '--password <password>', '--quiet', '--json']) {
      expect(check.stdout).toContain(option);
    }
    expect(check.projectModules).toEqual(STARTUP_MODULES);
    expect(check.packages).toEqual(STARTUP_PACKAGES);
  });

  it('a command loads its module when it runs: `artifacts` lists every registered artifact', () => {
    const run = runCli('artifacts');
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(allArtifacts.length);
    expect(run.stdout).toMatch(/^ios\.backup_info +Backup information \(Info\.plist\)$/m);
    expect(run.projectModules).toContain('src/app/check.ts');
  });
});
