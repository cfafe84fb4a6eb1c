/** MVT's dumpsys test files, wrapped as androidqf's dumpsys.txt, and checks of them with app-id indicators. */
import { readFileSync } from 'node:fs';
import type { AnyArtifact } from '../../../src/artifacts/artifact.js';
import { check } from '../../../src/index.js';
import type { Finding } from '../../../src/findings/finding.js';
import { shared } from '../../helpers/data.js';
import { stixBundle, tempTree } from '../../indicators/bundle.js';
import type { ArtifactResult } from '../../helpers/artifacts.js';
import { parseAqfFiles, writeAqf } from './_aqf.js';

export const SEPARATOR = '-'.repeat(79);

/** A file of MVT's android_data folder (`dumpsys_appops.txt`). */
export function mvtDumpsys(name: string): Buffer {
  return readFileSync(shared('mvt-test-artifacts', 'android_data', name));
}

/** A dumpsys.txt holding each section under its `DUMP OF SERVICE` header (a file that already has it is kept as is). */
export function dumpsysOf(sections: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('Currently running services:\n  adb\n  package\n')];
  for (const [service, body] of Object.entries(sections)) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (data.includes(`DUMP OF SERVICE ${service}:`)) parts.push(Buffer.from(`${SEPARATOR}\n`), data, Buffer.from('\n'));
    else parts.push(Buffer.from(`${SEPARATOR}\nDUMP OF SERVICE ${service}:\n`), data, Buffer.from(`\n--------- 0.010s was the duration of dumpsys ${service}\n`));
  }
  parts.push(Buffer.from(`${SEPARATOR}\n`));
  return Buffer.concat(parts);
}

/** Parses one artifact over a generated androidqf folder whose dumpsys.txt holds `sections`. */
export function parseDumpsysSections<R>(artifact: AnyArtifact, sections: Record<string, string | Buffer>, extra: Record<string, string> = {}): Promise<ArtifactResult<R>> {
  return parseAqfFiles<R>(artifact, { 'dumpsys.txt': dumpsysOf(sections), ...extra });
}

/** Runs the check of one artifact over such a folder, with the given `app:id` indicators. */
export async function checkDumpsys(artifact: string, sections: Record<string, string | Buffer>, appIds: string[] = [], extra: Record<string, string> = {}): Promise<Finding[]> {
  const iocs = tempTree({ 'apps.stix2': stixBundle({ malware: ['DumpsysTest'], indicators: appIds.map((id) => ({ pattern: `[app:id = '${id}']`, malware: 'DumpsysTest' })) }) });
  const tree = writeAqf({ 'dumpsys.txt': dumpsysOf(sections), ...extra });
  try {
    const result = await check({ target: tree.root, iocs: appIds.length > 0 ? [iocs.path('apps.stix2')] : [], userIocDir: null, only: [artifact] });
    return [...result.findings];
  } finally {
    tree.remove();
    iocs.remove();
  }
}
