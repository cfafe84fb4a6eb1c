import type { EvidenceFile } from '../../evidence/source.js';
import { defineArtifact, type Observable, type ParseContext, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { aqfName, jsonType, readAqfJson } from './_aqf.js';

/** The signing certificate androidqf read from an APK, with its field names. */
export interface AqfCertificate {
  readonly Md5: string | null;
  readonly Sha1: string | null;
  readonly Sha256: string | null;
  readonly ValidFrom: string | null;
  readonly ValidTo: string | null;
  readonly Issuer: string | null;
  readonly Subject: string | null;
  readonly SignatureAlgorithm: string | null;
  readonly SerialNumber: number | string | null;
}

/** One APK file of a package (base.apk, split APKs), hashed on the phone by androidqf. */
export interface AqfPackageFile {
  readonly path: string | null;
  readonly local_name: string | null;
  readonly md5: string | null;
  readonly sha1: string | null;
  readonly sha256: string | null;
  readonly sha512: string | null;
  readonly error: string | null;
  readonly verified_certificate: boolean | null;
  readonly certificate: AqfCertificate | null;
  readonly certificate_error: string | null;
  readonly trusted_certificate: boolean | null;
}

/**
 * One installed package as androidqf lists it. `installer` is the package that installed it, or `"null"`
 * (androidqf writes the word) when Android recorded none: adb, or a system image.
 */
export interface AqfPackageRecord {
  readonly name: string;
  readonly files: readonly AqfPackageFile[];
  readonly installer: string | null;
  readonly uid: number | null;
  readonly disabled: boolean | null;
  readonly system: boolean | null;
  readonly third_party: boolean | null;
}

/** A phone with a thousand packages and their split APKs writes a few MB. */
const MAX_BYTES = 64 * 1024 * 1024;
/** Far more packages than any phone holds. */
export const MAX_PACKAGES = 50_000;
/** APK files per package (base + splits). */
const MAX_FILES = 1_000;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function decodeCertificate(v: unknown): AqfCertificate | null {
  const c = obj(v);
  if (!c) return null;
  const serial = c.SerialNumber;
  return {
    Md5: str(c.Md5),
    Sha1: str(c.Sha1),
    Sha256: str(c.Sha256),
    ValidFrom: str(c.ValidFrom),
    ValidTo: str(c.ValidTo),
    Issuer: str(c.Issuer),
    Subject: str(c.Subject),
    SignatureAlgorithm: str(c.SignatureAlgorithm),
    SerialNumber: typeof serial === 'string' ? serial : num(serial),
  };
}

function decodeFile(v: unknown): AqfPackageFile | null {
  const f = obj(v);
  if (!f) return null;
  return {
    path: str(f.path),
    local_name: str(f.local_name),
    md5: str(f.md5),
    sha1: str(f.sha1),
    sha256: str(f.sha256),
    sha512: str(f.sha512),
    error: str(f.error),
    verified_certificate: bool(f.verified_certificate),
    certificate: decodeCertificate(f.certificate),
    certificate_error: str(f.certificate_error),
    trusted_certificate: bool(f.trusted_certificate),
  };
}

/** One item of packages.json, or the reason it is not a package (no name). Fields of the wrong type read as null. */
export function decodePackage(v: unknown): AqfPackageRecord | string {
  const p = obj(v);
  if (!p) return `expected an object, found ${jsonType(v)}`;
  if (typeof p.name !== 'string' || p.name === '') return 'no package name';
  const files = Array.isArray(p.files) ? p.files.slice(0, MAX_FILES).map(decodeFile).filter((f): f is AqfPackageFile => f !== null) : [];
  return {
    name: p.name,
    files,
    installer: str(p.installer),
    uid: num(p.uid),
    disabled: bool(p.disabled),
    system: bool(p.system),
    third_party: bool(p.third_party),
  };
}

/** packages.json's list, decoded item by item: a broken item is counted, the rest read. */
export function decodePackages(value: unknown): { packages: { record: AqfPackageRecord; index: number }[]; skipped: { index: number; reason: string }[]; truncated: boolean } | string {
  if (!Array.isArray(value)) return `expected a list of packages, found ${jsonType(value)}`;
  const packages: { record: AqfPackageRecord; index: number }[] = [];
  const skipped: { index: number; reason: string }[] = [];
  value.slice(0, MAX_PACKAGES).forEach((item, index) => {
    const decoded = decodePackage(item);
    if (typeof decoded === 'string') skipped.push({ index, reason: decoded });
    else packages.push({ record: decoded, index });
  });
  return { packages, skipped, truncated: value.length > MAX_PACKAGES };
}

async function* readPackages(ctx: ParseContext, file: EvidenceFile): AsyncIterable<Parsed<AqfPackageRecord>> {
  const what = aqfName(file);
  const json = await readAqfJson(ctx, file, MAX_BYTES);
  if (json === null) return;
  const decoded = decodePackages(json.value);
  if (typeof decoded === 'string') {
    ctx.warn({ code: 'corrupted', file, message: `${what}: ${decoded}` });
    return;
  }
  if (decoded.skipped.length > 0) {
    const first = decoded.skipped[0]!;
    ctx.warn({ code: 'row-skipped', file, message: `${what}: ${decoded.skipped.length} item(s) not read, the first (item ${first.index}): ${first.reason}` });
  }
  if (decoded.truncated) ctx.warn({ code: 'truncated', file, message: `${what}: more than ${MAX_PACKAGES} packages; the rest not read` });
  for (const { record, index } of decoded.packages) yield { record, source: at(file, { key: `[${index}]` }) };
}

export default defineArtifact<AqfPackageRecord>({
  id: 'android.aqf_packages',
  version: 1,
  title: 'Installed packages (packages.json)',
  doc: 'Every app installed on the phone, with the app that installed it, whether it is a system app or disabled, and the hashes and signing certificate of its APK files: spyware is found by its package name, APK hash or certificate, and by how it got on the phone (side-loaded, installed over adb).',
  references: ['https://github.com/mvt-project/androidqf', 'https://developer.android.com/reference/android/content/pm/PackageManager#getInstallSourceInfo(java.lang.String)'],
  mvt: { module: 'aqf_packages', className: 'AQFPackages' },
  inputs: { 'android-androidqf': [{ by: 'path-glob', pattern: 'packages.json' }] },
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) yield* readPackages(ctx, file);
  },
  observables: (r) => {
    const out: Observable[] = [{ kind: 'app_id', value: r.name, field: 'name' }];
    for (const f of r.files) {
      if (f.sha256) out.push({ kind: 'sha256', value: f.sha256, field: 'files.sha256' });
      for (const key of ['Md5', 'Sha1', 'Sha256'] as const) {
        const hash = f.certificate?.[key];
        if (hash) out.push({ kind: 'cert_hash', value: hash, field: `files.certificate.${key}` });
      }
    }
    return out;
  },
});
