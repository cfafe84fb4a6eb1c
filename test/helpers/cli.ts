/**
 * The CLI run in-process, with what it prints captured: `const out = capturedOutput()` at the top of a test file
 * empties `out.stdout` and `out.stderr` before each test and restores every spy after it.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export const run = (...args: string[]): Promise<number> => main(['node', 'tracehound', ...args]);

export function capturedOutput(): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  beforeEach(() => {
    out.stdout = '';
    out.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out.stdout += String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((out.stderr += String(c)), true));
  });
  afterEach(() => vi.restoreAllMocks());
  return out;
}
