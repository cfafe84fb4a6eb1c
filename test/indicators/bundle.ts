/** STIX 2 bundles written from object literals, for loader and matcher tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collection } from '../../src/indicators/collection.js';
import { collectionsFromBundle } from '../../src/indicators/stix.js';

export interface BundleSpec {
  malware?: string[];
  /** `malware` names the malware objects (by name) an `indicates` relationship points at. */
  indicators: { pattern: string; malware?: string | string[]; id?: string; modified?: string }[];
  reports?: { name: string; refs: string[] }[];
}

export function stixBundle(spec: BundleSpec): object {
  const malwareIds = new Map((spec.malware ?? []).map((name, i) => [name, `malware--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]));
  const objects: object[] = [];
  for (const [name, id] of malwareIds) objects.push({ type: 'malware', spec_version: '2.1', id, name, description: `${name} description`, is_family: false });
  spec.indicators.forEach((ind, i) => {
    const id = ind.id ?? `indicator--00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id,
      pattern: ind.pattern,
      pattern_type: 'stix',
      modified: ind.modified ?? '2024-01-01T00:00:00.000Z',
      valid_from: '2024-01-01T00:00:00Z',
    });
    const targets = ind.malware === undefined ? [] : Array.isArray(ind.malware) ? ind.malware : [ind.malware];
    targets.forEach((m, j) =>
      objects.push({
        type: 'relationship',
        spec_version: '2.1',
        id: `relationship--00000000-0000-4000-a000-${String(i * 10 + j).padStart(12, '0')}`,
        relationship_type: 'indicates',
        source_ref: id,
        target_ref: malwareIds.get(m) ?? `malware--missing-${m}`,
      }),
    );
  });
  (spec.reports ?? []).forEach((r, i) =>
    objects.push({ type: 'report', spec_version: '2.1', id: `report--00000000-0000-4000-b000-${String(i).padStart(12, '0')}`, name: r.name, object_refs: r.refs }),
  );
  return { type: 'bundle', id: 'bundle--00000000-0000-4000-8000-000000000000', objects };
}

/** Collections straight from a bundle, as if loaded from `name`. */
export function collectionsOf(spec: BundleSpec, name = 'fixture.stix2'): Collection[] {
  const outcome = collectionsFromBundle(stixBundle(spec), { path: `/fixtures/${name}`, name, sha256: '0'.repeat(64) });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.result.collections;
}

/** A private temp folder with the given files (object values are written as JSON); removed by the returned function. */
export function tempTree(files: Record<string, string | object>): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tracehound-iocs-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== dir) mkdirSync(parent, { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  }
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
