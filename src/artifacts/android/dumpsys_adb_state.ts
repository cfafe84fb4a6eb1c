import { decodeAdbState, type AdbState } from '../../formats/dumpsys-adb.js';
import { fromDate, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { DUMPSYS_INPUTS, parseDumpsys } from './_dumpsys.js';

/** The adb state, with what the acquisition says of the computer that made it (androidqf only). */
export interface DumpsysAdbStateRecord extends AdbState {
  /** null outside an androidqf acquisition (a bugreport alone has no acquiring computer to compare with). */
  readonly acquisition: { readonly started: Moment | null; readonly host_key: string | null } | null;
}

export default defineArtifact<DumpsysAdbStateRecord>({
  id: 'android.dumpsys_adb_state',
  version: 1,
  title: 'Trusted adb computers (dumpsys adb)',
  doc: 'The computers the phone trusts for USB or Wi-Fi debugging, with their keys and last connection: a trusted computer can install apps and read data over adb without the owner touching the phone again.',
  references: ['https://developer.android.com/tools/adb', 'https://github.com/mvt-project/androidqf'],
  mvt: { module: 'dumpsys_adb_state', className: 'DumpsysADBState' },
  inputs: DUMPSYS_INPUTS,
  parse(ctx) {
    const info = ctx.source.describe();
    const acquisition = ctx.source.kind === 'android-androidqf' ? { started: fromDate(info.acquiredAt), host_key: info.adbHostKey ?? null } : null;
    return parseDumpsys(ctx, 'adb', (text) => {
      const state = decodeAdbState(text);
      return state ? [{ ...state, acquisition }] : [];
    });
  },
});
