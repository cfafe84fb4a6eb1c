/**
 * Indicators as loaded: plain data grouped in collections (one per STIX malware or report object), each
 * knowing the file it came from so every finding can name its provenance. Matching lives in `match.ts`.
 */

export type IndicatorKind =
  | 'domain'
  | 'ip'
  | 'url'
  | 'process'
  | 'email'
  | 'file_name'
  | 'file_path'
  | 'md5'
  | 'sha1'
  | 'sha256'
  | 'app_id'
  | 'cert_hash'
  | 'profile_id'
  | 'android_property';

export interface IndicatorFile {
  /** Absolute path. */
  readonly path: string;
  /** Base name, as MVT's `stix2_file_name`. */
  readonly name: string;
  readonly sha256: string;
}

export interface Collection {
  /** The STIX id of the malware or report object; "0" for the default collection. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly file: IndicatorFile;
  readonly kind: 'malware' | 'report' | 'default';
  readonly indicators: Indicator[];
}

export interface Indicator {
  /** Normalised value: what is matched and shown (lower-cased domain, host of a domain with a path, …). */
  readonly value: string;
  /** The value as written in the pattern, after unescaping. */
  readonly original: string;
  readonly kind: IndicatorKind;
  /** Normalised pattern key: `domain-name:value`, `file:hashes.sha256`, … */
  readonly key: string;
  /** MVT's bucket for the same indicator, for compatible output. */
  readonly bucket: string;
  readonly stixId: string;
  readonly collection: Collection;
}

export const DEFAULT_COLLECTION = {
  id: '0',
  name: 'Default collection',
  description: 'Collection with IOCs unrelated to malware or reports',
} as const;

/**
 * The form two values of one kind are compared in. Kinds MVT compares case-insensitively fold case; the
 * others are compared as written. Used both to de-duplicate a collection and to build the match indexes,
 * so "equal in a collection" and "matches the same observable" are the same thing.
 */
export function comparableValue(kind: IndicatorKind, value: string): string {
  switch (kind) {
    case 'process':
    case 'file_name':
    case 'file_path':
    case 'url':
      return value;
    case 'cert_hash':
      // Android certificate digests are often written with colons (keytool's `AB:CD:…`).
      return value.replace(/:/g, '').toLowerCase();
    default:
      return value.toLowerCase();
  }
}
