/** Real third-party data lives beside the project (../shared/data); a missing file fails the test, never skips it. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedData = process.env.TRACEHOUND_SHARED_DATA ?? resolve(projectRoot, '..', 'shared', 'data');

export function shared(...parts: string[]): string {
  const p = join(sharedData, ...parts);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (expected ../shared/data beside the project)`);
  return p;
}

export const mvtIosBackup = () => shared('mvt-test-artifacts', 'ios_backup');
export const mvtTestStix = () => shared('mvt-test-artifacts', 'stix2', 'test.stix2');
export { projectRoot };
