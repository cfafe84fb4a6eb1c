import { fromUnixMs } from '../../formats/time.js';
import { defineArtifact, type Parsed } from '../artifact.js';
import { described } from '../describe.js';
import { INTRUSION_INPUTS, eventSource, intrusionEvents, intrusionTime, shownTime, num, str, type IntrusionTime } from './_intrusion.js';

/** A network connection an app opened (intrusion logging, `connect_event`). */
export interface IntrusionConnectRecord extends IntrusionTime {
  /** Milliseconds since 1970 (UTC), as logged. */
  readonly event_time: number | null;
  /** As logged: `/5.6.7.8`, `ip6-localhost/::1`. */
  readonly ip_address: string | null;
  readonly port: number | null;
  readonly package_name: string | null;
}

/** Loopback and unspecified addresses say nothing about where the phone talked to. */
const LOCAL: ReadonlySet<string> = new Set(['::1', '127.0.0.1', '0.0.0.0']);

/** The address after the last `/` (`host/addr` as Java's InetAddress prints it), or null for a local one. */
export function connectIp(r: Pick<IntrusionConnectRecord, 'ip_address'>): string | null {
  if (!r.ip_address) return null;
  const ip = r.ip_address.slice(r.ip_address.lastIndexOf('/') + 1);
  return ip === '' || LOCAL.has(ip) ? null : ip;
}

export function connectRecord(e: Readonly<Record<string, unknown>>, zone: string | null): IntrusionConnectRecord {
  const eventTime = num(e.event_time);
  return { event_time: eventTime, ip_address: str(e.ip_address), port: num(e.port), package_name: str(e.package_name), ...intrusionTime(eventTime === null ? null : fromUnixMs(eventTime), zone) };
}

export default defineArtifact<IntrusionConnectRecord>({
  id: 'android.intrusion_connect',
  version: 1,
  title: 'Network connections (intrusion logs)',
  doc: 'Every connection an app opened, with the app, address and port, from Android 16\'s intrusion logging: a connection to a spyware server\'s address shows here even when no name was looked up.',
  references: ['https://source.android.com/docs/security/features/intrusion-logging'],
  mvt: { module: 'connect_event', className: 'ConnectEvent', wallClockFields: { timestamp: 'device_local_time' } },
  inputs: INTRUSION_INPUTS,
  inputMode: 'all',
  async *parse(ctx) {
    for await (const item of intrusionEvents(ctx, 'connect_event')) {
      yield { record: connectRecord(item.event.event, item.zone), source: eventSource(item) } satisfies Parsed<IntrusionConnectRecord>;
    }
  },
  timeline: (r) => [{ time: shownTime(r), event: 'network_connection', description: described`Connection to ${connectIp(r) ?? r.ip_address}:${r.port} by ${r.package_name}` }],
  observables: (r) => {
    const ip = connectIp(r);
    return [...(ip ? [{ kind: 'domain', value: ip, field: 'ip_address' } as const] : []), ...(r.package_name ? [{ kind: 'app_id', value: r.package_name, field: 'package_name' } as const] : [])];
  },
});
