/**
 * The SMS and MMS backups Android's telephony provider puts in a backup (`apps/com.android.providers.telephony/
 * d_f/NNNNNN_sms_backup` and `_mms_backup`, reference-spec §11.3): a zlib-compressed JSON list of messages,
 * each an object of strings (`address`, `body`, `date` in ms as text, `date_sent`, `type`…; MMS carry
 * `mms_body`, `mms_addresses`…). Inflation is bounded; anything else is one FormatError line.
 */
import { inflateSync } from 'node:zlib';
import { FormatError } from '../errors.js';

/** A telephony backup holds a few thousand messages (a few MB of JSON); past this the file is not read. */
export const MAX_SMS_BACKUP_JSON_BYTES = 256 * 1024 * 1024;

export interface SmsBackupFile {
  /** The list's objects, in file order. */
  readonly entries: readonly Record<string, unknown>[];
  /** Items of the list that are not objects (not messages): counted, not kept. */
  readonly skipped: number;
}

/** A library's message on one printable line: JSON.parse quotes the input, control characters and all. */
function oneLine(message: string): string {
  const flat = message.replace(/\p{Cc}/gu, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Inflates and parses one backup file; `what` names it in the error. */
export function decodeSmsBackupFile(data: Buffer, what: string): SmsBackupFile {
  let json: Buffer;
  try {
    json = inflateSync(data, { maxOutputLength: MAX_SMS_BACKUP_JSON_BYTES });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new FormatError(what, `inflates past ${MAX_SMS_BACKUP_JSON_BYTES} bytes (expected a telephony backup of a few MB): not read`, { cause: err });
    throw new FormatError(what, `not zlib-compressed data (expected a telephony SMS/MMS backup): ${oneLine((err as Error).message)}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw new FormatError(what, `not valid JSON once inflated (${oneLine((err as Error).message)})`, { cause: err });
  }
  if (!Array.isArray(value)) throw new FormatError(what, `expected a JSON list of messages, found ${value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`}`);
  const entries: Record<string, unknown>[] = [];
  let skipped = 0;
  for (const item of value as unknown[]) {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) entries.push(item as Record<string, unknown>);
    else skipped++;
  }
  return { entries, skipped };
}
