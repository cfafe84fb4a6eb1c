import { decodeDbinfo, type DbinfoOperation } from '../../formats/dumpsys-dbinfo.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

export type DumpsysDbinfoRecord = DbinfoOperation;

export default defineArtifact<DumpsysDbinfoRecord>({
  id: 'android.dumpsys_dbinfo',
  version: 1,
  title: 'Recent database operations (dumpsys dbinfo)',
  doc: 'The SQL statements apps recently ran on their databases, with the database path, which names the app: a trace of an app that was running, with its time (device local).',
  references: ['https://developer.android.com/tools/dumpsys'],
  mvt: { module: 'dbinfo', className: 'DumpsysDBInfo' },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'dbinfo', decodeDbinfo),
  observables(r) {
    const out: Observable[] = [{ kind: 'file_path', value: r.path, field: 'path' }];
    // Each path part that could be an app id, once (MVT checks every part and may alert twice for one path).
    for (const part of new Set(r.path.split('/'))) if (part.includes('.')) out.push({ kind: 'app_id', value: part, field: 'path' });
    return out;
  },
});
