/** Exit codes that tell the truth: 0 only for a complete check, 3 when much of it did not happen. */
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIosBackup } from '../../src/synth/ios-backup.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { capturedOutput, run } from '../helpers/cli.js';


const out = capturedOutput();

let complete: string;
beforeAll(() => {
  complete = join(tempDir('complete'), 'backup');
  generateIosBackup(complete, { seed: 8, manifestEntries: 80, messages: 5, visits: 5, processes: 5 });
});

function mvtCopy(): string {
  const dir = join(tempDir('exit'), 'backup');
  cpSync(mvtIosBackup(), dir, { recursive: true });
  return dir;
}

/** Overwrites one whole page of a SQLite file with noise, as a bad sector or a careless copy would. */
function corruptPage(path: string, page: number): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  bytes.fill(0x5a, (page - 1) * pageSize, page * pageSize);
  writeFileSync(path, bytes);
}

describe('exit 0: a complete check with nothing at or above --fail-on', () => {
  it('a generated backup that holds every file its Manifest.db lists', async () => {
    expect(await run('check', complete, '--no-default-iocs')).toBe(0);
    expect(out.stdout).not.toContain('Incomplete check');
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('No high or critical findings. This does not prove the device is clean');
  });
});

describe('exit 3: nothing found, but the check is incomplete', () => {
  it('one corrupted page of Manifest.db makes most artifacts fail (was: exit 0, "No high or critical findings")', async () => {
    const backup = mvtCopy();
    corruptPage(join(backup, 'Manifest.db'), 3);
    expect(await run('check', backup, '--no-default-iocs')).toBe(3);
    const failed = /Incomplete check: (\d+) of 28 artifacts failed/.exec(out.stdout);
    expect(Number(failed?.[1])).toBeGreaterThanOrEqual(20);
    expect(out.stdout).not.toContain('No high or critical findings');
    expect(out.stdout).toContain('Nothing high or critical in the part that could be read; the rest was not checked');
  });

  it('every stored file deleted (was: exit 0 with "25 not in this acquisition")', async () => {
    const backup = mvtCopy();
    for (const name of readdirSync(backup)) if (/^[0-9a-f]{2}$/.test(name)) rmSync(join(backup, name), { recursive: true });
    expect(await run('check', backup, '--no-default-iocs')).toBe(3);
    const missing = /Incomplete check: (?:\d+ of 28 artifacts failed, )?(\d+) files listed in Manifest\.db are missing from the backup\./.exec(out.stdout);
    expect(Number(missing?.[1])).toBeGreaterThanOrEqual(20);
    expect(out.stdout).not.toContain('No high or critical findings');
  });

  it('--json says so too', async () => {
    const backup = mvtCopy();
    for (const name of readdirSync(backup)) if (/^[0-9a-f]{2}$/.test(name)) rmSync(join(backup, name), { recursive: true });
    expect(await run('check', backup, '--no-default-iocs', '--json')).toBe(3);
    const summary = JSON.parse(out.stdout) as { complete: boolean; failed_artifacts: number; missing_files: number };
    expect(summary.complete).toBe(false);
    expect(summary.missing_files).toBeGreaterThanOrEqual(20);
  });

  it('--quiet prints nothing but still exits 3', async () => {
    const backup = mvtCopy();
    corruptPage(join(backup, 'Manifest.db'), 3);
    expect(await run('check', backup, '--no-default-iocs', '--quiet')).toBe(3);
    expect(out.stdout).toBe('');
  });
});

describe('exit 1 wins over 3: findings are reported whatever else failed', () => {
  it('the MVT sample backup with its indicators: critical findings, and the incompleteness line as well', async () => {
    expect(await run('check', mvtIosBackup(), '--iocs', mvtTestStix(), '--no-default-iocs')).toBe(1);
    expect(out.stdout).toContain('Incomplete check: 1 of 28 artifacts failed');
    expect(out.stdout).toContain('High or critical findings: only expert review can confirm an infection.');
  });
});

describe('--help documents the exit codes', () => {
  it.each([[['--help']], [['check', '--help']]])('%j', async (args) => {
    expect(await run(...args)).toBe(0);
    expect(out.stdout).toMatch(/Exit codes:\n\s+0 +nothing at or above --fail-on, and every applicable artifact was read/);
    expect(out.stdout).toMatch(/\n\s+3 +incomplete check/);
    expect(out.stdout).toMatch(/\n\s+130 +interrupted by Ctrl-C \(143: SIGTERM\)/);
  });
});
