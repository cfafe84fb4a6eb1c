/**
 * `tracehound … | head`: when the reader of stdout has gone, the CLI drops what is left to print instead of
 * dying on an unhandled EPIPE with a stack trace, and a check still finishes: its output folder is written and
 * its exit code says what it found.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix, projectRoot } from '../helpers/data.js';

const CHILD = join(projectRoot, 'test', 'cli', '_cli-child.ts');

/** Runs the CLI with a stdout pipe whose reading end is closed before the child writes anything. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a closed stdout pipe', () => {
  it('ends `--help` quietly with exit 0', async () => {
    const { code, stderr } = await runWithClosedStdout(['check', '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('lets a check finish: the output folder is written and the exit code is the findings one (1)', async () => {
    const out = join(tempDir('closed-pipe'), 'out');
    const { code, stderr } = await runWithClosedStdout(['check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs', '--output', out, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(existsSync(join(out, 'alerts.json'))).toBe(true);
    expect(readdirSync(out)).toContain('timeline.csv');
  }, 60_000);
});
