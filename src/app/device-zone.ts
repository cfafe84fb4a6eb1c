/**
 * Device-local times (dumpsys readings, printed without a zone) become instants only with the device's time zone
 * (`persist.sys.timezone`, which the source reads at open: `describe().device.timeZone`). Artifacts' timeline
 * functions and rules are pure functions of a record and never see the acquisition, so a check gives their
 * events' and findings' device-local times the zone here, at the one place both pass through.
 */
import type { TimelineEvent } from '../artifacts/artifact.js';
import type { Finding } from '../findings/finding.js';
import { inDeviceZone } from '../formats/device-time.js';

export function zonedEvent(e: TimelineEvent, zone: string | undefined): TimelineEvent {
  if (!e.time || zone === undefined || e.time.epoch !== 'device_local') return e;
  return { ...e, time: inDeviceZone(e.time, zone) };
}

export function zonedFinding(f: Finding, zone: string | undefined): Finding {
  if (!f.eventTime || zone === undefined || f.eventTime.epoch !== 'device_local') return f;
  return { ...f, eventTime: inDeviceZone(f.eventTime, zone) };
}
