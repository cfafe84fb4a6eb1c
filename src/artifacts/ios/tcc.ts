import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { at, homeFile, num, readDatabases, str, type Row } from '../_read.js';

/** One row of TCC.db `access`: a privacy permission (camera, microphone, …) granted or denied to a client. */
export interface TccRecord {
  readonly service: string;
  readonly client: string;
  readonly client_type: 'bundle_id' | 'absolute_path';
  /** iOS 14+: `auth_value` (0 denied, 1 unknown, 2 allowed, 3 limited). */
  readonly auth_value?: string;
  readonly auth_reason_desc?: string;
  /** Before iOS 14: `allowed` (0/1). */
  readonly allowed_value?: string;
  readonly prompt_count?: number | null;
  readonly last_modified: Moment | null;
}

const AUTH_VALUES: Record<number, string> = { 0: 'denied', 1: 'unknown', 2: 'allowed', 3: 'limited' };
const AUTH_REASONS: Record<number, string> = {
  1: 'error',
  2: 'user_consent',
  3: 'user_set',
  4: 'system_set',
  5: 'service_policy',
  6: 'mdm_policy',
  7: 'override_policy',
  8: 'missing_usage_string',
  9: 'prompt_timeout',
  10: 'preflight_unknown',
  11: 'entitled',
  12: 'app_type_policy',
};

/** Pure decoder over `access` rows of any of the three schema generations. */
export function decodeTccRow(row: Row): TccRecord {
  const base = {
    service: str(row.service) ?? '',
    client: str(row.client) ?? '',
    client_type: num(row.client_type) === 0 ? ('bundle_id' as const) : ('absolute_path' as const),
  };
  if ('auth_value' in row) {
    return {
      ...base,
      auth_value: AUTH_VALUES[num(row.auth_value) ?? -1] ?? '',
      auth_reason_desc: AUTH_REASONS[num(row.auth_reason) ?? -1] ?? 'unknown',
      last_modified: fromUnix(num(row.last_modified)),
    };
  }
  const allowed = num(row.allowed);
  return {
    ...base,
    allowed_value: allowed === 0 ? 'denied' : allowed === 1 ? 'allowed' : '',
    prompt_count: num(row.prompt_count),
    last_modified: 'last_modified' in row ? fromUnix(num(row.last_modified)) : null,
  };
}

export default defineArtifact<TccRecord>({
  id: 'ios.tcc',
  version: 1,
  title: 'Privacy permissions (TCC)',
  mvt: { module: 'tcc', className: 'TCC' },
  doc: 'TCC.db records which apps and binaries were granted camera, microphone, location and other privacy permissions; a spyware process name among the clients is a direct trace.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  // A sysdiagnose carries a copy of TCC.db among its accessibility logs.
  inputs: { ...homeFile('Library/TCC/TCC.db'), 'ios-sysdiagnose': [{ by: 'path-glob', pattern: 'logs/Accessibility/TCC.db' }] },
  requires: { access: ['service', 'client', 'client_type'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const cols = db.columns('access');
      const select = cols.has('auth_value')
        ? 'service, client, client_type, auth_value, auth_reason, last_modified'
        : cols.has('last_modified')
          ? 'service, client, client_type, allowed, prompt_count, last_modified'
          : 'service, client, client_type, allowed, prompt_count';
      for (const row of db.db.prepare(`SELECT rowid AS _rowid, ${select} FROM access`).iterate() as Iterable<Row>) {
        yield { record: decodeTccRow(row), source: at(file, { table: 'access', rowid: num(row._rowid) }) };
      }
    });
  },
  timeline: (r) =>
    r.last_modified ? [{ time: r.last_modified, event: 'AccessRequest', description: `Access to ${r.service} by ${r.client} ${r.auth_value ?? r.allowed_value ?? ''}` }] : [],
  observables: (r) => [{ kind: 'process', value: r.client, field: 'client' }],
});
