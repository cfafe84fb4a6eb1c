/**
 * A bundle is hostile input to `verify`: a signed bundle mutated byte by byte (anywhere in the zip: headers,
 * compressed data, central directory) must either still verify with every member's content unchanged, or fail
 * with one BundleProblem line, within the time bound. Never a crash, never a pass with changed content.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BundleProblem, openBundle } from '../../src/bundle/read.js';
import { verifyBundle } from '../../src/bundle/verify.js';
import { writeBundle } from '../../src/bundle/write.js';
import { generateKeyPair } from '../../src/signing/keys.js';
import { fuzzRuns, MAX_MS_PER_INPUT, mutate, mutations, timeoutFor } from '../fuzz/_fuzz.js';
import { tempDir } from '../fixtures/ios-backup.js';

const RUNS = fuzzRuns(150);
const pair = generateKeyPair('fuzz@example');
let original: Buffer;
let dir: string;

beforeAll(async () => {
  dir = tempDir('bundle-fuzz');
  const path = join(dir, 'b.zip');
  const provenance = { bundle_format: 1, tool: { name: 'tracehound', version: '0.1.0' }, started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:00:01Z', target: '/x', acquisition: null, container_notes: [], options: {}, inputs: [], indicator_files: [], artifacts: [], rules: [] };
  await writeBundle({ findings: [{ level: 'critical', artifact: 'ios.sms', message: 'planted' }], coverage: [], observables: [], provenance, indicatorFiles: [] }, path, pair);
  original = readFileSync(path);
});

describe('verify on a mutated signed bundle', () => {
  it('verifies unchanged content or fails with one line', async () => {
    let failed = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async (m) => {
        const path = join(dir, `m${n++}.zip`);
        writeFileSync(path, mutate(original, m));
        const started = performance.now();
        try {
          const bundle = await openBundle(path);
          try {
            await verifyBundle(bundle, pair);
          } finally {
            await bundle.close();
          }
        } catch (err) {
          if (!(err instanceof BundleProblem)) throw err;
          if (/[\n\r]/.test(err.message)) throw new Error(`not one line: ${JSON.stringify(err.message)}`, { cause: err });
          failed++;
        }
        if (performance.now() - started > MAX_MS_PER_INPUT) throw new Error('too slow');
      }),
      { numRuns: RUNS },
    );
    expect(failed).toBeGreaterThan(RUNS / 4);
  }, timeoutFor(RUNS, 50));
});
