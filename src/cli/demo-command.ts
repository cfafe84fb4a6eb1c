import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemo } from '../synth/demo.js';
import { runCheck } from './check-command.js';

/**
 * Generates a small backup with planted traces of a fictional spyware ("DemoSpy") and its indicator
 * file, then checks it as a user would. Exits 0 when the demo ran: finding the planted traces is the point.
 */
export async function runDemo(flags: { output?: string }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-demo-'));
  try {
    const demo = writeDemo(dir);
    process.stdout.write(`Demo: a generated iPhone backup at ${demo.backup}\n      checked against ${demo.iocs} (fictional indicators)\n\n`);
    await runCheck(demo.backup, { iocs: [demo.iocs], format: 'native', failOn: 'medium', defaultIocs: false, ...(flags.output ? { output: flags.output } : {}) });
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
