/**
 * Which time zone a run reads device-local times in: the one place that decides it, so that every consumer
 * (dumpsys decoders, tombstones, intrusion-log labels, the check's timeline and findings) agrees, in the
 * caller's thread and in a `--jobs` worker alike.
 *
 * Policy (docs/dev/time.md): the acquisition's own `persist.sys.timezone` wins when it names a zone this Node
 * knows (it is what the phone's clock showed); the examiner's zone (`--device-time-zone`, MVT's
 * `check-intrusion-logs -t`) fills in when the acquisition names none, or a name this tool cannot use.
 */
import { isKnownZone } from '../formats/device-time.js';
import { UserError } from '../errors.js';
import type { AcquisitionInfo, Source } from './source.js';

/** The zone device-local times are read in, or undefined; an unknown own name without a given zone is returned as is (consumers check it). */
export function deviceTimeZone(info: AcquisitionInfo): string | undefined {
  const own = info.device?.timeZone;
  if (own !== undefined && isKnownZone(own)) return own;
  return info.givenTimeZone ?? own;
}

/**
 * The examiner's zone name checked and spelled as ICU spells it (`europe/paris` → `Europe/Paris`), or a
 * one-line usage error: a zone this tool cannot use must stop the run before any evidence is read, not
 * silently leave times in UTC.
 */
export function checkedTimeZone(name: string, flag = '--device-time-zone'): string {
  const trimmed = name.trim();
  if (!isKnownZone(trimmed)) {
    throw new UserError('usage', `${flag}: ${JSON.stringify(name.slice(0, 64))} is not an IANA time zone name this tool knows (e.g. Europe/Paris, America/Mexico_City, UTC)`);
  }
  return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
}

/**
 * The source, describing also the zone the examiner gave; everything else is the source's own (its methods run
 * on it, so its private state is untouched). Without a zone the source itself is returned.
 */
export function withGivenTimeZone(source: Source, zone: string | undefined): Source {
  if (zone === undefined) return source;
  return new Proxy(source, {
    get(target, property) {
      if (property === 'describe') return (): AcquisitionInfo => ({ ...target.describe(), givenTimeZone: zone });
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The line a run says when the examiner's zone differs from the zone the acquisition names (which wins), else
 * null. `own` is the acquisition's zone where it was read (`persist.sys.timezone`).
 */
export function givenZoneConflict(own: string | undefined, given: string | undefined): string | null {
  if (given === undefined || own === undefined || !isKnownZone(own) || own === given) return null;
  return `the acquisition names the device time zone ${own} (persist.sys.timezone): device-local times are read in it, not in ${given} given with --device-time-zone (the phone's own setting is what its clock showed)`;
}
