import { Moment } from '../../formats/time.js';
import { isObject, keptValue, valueText } from '../../formats/intrusion-logs.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { INTRUSION_INPUTS, eventSource, intrusionEvents, intrusionTime, shownTime, num, str, type IntrusionTime } from './_intrusion.js';

/**
 * One SecurityLog event (intrusion logging, `security_event`): a process start, an adb command, a package
 * installed, a certificate authority added, a key that failed its integrity check… The event's kind is its
 * tag (the first key besides the metadata), its details the tag's payload.
 */
export interface IntrusionSecurityRecord extends IntrusionTime {
  /** Nanoseconds since 1970 (UTC), as logged (SecurityLog's unit, unlike the other two). */
  readonly event_time: number | null;
  readonly event_id: number | null;
  /** `app_process_start`, `cert_authority_installed`…; null when the event has nothing but metadata. */
  readonly tag: string | null;
  readonly payload: unknown;
}

const METADATA: ReadonlySet<string> = new Set(['event_id', 'event_time', 'event_type', 'timestamp']);

/** SecurityLog's tags (reference-spec Appendix C), with the name people read. */
export const SECURITY_TAGS: ReadonlyMap<string, string> = new Map([
  ['adb_shell_interactive', 'ADB Shell Interactive'], ['adb_shell_cmd', 'ADB Shell Command'], ['adb_sync_recv_file', 'ADB Sync Recv File'],
  ['adb_sync_send_file', 'ADB Sync Send File'], ['app_process_start', 'App Process Start'], ['keyguard_dismissed', 'Keyguard Dismissed'],
  ['keyguard_dismiss_auth_attempt', 'Keyguard Dismiss Auth Attempt'], ['keyguard_secured', 'Keyguard Secured'], ['os_startup', 'OS Startup'],
  ['os_shutdown', 'OS Shutdown'], ['logging_started', 'Logging Started'], ['logging_stopped', 'Logging Stopped'], ['media_mount', 'Media Mount'],
  ['media_unmount', 'Media Unmount'], ['log_buffer_size_critical', 'Log Buffer Size Critical'], ['password_expiration_set', 'Password Expiration Set'],
  ['password_complexity_set', 'Password Complexity Set'], ['password_history_length_set', 'Password History Length Set'],
  ['max_screen_lock_timeout_set', 'Max Screen Lock Timeout Set'], ['max_password_attempts_set', 'Max Password Attempts Set'],
  ['keyguard_disabled_features_set', 'Keyguard Disabled Features Set'], ['remote_lock', 'Remote Lock'], ['wipe_failure', 'Wipe Failure'],
  ['key_generated', 'Key Generated'], ['key_import', 'Key Import'], ['key_destruction', 'Key Destruction'], ['user_restriction_added', 'User Restriction Added'],
  ['user_restriction_removed', 'User Restriction Removed'], ['cert_authority_installed', 'Certificate Authority Installed'],
  ['cert_authority_removed', 'Certificate Authority Removed'], ['crypto_self_test_completed', 'Crypto Self Test Completed'],
  ['key_integrity_violation', 'Key Integrity Violation'], ['cert_validation_failure', 'Certificate Validation Failure'], ['camera_policy_set', 'Camera Policy Set'],
  ['password_complexity_required', 'Password Complexity Required'], ['password_changed', 'Password Changed'], ['wifi_connection', 'WiFi Connection'],
  ['wifi_disconnection', 'WiFi Disconnection'], ['bluetooth_connection', 'Bluetooth Connection'], ['bluetooth_disconnection', 'Bluetooth Disconnection'],
  ['package_installed', 'Package Installed'], ['package_updated', 'Package Updated'], ['package_uninstalled', 'Package Uninstalled'],
  ['backup_service_toggled', 'Backup Service Toggled'], ['nfc_enabled', 'NFC Enabled'], ['nfc_disabled', 'NFC Disabled'],
]);

/** SecurityLog's `success` field, as MVT reads it: a boolean, or a number where 0 is a failure. */
export function succeeded(payload: unknown, absent = true): boolean {
  if (!isObject(payload) || !('success' in payload)) return absent;
  const s = payload.success;
  return typeof s === 'number' ? s !== 0 : Boolean(s);
}

export function securityRecord(e: Readonly<Record<string, unknown>>, zone: string | null): IntrusionSecurityRecord {
  const eventTime = num(e.event_time);
  const tag = Object.keys(e).find((k) => !METADATA.has(k)) ?? null;
  const timestamp = eventTime === null ? null : Moment.fromUnixSeconds(eventTime / 1e9, 'unix_ns', eventTime);
  return { event_time: eventTime, event_id: num(e.event_id), tag, payload: tag === null ? null : keptValue(e[tag]), ...intrusionTime(timestamp, zone) };
}

const field = (p: unknown, k: string, fallback = ''): string => (isObject(p) ? (str(p[k]) ?? fallback) : fallback);
const text = (v: unknown): string => valueText(v);
const reasonOf = (p: unknown) => (field(p, 'reason') ? ` - ${field(p, 'reason')}` : '');

/** The event in words (MVT's texts, reference-spec Appendix C). */
export function securityText(r: Pick<IntrusionSecurityRecord, 'tag' | 'payload'>): string {
  const p = r.payload;
  const ok = (yes: string, no: string) => (succeeded(p) ? yes : no);
  const admin = field(p, 'admin_package');
  switch (r.tag) {
    case null: return 'event with no details';
    case 'adb_shell_interactive': return 'ADB interactive shell opened';
    case 'adb_shell_cmd': return `ADB shell command: ${field(p, 'command')}`;
    case 'adb_sync_recv_file': return `File pulled via ADB: ${field(p, 'path')}`;
    case 'adb_sync_send_file': return `File pushed via ADB: ${field(p, 'path')}`;
    case 'app_process_start': return `Process started: ${field(p, 'process')} (UID: ${field(p, 'uid')}, PID: ${field(p, 'pid')})`;
    case 'keyguard_dismiss_auth_attempt': return `Auth attempt: ${ok('Success', 'Failed')} (method strength: ${field(p, 'method_strength', '0')})`;
    case 'keyguard_dismissed': return 'Keyguard dismissed';
    case 'keyguard_secured': return 'Device locked';
    case 'keyguard_disabled_features_set': return `Keyguard features disabled by ${admin}: ${field(p, 'disabled_features')}`;
    case 'key_generated': return `Key ${ok('generated', 'generation failed')}: ${field(p, 'key_id', 'unknown')} (UID: ${field(p, 'uid')})`;
    case 'key_destruction': return `Key ${ok('destroyed', 'destruction failed')}: ${field(p, 'key_id', 'unknown')} (UID: ${field(p, 'uid')})`;
    case 'key_import': return `Key ${ok('imported', 'import failed')}: ${field(p, 'key_id', 'unknown')}`;
    case 'key_integrity_violation': return `Key integrity violation: ${field(p, 'key_id', 'unknown')}`;
    case 'cert_authority_installed': return `Cert ${ok('installed', 'install failed')}: ${field(p, 'subject', 'unknown')}`;
    case 'cert_authority_removed': return `Cert ${ok('removed', 'removal failed')}: ${field(p, 'subject', 'unknown')}`;
    case 'cert_validation_failure': return `Certificate validation failure: ${text(p)}`;
    case 'crypto_self_test_completed': return `Crypto self test: ${cryptoSelfTestPassed(p) ? 'passed' : 'FAILED'}`;
    case 'package_installed': case 'package_updated': case 'package_uninstalled': {
      const verb = { package_installed: 'Installed', package_updated: 'Updated', package_uninstalled: 'Uninstalled' }[r.tag];
      return `Package ${verb}: ${field(p, 'package_name')} (v${field(p, 'version_code')}, user: ${field(p, 'user_id')})`;
    }
    case 'os_startup': return `OS startup (verified boot: ${field(p, 'verified_boot_state')}, dm-verity: ${field(p, 'dm_verity_mode')})`;
    case 'os_shutdown': return 'OS shutdown';
    case 'logging_started': return 'Audit logging started';
    case 'logging_stopped': return 'Audit logging stopped';
    case 'log_buffer_size_critical': return 'Log buffer at 90% capacity';
    case 'media_mount': return `Media mounted: ${field(p, 'mount_point')} (${field(p, 'volume_label')})`;
    case 'media_unmount': return `Media unmounted: ${field(p, 'mount_point')} (${field(p, 'volume_label')})`;
    case 'password_expiration_set': return `Password expiration set by ${admin}: ${field(p, 'timeout_ms')}ms`;
    case 'password_complexity_set': return `Password complexity set by ${admin}`;
    case 'password_complexity_required': return `Password complexity required by ${admin}: ${field(p, 'complexity')}`;
    case 'password_history_length_set': return `Password history length set by ${admin}: ${field(p, 'length')}`;
    case 'password_changed': return `Password changed (complexity: ${field(p, 'complexity')}, user: ${field(p, 'user_id')})`;
    case 'max_screen_lock_timeout_set': return `Max screen lock timeout set by ${admin}: ${field(p, 'timeout_ms')}ms`;
    case 'max_password_attempts_set': return `Max password attempts set by ${admin}: ${field(p, 'max_attempts')}`;
    case 'remote_lock': return `Device remotely locked by ${admin}`;
    case 'wipe_failure': return 'Device wipe failed';
    case 'user_restriction_added': return `User restriction added by ${admin}: ${field(p, 'restriction')}`;
    case 'user_restriction_removed': return `User restriction removed by ${admin}: ${field(p, 'restriction')}`;
    case 'wifi_connection': return `WiFi connection: ${field(p, 'event_type')} (BSSID: ${field(p, 'bssid')})${reasonOf(p)}`;
    case 'wifi_disconnection': return `WiFi disconnection (BSSID: ${field(p, 'bssid')})${reasonOf(p)}`;
    case 'bluetooth_connection': return `Bluetooth ${ok('connected', 'connection failed')}: ${field(p, 'mac_address')}${reasonOf(p)}`;
    case 'bluetooth_disconnection': return `Bluetooth disconnected: ${field(p, 'mac_address')}${reasonOf(p)}`;
    case 'camera_policy_set': return `Camera ${isObject(p) && p.disabled ? 'disabled' : 'enabled'} by ${admin}`;
    case 'backup_service_toggled': return `Backup service ${isObject(p) && p.enabled ? 'enabled' : 'disabled'} by ${admin}`;
    case 'nfc_enabled': return 'NFC enabled';
    case 'nfc_disabled': return 'NFC disabled';
    default: return `${SECURITY_TAGS.get(r.tag) ?? r.tag}: ${text(p)}`;
  }
}

/** A self test passed: `{success: true}`, or the integer 1 (MVT's reading of both shapes). */
export function cryptoSelfTestPassed(p: unknown): boolean {
  if (isObject(p)) return succeeded(p);
  return p === 1;
}

export default defineArtifact<IntrusionSecurityRecord>({
  id: 'android.intrusion_security',
  version: 1,
  title: 'Security events (intrusion logs)',
  doc: 'Android\'s SecurityLog as intrusion logging exports it: app processes started, adb commands and file transfers, apps installed or removed, certificate authorities added, keys failing their integrity checks, wipe failures.',
  references: ['https://developer.android.com/reference/android/app/admin/SecurityLog', 'https://source.android.com/docs/security/features/intrusion-logging'],
  mvt: { module: 'security_event', className: 'SecurityEvent', wallClockFields: { timestamp: 'device_local_time' } },
  inputs: INTRUSION_INPUTS,
  inputMode: 'all',
  async *parse(ctx) {
    const unknownTags = new Map<string, number>();
    for await (const item of intrusionEvents(ctx, 'security_event')) {
      const record = securityRecord(item.event.event, item.zone);
      if (record.tag !== null && !SECURITY_TAGS.has(record.tag)) unknownTags.set(record.tag, (unknownTags.get(record.tag) ?? 0) + 1);
      yield { record, source: eventSource(item) } satisfies Parsed<IntrusionSecurityRecord>;
    }
    if (unknownTags.size > 0) {
      const list = [...unknownTags].map(([t, n]) => `${t.slice(0, 80)} (${n})`).join(', ');
      ctx.warn({ code: 'unsupported-schema', message: `security event type(s) this version does not know, kept with their raw details: ${list}` });
    }
  },
  timeline: (r) => [{ time: shownTime(r), event: r.tag ?? 'unknown', description: securityText(r) }],
  observables: (r) => {
    const p = r.payload;
    const out: Observable[] = [];
    const app = (value: string, f: string) => {
      if (value) out.push({ kind: 'app_id', value, field: f });
    };
    switch (r.tag) {
      case 'app_process_start': {
        const proc = field(p, 'process');
        app(proc, 'payload.process');
        // An app's secondary processes are `package:name`: the package is the app id (as for ps.txt).
        const pkg = proc.split(':')[0]!;
        if (pkg !== proc && pkg.includes('.')) app(pkg, 'payload.process');
        break;
      }
      case 'package_installed': case 'package_updated': case 'package_uninstalled':
        app(field(p, 'package_name'), 'payload.package_name');
        break;
      case 'adb_shell_cmd':
        // MVT checks the whole command as an app id: it matches only a command that is a package name.
        app(field(p, 'command'), 'payload.command');
        break;
      case 'adb_sync_recv_file': case 'adb_sync_send_file': {
        const path = field(p, 'path');
        if (path) out.push({ kind: 'file_path', value: path, field: 'payload.path' });
        break;
      }
    }
    return out;
  },
});
