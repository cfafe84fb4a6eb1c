import { fromUnixMs } from '../../formats/time.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { described } from '../describe.js';
import { INTRUSION_INPUTS, eventSource, intrusionEvents, intrusionTime, shownTime, str, num, type IntrusionTime } from './_intrusion.js';

/** A DNS lookup an app made (Android 16 intrusion logging, `dns_event`): the host asked for and the addresses returned. */
export interface IntrusionDnsRecord extends IntrusionTime {
  /** Milliseconds since 1970 (UTC), as logged. */
  readonly event_time: number | null;
  readonly hostname: string | null;
  readonly package_name: string | null;
  /** As logged (`/1.2.3.4`). */
  readonly ip_addresses: readonly string[];
}

/** `/1.2.3.4` → `1.2.3.4`; the unspecified address (a blocked or failed lookup) is no address. */
export function dnsIps(r: Pick<IntrusionDnsRecord, 'ip_addresses'>): string[] {
  return r.ip_addresses.map((ip) => ip.replace(/^\//, '')).filter((ip) => ip !== '' && ip !== '0.0.0.0');
}

export function dnsRecord(e: Readonly<Record<string, unknown>>, zone: string | null): IntrusionDnsRecord {
  const eventTime = num(e.event_time);
  const ips = Array.isArray(e.ip_addresses) ? e.ip_addresses.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [];
  return { event_time: eventTime, hostname: str(e.hostname), package_name: str(e.package_name), ip_addresses: ips, ...intrusionTime(eventTime === null ? null : fromUnixMs(eventTime), zone) };
}

export default defineArtifact<IntrusionDnsRecord>({
  id: 'android.intrusion_dns',
  version: 1,
  title: 'DNS lookups (intrusion logs)',
  doc: 'Every host name an app looked up, with the app and the addresses returned, from Android 16\'s intrusion logging: spyware has to reach its servers, and their names and addresses are what indicators list.',
  references: ['https://source.android.com/docs/security/features/intrusion-logging', 'https://github.com/mvt-project/androidqf'],
  mvt: { module: 'dns_event', className: 'DnsEvent', wallClockFields: { timestamp: 'device_local_time' } },
  inputs: INTRUSION_INPUTS,
  inputMode: 'all',
  async *parse(ctx) {
    // This artifact, the first of the three, reports what is common to them: unknown types, duplicates, the zone.
    for await (const item of intrusionEvents(ctx, 'dns_event', { reportUnknownTypes: true })) {
      yield { record: dnsRecord(item.event.event, item.zone), source: eventSource(item) } satisfies Parsed<IntrusionDnsRecord>;
    }
  },
  timeline: (r) => {
    const ips = dnsIps(r);
    return [{ time: shownTime(r), event: 'dns_query', description: described`DNS query for ${r.hostname} by ${r.package_name}${ips.length > 0 ? ` [IPs: ${ips.join(', ')}]` : ''}` }];
  },
  observables: (r) => [
    ...(r.hostname ? [{ kind: 'domain', value: r.hostname, field: 'hostname' } as const] : []),
    // Addresses go to the domain matcher, which matches IP indicators exactly (MVT: check_domain on each).
    ...dnsIps(r).map((ip): Observable => ({ kind: 'domain', value: ip, field: 'ip_addresses' })),
    ...(r.package_name ? [{ kind: 'app_id', value: r.package_name, field: 'package_name' } as const] : []),
  ],
});
