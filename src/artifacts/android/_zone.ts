/**
 * The device's time zone as its properties name it (`persist.sys.timezone`), checked once where the properties
 * are read (the getprop artifacts), so that a name this tool cannot use is one coverage line of the run rather
 * than silence: device-local times then stay readings, without UTC (docs/dev/time.md).
 */
import { givenZoneConflict } from '../../evidence/device-zone.js';
import type { AcquisitionInfo } from '../../evidence/source.js';
import { isKnownZone } from '../../formats/device-time.js';

export const TIME_ZONE_PROPERTY = 'persist.sys.timezone';

/**
 * The issue's text when `value` (the property's value, if any) is not a time zone this Node knows; else null.
 * With the examiner's zone (`--device-time-zone`), it says that zone is used instead.
 */
export function unknownZoneMessage(where: string, value: string | undefined, given?: string): string | null {
  if (value === undefined || value === '' || isKnownZone(value)) return null;
  const shown = JSON.stringify(value.slice(0, 64));
  const instead = given === undefined ? 'are given as the phone showed them, without UTC' : `are read in ${given}, given with --device-time-zone`;
  return `${where}: ${TIME_ZONE_PROPERTY} ${shown} is not a time zone this tool knows: device-local times (dumpsys, tombstones) ${instead}`;
}

/**
 * What the artifact reading the device's properties says about the zone: a name this tool cannot use, or the
 * examiner's zone set aside for the acquisition's own (one line each, at most one of the two).
 */
export function zoneIssue(where: string, value: string | undefined, info: AcquisitionInfo): string | null {
  return unknownZoneMessage(where, value, info.givenTimeZone) ?? givenZoneConflict(info.device?.timeZone, info.givenTimeZone);
}
