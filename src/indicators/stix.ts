/**
 * A parsed STIX 2 bundle → collections of indicators (reference-spec §5.3): one collection per malware
 * object, one per report object, and a default collection for indicators tied to neither. An indicator
 * belongs to the first report listing it, else to the first malware a relationship ties it to.
 *
 * Pure: no file access. Never throws on odd input; what it cannot use is returned as `skipped`.
 */
import { type Collection, DEFAULT_COLLECTION, type Indicator, type IndicatorFile, comparableValue } from './collection.js';
import { keyedValue } from './keys.js';
import { parsePattern, type SkippedPart } from './pattern.js';

export interface BundleResult {
  readonly collections: Collection[];
  readonly skipped: SkippedPart[];
}

export type BundleOutcome = { ok: true; result: BundleResult } | { ok: false; reason: string };

type StixObject = Record<string, unknown>;

export function collectionsFromBundle(root: unknown, file: IndicatorFile): BundleOutcome {
  if (!isObject(root) || !Array.isArray(root.objects) || (root.type !== undefined && root.type !== 'bundle')) {
    return { ok: false, reason: 'not a STIX 2 bundle (expected a JSON object with type "bundle" and an "objects" array)' };
  }
  const objects = root.objects.filter(isObject);

  const malware = new Map<string, Collection>();
  const reports = new Map<string, Collection>();
  const indicators = new Map<string, StixObject>();
  const anonymous: StixObject[] = [];
  const relationships: StixObject[] = [];
  const reportObjects: StixObject[] = [];

  for (const obj of objects) {
    const id = str(obj.id);
    switch (obj.type) {
      case 'malware':
        // A repeated id is another version of the same object: the first one names the collection.
        if (!malware.has(id)) malware.set(id, newCollection(obj, 'malware', file));
        break;
      case 'report':
        if (!reports.has(id)) reports.set(id, newCollection(obj, 'report', file));
        reportObjects.push(obj);
        break;
      case 'indicator':
        if (id === '') anonymous.push(obj);
        else if (!indicators.has(id) || isNewer(obj, indicators.get(id)!)) indicators.set(id, obj);
        break;
      case 'relationship':
        relationships.push(obj);
        break;
      default:
        break; // identity, threat-actor, marking-definition, …: context we do not need
    }
  }

  const reportOf = new Map<string, Collection>();
  for (const obj of reportObjects) {
    const collection = reports.get(str(obj.id))!;
    if (!Array.isArray(obj.object_refs)) continue;
    for (const ref of obj.object_refs) if (typeof ref === 'string' && !reportOf.has(ref)) reportOf.set(ref, collection);
  }

  // `indicator indicates malware` is the norm; a relationship written the other way round is accepted as a
  // fallback. Relationships whose ends do not exist (wintego_helios has one) are ignored.
  const malwareOf = new Map<string, Collection>();
  const reverseMalwareOf = new Map<string, Collection>();
  for (const rel of relationships) {
    const source = str(rel.source_ref);
    const target = str(rel.target_ref);
    const forward = malware.get(target);
    if (forward !== undefined && !malwareOf.has(source)) malwareOf.set(source, forward);
    const backward = malware.get(source);
    if (backward !== undefined && !reverseMalwareOf.has(target)) reverseMalwareOf.set(target, backward);
  }

  const fallback = newCollection({ id: DEFAULT_COLLECTION.id, name: DEFAULT_COLLECTION.name, description: DEFAULT_COLLECTION.description }, 'default', file);
  const seen = new Map<Collection, Set<string>>();
  const skipped: SkippedPart[] = [];

  for (const obj of [...indicators.values(), ...anonymous]) {
    const id = str(obj.id);
    const pattern = obj.pattern;
    if (typeof pattern !== 'string') {
      skipped.push({ pattern: '', reason: `indicator ${id === '' ? '(no id)' : oneLine(id)} has no pattern` });
      continue;
    }
    if (obj.revoked === true) {
      skipped.push({ pattern, reason: 'the indicator is revoked' });
      continue;
    }
    if (obj.pattern_type !== undefined && obj.pattern_type !== 'stix') {
      skipped.push({ pattern, reason: `pattern type ${oneLine(str(obj.pattern_type)) || '?'} is not supported (only stix)` });
      continue;
    }
    const parsed = parsePattern(pattern);
    skipped.push(...parsed.skipped);
    const collection = reportOf.get(id) ?? malwareOf.get(id) ?? reverseMalwareOf.get(id) ?? fallback;
    for (const comparison of parsed.comparisons) {
      const keyed = keyedValue(comparison.key, comparison.value);
      if (!keyed.ok) {
        skipped.push({ pattern, reason: keyed.reason });
        continue;
      }
      const { kind, bucket, value } = keyed.indicator;
      const dedup = `${kind}\u0000${comparableValue(kind, value)}`;
      let keys = seen.get(collection);
      if (keys === undefined) seen.set(collection, (keys = new Set()));
      if (keys.has(dedup)) continue;
      keys.add(dedup);
      const indicator: Indicator = { value, original: comparison.value, kind, key: comparison.key, bucket, stixId: id, collection };
      collection.indicators.push(indicator);
    }
  }

  const collections = [...malware.values(), ...reports.values()];
  if (fallback.indicators.length > 0) collections.push(fallback);
  return { ok: true, result: { collections, skipped } };
}

function newCollection(obj: StixObject, kind: Collection['kind'], file: IndicatorFile): Collection {
  return { id: str(obj.id), name: str(obj.name), description: text(obj.description), file, kind, indicators: [] };
}

/** STIX versions an object by `modified`; the newest version of an indicator is the one that counts. */
function isNewer(candidate: StixObject, current: StixObject): boolean {
  const a = str(candidate.modified);
  const b = str(current.modified);
  return a !== '' && b !== '' && Date.parse(a) > Date.parse(b);
}

/** A value from the file inside a one-line reason: as written when printable, JSON-quoted otherwise. */
function oneLine(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : JSON.stringify(text);
}

function isObject(v: unknown): v is StixObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Descriptions are strings, but real feeds also carry lists of strings (an OTX threat actor does). */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').join('\n');
  return '';
}
