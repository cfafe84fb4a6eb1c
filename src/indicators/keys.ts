/**
 * Which STIX pattern keys we load, into which kind and MVT bucket (reference-spec §5.3), and how each
 * value is normalised so that it compares with what parsers observe.
 */
import { isIP } from 'node:net';
import type { IndicatorKind } from './collection.js';
import { hostOf } from './hostname.js';
import { checkDomainValue, emailProblem, nameProblem, quote, urlProblem } from './values.js';

interface KeySpec {
  readonly kind: IndicatorKind;
  readonly bucket: string;
}

const KEYS: ReadonlyMap<string, KeySpec> = new Map<string, KeySpec>([
  ['domain-name:value', { kind: 'domain', bucket: 'domains' }],
  // MVT keeps IPs in the domains bucket and matches them as text; we give them their own kind.
  ['ipv4-addr:value', { kind: 'ip', bucket: 'domains' }],
  ['ipv6-addr:value', { kind: 'ip', bucket: 'domains' }],
  ['url:value', { kind: 'url', bucket: 'urls' }],
  ['process:name', { kind: 'process', bucket: 'processes' }],
  ['email-addr:value', { kind: 'email', bucket: 'emails' }],
  ['file:name', { kind: 'file_name', bucket: 'file_names' }],
  ['file:path', { kind: 'file_path', bucket: 'file_paths' }],
  // The standard STIX object for a folder; MVT only knows its own `file:path`.
  ['directory:path', { kind: 'file_path', bucket: 'file_paths' }],
  ['file:hashes.md5', { kind: 'md5', bucket: 'files_md5' }],
  ['file:hashes.sha1', { kind: 'sha1', bucket: 'files_sha1' }],
  ['file:hashes.sha256', { kind: 'sha256', bucket: 'files_sha256' }],
  ['app:cert.md5', { kind: 'cert_hash', bucket: 'app_cert_hashes' }],
  ['app:cert.sha1', { kind: 'cert_hash', bucket: 'app_cert_hashes' }],
  ['app:cert.sha256', { kind: 'cert_hash', bucket: 'app_cert_hashes' }],
  ['app:id', { kind: 'app_id', bucket: 'app_ids' }],
  ['configuration-profile:id', { kind: 'profile_id', bucket: 'ios_profile_ids' }],
  ['android-property:name', { kind: 'android_property', bucket: 'android_property_names' }],
]);

export const SUPPORTED_KEYS: readonly string[] = [...KEYS.keys()];

export interface KeyedValue {
  readonly kind: IndicatorKind;
  readonly bucket: string;
  readonly value: string;
}

export type KeyResult = { ok: true; indicator: KeyedValue } | { ok: false; reason: string };

const HASH_LENGTHS: Partial<Record<IndicatorKind, number>> = { md5: 32, sha1: 40, sha256: 64 };

export function keyedValue(key: string, raw: string): KeyResult {
  const spec = KEYS.get(key);
  // A quoted part of an object path may hold anything, a newline included; a reason is one line.
  if (spec === undefined) return { ok: false, reason: `key ${/^[\x21-\x7e]+$/.test(key) ? key : quote(key)} is not supported` };
  const value = raw.trim();
  if (value === '') return { ok: false, reason: 'empty value' };
  const { kind, bucket } = spec;
  switch (kind) {
    case 'domain':
      return domainValue(value, bucket);
    case 'ip':
      return ipValue(value, bucket);
    case 'email': {
      const email = value.replace(/^mailto:/i, '').toLowerCase();
      const problem = emailProblem(email);
      if (problem !== null) return { ok: false, reason: `${quote(value)} is not a valid e-mail address: ${problem}` };
      return { ok: true, indicator: { kind, bucket, value: email } };
    }
    case 'url': {
      const problem = urlProblem(value);
      if (problem !== null) return { ok: false, reason: `${quote(value)} is not a valid URL: ${problem}` };
      return { ok: true, indicator: { kind, bucket, value } };
    }
    case 'file_path': {
      const problem = nameProblem(value);
      if (problem !== null) return { ok: false, reason: `${quote(value)} is not a valid file path: ${problem}` };
      const path = value.replace(/\/+$/, '');
      // A path of "/" would match every file on the device.
      if (path === '') return { ok: false, reason: `file path ${quote(value)} names the root folder` };
      return { ok: true, indicator: { kind, bucket, value: path } };
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const hash = value.toLowerCase();
      const length = HASH_LENGTHS[kind]!;
      if (hash.length !== length || !/^[0-9a-f]+$/.test(hash)) {
        return { ok: false, reason: `${quote(value)} is not a ${kind.toUpperCase()} hash (${length} hex digits)` };
      }
      return { ok: true, indicator: { kind, bucket, value: hash } };
    }
    case 'cert_hash':
      return { ok: true, indicator: { kind, bucket, value: value.replace(/:/g, '').toLowerCase() } };
    default: {
      // Process and file names, app and profile ids, Android properties: compared as written.
      const problem = nameProblem(value);
      if (problem !== null) return { ok: false, reason: `${quote(value)} is not a valid ${NAME_OF_KIND[kind] ?? kind}: ${problem}` };
      return { ok: true, indicator: { kind, bucket, value } };
    }
  }
}

const NAME_OF_KIND: Partial<Record<IndicatorKind, string>> = {
  process: 'process name',
  file_name: 'file name',
  app_id: 'app id',
  profile_id: 'configuration profile id',
  android_property: 'Android property name',
};

/**
 * Real feeds put IP addresses, `www.` names, upper case, wildcards and even paths
 * (`fgr1w2gnsdvsb.xyz/x`) in `domain-name:value`. We keep the host the value names: an IP becomes an
 * IP indicator, a path is dropped (the host is what a device resolves and connects to).
 */
function domainValue(value: string, bucket: string): KeyResult {
  const checked = checkDomainValue(value);
  if ('problem' in checked) return { ok: false, reason: `${quote(value)} is not a valid host name: ${checked.problem}` };
  const host = hostOf(checked.host);
  if (host === null) return { ok: false, reason: `${quote(value)} is not a valid host name: the URL parser finds no host in it` };
  if (host.isIp) return { ok: true, indicator: { kind: 'ip', bucket, value: host.host } };
  return { ok: true, indicator: { kind: 'domain', bucket, value: host.host } };
}

function ipValue(value: string, bucket: string): KeyResult {
  if (/\/\d+$/.test(value) && isIP(value.replace(/\/\d+$/, '')) !== 0) {
    return { ok: false, reason: `${quote(value)} is a CIDR range (only single addresses are supported)` };
  }
  const host = hostOf(value);
  if (host === null || !host.isIp) return { ok: false, reason: `${quote(value)} is not an IP address` };
  return { ok: true, indicator: { kind: 'ip', bucket, value: host.host } };
}
