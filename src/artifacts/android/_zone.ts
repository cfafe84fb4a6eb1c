/**
 * The device's time zone as its properties name it (`persist.sys.timezone`), checked once where the properties
 * are read (the getprop artifacts), so that a name this tool cannot use is one coverage line of the run rather
 * than silence: device-local times then stay readings, without UTC (docs/dev/time.md).
 */
import { isKnownZone } from '../../formats/device-time.js';

export const TIME_ZONE_PROPERTY = 'persist.sys.timezone';

/** The text when `value` (the property's value, if any) is not a time zone this Node knows; else null. */
export function unknownZoneMessage(where: string, value: string | undefined): string | null {
  if (value === undefined || value === '' || isKnownZone(value)) return null;
  const shown = JSON.stringify(value.slice(0, 64));
  return `${where}: ${TIME_ZONE_PROPERTY} ${shown} is not a time zone this tool knows: device-local times (dumpsys, tombstones) are given as the phone showed them, without UTC`;
}
