import { defineArtifact, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';
import { aqfName, jsonType, readAqfJson } from './_aqf.js';

/** A root tool androidqf found on the phone (it looks for known names in the folders of the PATH). */
export interface RootBinaryRecord {
  readonly path: string;
  /** The file name, lower case. */
  readonly binary_name: string;
  readonly description: string;
}

/** What each known name is, by lower-case file name. */
export const rootBinaryDescriptions: ReadonlyMap<string, string> = new Map([
  ['su', 'SuperUser binary'],
  ['busybox', 'BusyBox utilities'],
  ['supersu', 'SuperSU root management'],
  ['superuser.apk', 'Superuser app'],
  ['kingouser.apk', 'KingRoot app'],
  ['supersu.apk', 'SuperSU app'],
  ['magisk', 'Magisk root framework'],
  ['magiskhide', 'Magisk hide utility'],
  ['magiskinit', 'Magisk init binary'],
  ['magiskpolicy', 'Magisk policy binary'],
]);

/** androidqf checks a few dozen names; a long list is not its output. */
const MAX_BYTES = 1024 * 1024;
export const MAX_ROOT_BINARIES = 10_000;

export function rootBinaryRecord(path: string): RootBinaryRecord {
  const trimmed = path.trim();
  const binary_name = trimmed.slice(trimmed.lastIndexOf('/') + 1).toLowerCase();
  return { path: trimmed, binary_name, description: rootBinaryDescriptions.get(binary_name) ?? 'Unknown root binary' };
}

/** root_binaries.json is a list of paths; anything else in it is counted. */
export function decodeRootBinaries(value: unknown): { records: { record: RootBinaryRecord; index: number }[]; skipped: number } | string {
  if (!Array.isArray(value)) return `expected a list of paths, found ${jsonType(value)}`;
  const records: { record: RootBinaryRecord; index: number }[] = [];
  let skipped = 0;
  value.slice(0, MAX_ROOT_BINARIES).forEach((item, index) => {
    if (typeof item === 'string' && item.trim() !== '') records.push({ record: rootBinaryRecord(item), index });
    else skipped++;
  });
  return { records, skipped: skipped + Math.max(0, value.length - MAX_ROOT_BINARIES) };
}

export default defineArtifact<RootBinaryRecord>({
  id: 'android.root_binaries',
  version: 1,
  title: 'Root binaries (root_binaries.json)',
  doc: 'Root tools (su, Magisk, BusyBox…) androidqf found on the phone: a rooted phone has lost Android\'s isolation between apps, and spyware installed with physical access often roots it.',
  references: ['https://github.com/mvt-project/androidqf'],
  mvt: { module: 'root_binaries', className: 'RootBinaries' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'root_binaries.json' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      const json = await readAqfJson(ctx, file, MAX_BYTES);
      if (json === null) continue;
      const decoded = decodeRootBinaries(json.value);
      if (typeof decoded === 'string') {
        ctx.warn({ code: 'corrupted', file, message: `${aqfName(file)}: ${decoded}` });
        continue;
      }
      if (decoded.skipped > 0) ctx.warn({ code: 'row-skipped', file, message: `${aqfName(file)}: ${decoded.skipped} item(s) that are not paths not read` });
      for (const { record, index } of decoded.records) yield { record, source: at(file, { key: `[${index}]` }) } satisfies Parsed<RootBinaryRecord>;
    }
  },
  // androidqf records no time for what it found: MVT's timeline row has an empty timestamp.
  timeline: (r) => [{ time: null, event: 'root_binary_found', description: described`Root binary found: ${r.path} (binary: ${r.binary_name})` }],
  observables: (r) => [{ kind: 'file_path', value: r.path, field: 'path' }],
});
