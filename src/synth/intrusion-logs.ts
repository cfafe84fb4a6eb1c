/**
 * Android 16 intrusion-logging exports (androidqf's `intrusion_logs/*.txt`: one JSON object a line, keyed by
 * event type), for tests and benchmarks: a clean phone's day of DNS lookups, connections and SecurityLog events,
 * and, when asked, planted traces (a lookup and a connection to a spyware host, a process of a spyware app, a
 * certificate authority installed, a key integrity violation, a wipe failure, a failed crypto self test) and
 * duplicates of real lines, as overlapping exports produce. No real phone data exists for this in the shared
 * data; the shapes follow MVT's module tests (reference-spec §13.5, §14.5).
 */
import { forkRandom, type Random } from './random.js';

export interface IntrusionLogOptions {
  readonly seed: number;
  /** Clean events (spread over the three types). */
  readonly events: number;
  /** Epoch milliseconds of the first event. */
  readonly startMs?: number;
  /** Plant the traces listed in `PLANTED`. */
  readonly planted?: boolean;
  /** Lines repeated verbatim later in the file (duplicates MVT drops). */
  readonly duplicates?: number;
  /** Lines of an event type no module reads yet (`future_event`). */
  readonly unknownTypes?: number;
}

/** What `planted: true` adds, so tests can assert on it. */
export const PLANTED = {
  host: 'update.spyware-c2.example',
  ip: '203.0.113.66',
  app: 'com.spyware.agent',
  caSubject: 'CN=Unexpected Root CA',
} as const;

const CLEAN_APPS = ['com.android.chrome', 'com.whatsapp', 'org.telegram.messenger', 'com.google.android.gm', 'com.spotify.music', 'org.thoughtcrime.securesms'];
const CLEAN_HOSTS = ['www.google.com', 'mmg.whatsapp.net', 'api.telegram.org', 'mail.google.com', 'spclient.wg.spotify.com', 'chat.signal.org', 'connectivitycheck.gstatic.com'];

/** One file's text, LF-terminated lines, in time order. */
export function intrusionLogText(options: IntrusionLogOptions): string {
  const rng = forkRandom(options.seed, 'intrusion-logs');
  let ms = options.startMs ?? 1_700_000_000_000;
  const lines: string[] = [];
  const tick = () => (ms += rng.int(200, 60_000));
  for (let i = 0; i < options.events; i++) {
    tick();
    lines.push(cleanEvent(rng, ms));
  }
  if (options.planted) lines.push(...plantedEvents(ms));
  for (let i = 0; i < (options.unknownTypes ?? 0); i++) lines.push(JSON.stringify({ future_event: { event_time: tick(), field: `value ${i}` } }));
  for (let i = 0; i < (options.duplicates ?? 0) && lines.length > 0; i++) lines.push(lines[rng.int(0, Math.min(lines.length, options.events) - 1)]!);
  return `${lines.join('\n')}\n`;
}

function ip(rng: Random): string {
  return `${rng.int(1, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function cleanEvent(rng: Random, ms: number): string {
  const app = rng.pick(CLEAN_APPS);
  switch (rng.int(0, 2)) {
    case 0:
      return JSON.stringify({ dns_event: { event_time: ms, hostname: rng.pick(CLEAN_HOSTS), package_name: app, ip_addresses: [`/${ip(rng)}`, ...(rng.chance(0.3) ? [`/${ip(rng)}`] : [])] } });
    case 1:
      return JSON.stringify({ connect_event: { event_time: ms, ip_address: rng.chance(0.05) ? 'ip6-localhost/::1' : `/${ip(rng)}`, port: rng.pick([443, 443, 80, 5222, 8443]), package_name: app } });
    default:
      return JSON.stringify({ security_event: cleanSecurity(rng, ms, app) });
  }
}

function cleanSecurity(rng: Random, ms: number, app: string): Record<string, unknown> {
  const base = { event_time: ms * 1_000_000 + rng.int(0, 999_999), event_id: rng.int(1, 1_000_000) };
  switch (rng.int(0, 5)) {
    case 0:
      return { ...base, app_process_start: { process: rng.chance(0.3) ? `${app}:remote` : app, uid: rng.int(10_000, 10_300), pid: rng.int(1_000, 30_000) } };
    case 1:
      return { ...base, keyguard_dismiss_auth_attempt: { success: rng.chance(0.9), method_strength: 1 } };
    case 2:
      return { ...base, keyguard_dismissed: {} };
    case 3:
      return { ...base, package_updated: { package_name: app, version_code: rng.int(1, 900_000), user_id: 0 } };
    case 4:
      // A failure Android itself causes on every boot (MVT knows it as benign).
      return { ...base, key_generated: { success: false, key_id: 'PinStorage_crossReboot_key', uid: 1001 } };
    default:
      return { ...base, crypto_self_test_completed: { success: true } };
  }
}

/** The planted traces, one a minute after `ms`. */
function plantedEvents(ms: number): string[] {
  const at = (n: number) => ms + 60_000 * (n + 1);
  const ns = (n: number) => at(n) * 1_000_000;
  return [
    JSON.stringify({ dns_event: { event_time: at(0), hostname: PLANTED.host, package_name: PLANTED.app, ip_addresses: [`/${PLANTED.ip}`] } }),
    JSON.stringify({ connect_event: { event_time: at(1), ip_address: `/${PLANTED.ip}`, port: 443, package_name: PLANTED.app } }),
    JSON.stringify({ security_event: { event_time: ns(2), event_id: 900_001, app_process_start: { process: `${PLANTED.app}:sync`, uid: 10_666, pid: 6666 } } }),
    JSON.stringify({ security_event: { event_time: ns(3), event_id: 900_002, cert_authority_installed: { success: true, subject: PLANTED.caSubject } } }),
    JSON.stringify({ security_event: { event_time: ns(4), event_id: 900_003, key_integrity_violation: { key_id: 'user_key_7', uid: 10_666 } } }),
    JSON.stringify({ security_event: { event_time: ns(5), event_id: 900_004, wipe_failure: {} } }),
    JSON.stringify({ security_event: { event_time: ns(6), event_id: 900_005, crypto_self_test_completed: { success: false } } }),
  ];
}
