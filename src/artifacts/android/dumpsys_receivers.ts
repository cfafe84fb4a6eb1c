import { decodeResolverTable, type ResolverEntry } from '../../formats/dumpsys-package.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

/** One broadcast receiver of an intent action (`component` is MVT's `receiver`). */
export type DumpsysReceiverRecord = ResolverEntry;

export default defineArtifact<DumpsysReceiverRecord>({
  id: 'android.dumpsys_receivers',
  version: 1,
  title: 'Broadcast receivers (dumpsys package)',
  doc: 'Which apps receive which system broadcasts, from the package manager\'s receiver resolver table: an app that receives incoming SMS or call events can read one-time codes and follow calls, as stalkerware does.',
  references: ['https://developer.android.com/guide/components/broadcasts'],
  mvt: { module: 'dumpsys_receivers', className: 'DumpsysReceivers', renames: { component: 'receiver' } },
  inputs: DUMPSYS_INPUTS,
  parse: (ctx) => parseDumpsys(ctx, 'package', (text) => decodeResolverTable(text, 'Receiver')),
  observables: (r) => [{ kind: 'app_id', value: r.package_name, field: 'package_name' }],
});
