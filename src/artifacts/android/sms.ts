/**
 * SMS and MMS from an Android backup (reference-spec §10.1, §11.3): the telephony provider's backup files,
 * read from a `.ab` file, its extracted folder, or the `backup.ab` androidqf takes (its members are addressed
 * below `backup.ab/`: evidence/androidqf.ts), with one decoder for all three.
 */
import { decodeSmsBackupFile } from '../../formats/android-sms-backup.js';
import { fromUnixMs, type Moment } from '../../formats/time.js';
import { FormatError } from '../../errors.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { findLinks } from '../ios/_messaging.js';
import { emailObservable, settleObservables, textObservables } from '../ios/_observables.js';

/**
 * One message as the backup stores it (every field kept, with Android's names: `address`, `date`, `date_sent`,
 * `type`, `read`, `mms_addresses`…), plus MVT's derived fields.
 */
export interface AndroidSmsRecord {
  readonly [field: string]: unknown;
  /** The text (an MMS's `mms_body` is moved here, as MVT does). Absent when the backup has none. */
  readonly body?: unknown;
  /** `date` (milliseconds since 1970, as text) as a time. Some MMS store seconds: a 1970 date, as in MVT. */
  readonly isodate: Moment | null;
  /** MVT's crude rule: `sent` when `date_sent` is a non-zero number, not from the `type` field. */
  readonly direction: 'sent' | 'received';
  /**
   * `http(s)://` links in the body. As MVT: present when there are links, or (as null) when the body is blank;
   * absent otherwise.
   */
  readonly links?: string[] | null;
}

const DIR = 'apps/com.android.providers.telephony/d_f';
/** SMS first, then MMS, each in the order found (MVT's order: its results[0] is the SMS). */
const PATTERNS = [`${DIR}/*_sms_backup`, `${DIR}/*_mms_backup`];

/** A whole number written as text or as a number, as Python's `int()` takes it; null otherwise. */
function integer(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value);
  return null;
}

/** Pure: one backup entry to a record (reference-spec §11.3). */
export function decodeSmsEntry(entry: Readonly<Record<string, unknown>>): AndroidSmsRecord {
  const fields: Record<string, unknown> = { ...entry };
  if ('mms_body' in fields) {
    fields.body = fields.mms_body;
    delete fields.mms_body;
  }
  const body = fields.body;
  const text = typeof body === 'string' ? body : null;
  const links = text ? findLinks(text) : null;
  const dateSent = integer(fields.date_sent);
  const record: AndroidSmsRecord = {
    ...fields,
    isodate: fromUnixMs(integer(fields.date)),
    direction: dateSent !== null && dateSent !== 0 ? 'sent' : 'received',
  };
  if ((links && links.length > 0) || (text !== null && text.trim() === '')) return { ...record, links };
  return record;
}

/**
 * MVT's links (direct), the other party when it is an e-mail address (SMS to e-mail gateways), and what MVT
 * does not check: hosts written without a scheme in the text (mentions).
 */
export function androidSmsObservables(r: AndroidSmsRecord): Observable[] {
  return settleObservables([
    ...(r.links ?? []).map((value) => ({ kind: 'url' as const, value, field: 'links' })),
    ...emailObservable(r.address, 'address'),
    ...textObservables(r.body, 'body'),
  ]);
}

export default defineArtifact<AndroidSmsRecord>({
  id: 'android.sms',
  version: 1,
  title: 'SMS and MMS (Android backup)',
  doc: 'The SMS and MMS the telephony provider puts in an Android backup (adb backup, or the backup.ab androidqf takes); links in them are checked against indicators, since one-click exploits and stalkerware installs are delivered as links in messages.',
  references: ['https://android.googlesource.com/platform/packages/providers/TelephonyProvider/+/refs/heads/main/src/com/android/providers/telephony/TelephonyBackupAgent.java'],
  mvt: { module: 'sms', className: 'SMS', urlSource: 'sms' },
  inputs: {
    'android-backup': PATTERNS.map((pattern) => ({ by: 'path-glob', pattern })),
    'android-androidqf': PATTERNS.map((pattern) => ({ by: 'path-glob', pattern: `backup.ab/${pattern}` })),
  },
  inputMode: 'all',
  async *parse(ctx) {
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const what = file.ref.storedPath;
      let decoded;
      try {
        decoded = decodeSmsBackupFile(await ctx.source.read(file), what);
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: err.message });
        continue;
      }
      if (decoded.skipped > 0) ctx.warn({ code: 'row-skipped', file, message: `${what}: ${decoded.skipped} item(s) of the list are not messages (expected objects); not read` });
      let index = 0;
      for (const entry of decoded.entries) yield { record: decodeSmsEntry(entry), source: at(file, { key: `[${index++}]` }) } satisfies Parsed<AndroidSmsRecord>;
    }
  },
  observables: androidSmsObservables,
});
