/** Member names of a result bundle (docs/bundle-format.md). */
export const MEMBER = {
  provenance: 'provenance.json',
  findings: 'findings.json',
  coverage: 'coverage.json',
  observables: 'observables.json',
  report: 'report.html',
  manifest: 'manifest.json',
  signature: 'manifest.json.sig',
} as const;

export const INDICATOR_DIR = 'indicators/';
export const RECORDS_DIR = 'records/';

export const indicatorMember = (sha256: string): string => `${INDICATOR_DIR}${sha256}.json`;

export const MANIFEST_FORMAT = 'tracehound-bundle-manifest';

/** manifest.json: the SHA-256 and size of every other member except the signature, sorted by name. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
}
