import type { AnyArtifact, MvtCounterpart } from '../../artifacts/artifact.js';
import { isReal, renderDescription, type Description, type Value } from '../../artifacts/describe.js';
import { Moment } from '../../formats/time.js';

/**
 * What MVT compatibility needs beyond each artifact's `mvt` declaration: MVT's renderings of our values.
 */

/**
 * A timeline description as MVT's f-strings print it, Python's `str()` of each value: `None`, `True`/`False`,
 * a REAL column's whole value with `.0`. Matching the texts keeps the timelines comparable line by line.
 */
export function pythonDescription(description: string | Description): string {
  return renderDescription(description, pythonStr);
}

function pythonStr(value: Value): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Moment) return value.mvt();
  if (isReal(value)) return value.real === null ? 'None' : pythonFloat(value.real);
  return String(value satisfies never);
}

/** `float.__str__`: a whole value keeps its `.0` (below 1e16, where Python switches to exponent notation). */
function pythonFloat(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e16 ? v.toFixed(1) : String(v);
}

/** MVT's names for an artifact: its declared counterpart's, or, for one MVT does not have, its own id's. */
export function mvtNamesOf(artifact: Pick<AnyArtifact, 'id' | 'mvt'>): Pick<MvtCounterpart, 'module' | 'className'> {
  return artifact.mvt ?? { module: artifact.id.replace(/^[a-z]+\./, ''), className: artifact.id };
}

/** Our record in MVT's shape: its field spellings restored (timestamps are rendered by the JSON writer). */
export function toMvtRecord(artifact: Pick<AnyArtifact, 'mvt'>, record: unknown): unknown {
  const renames = artifact.mvt?.renames;
  const wallClock = artifact.mvt?.wallClockFields;
  if ((!renames && !wallClock) || typeof record !== 'object' || record === null) return record;
  const fields = record as Readonly<Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => {
      const local = wallClock?.[k] === undefined ? undefined : fields[wallClock[k]];
      return [renames?.[k] ?? k, typeof local === 'string' ? local : v];
    }),
  );
}
