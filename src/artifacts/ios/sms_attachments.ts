import { quoteIdent, type SqliteHandle } from '../../evidence/sqlite.js';
import { fromCocoaAuto, type Moment } from '../../formats/time.js';
import { defineArtifact } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { described } from '../describe.js';
import { base64, cell, rowLocator, text } from './_messaging.js';

/** One row of sms.db `attachment`, with the message's service and the sender's handle. */
export interface SmsAttachmentRecord {
  readonly attachment_id: number | null;
  readonly guid: string | null;
  /** Cocoa seconds since 2001, as stored. */
  readonly created_date: number | null;
  /** Decoded `start_date` (MVT replaces the number with its ISO text). */
  readonly start_date: Moment | null;
  /** Where iOS stored the file (`~/Library/SMS/Attachments/…`); the string "NULL" when absent, as MVT writes it. */
  readonly filename: string;
  readonly transfer_name: string | null;
  readonly total_bytes: number | null;
  readonly is_outgoing: number | null;
  readonly is_sticker: number | null;
  /** `message.service`, "Unknown" when no message links to the attachment. */
  readonly service: string;
  readonly phone_number: string | null;
  readonly isodate: Moment | null;
  readonly direction: 'sent' | 'received';
  readonly has_user_info: boolean;
  readonly [column: string]: unknown;
}

const BASE64_COLUMNS = new Set(['user_info', 'sticker_user_info', 'attribution_info', 'ck_server_change_token_blob', 'sr_ck_server_change_token_blob']);

/** Pure decoder over `attachment.*` plus `attachment_id`, `service` and `phone_number`. */
export function decodeSmsAttachmentRow(row: Row): SmsAttachmentRecord {
  const columns: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith('__')) continue;
    columns[name] = BASE64_COLUMNS.has(name) ? base64(value) : cell(value);
  }
  return {
    ...columns,
    attachment_id: num(columns.attachment_id ?? null),
    guid: text(row.guid),
    created_date: num(columns.created_date ?? null),
    start_date: fromCocoaAuto(row.start_date as bigint | number | null),
    filename: text(row.filename) ?? 'NULL',
    transfer_name: text(row.transfer_name),
    total_bytes: num(columns.total_bytes ?? null),
    is_outgoing: num(columns.is_outgoing ?? null),
    is_sticker: num(columns.is_sticker ?? null),
    service: text(row.service) ?? 'Unknown',
    phone_number: text(row.phone_number),
    isodate: fromCocoaAuto(row.created_date as bigint | number | null),
    direction: num(row.is_outgoing) === 1 ? 'sent' : 'received',
    has_user_info: row.user_info !== null && row.user_info !== undefined,
  };
}

/**
 * `attachment` LEFT JOIN its message and handle, as far as the schema has them: the attachment row is what
 * matters, the joins only add context.
 */
function attachmentQuery(db: SqliteHandle): string {
  const joins: string[] = [];
  let service = 'NULL';
  let phone = 'NULL';
  const has = (table: string, ...cols: string[]) => db.hasTable(table) && cols.every((c) => db.columns(table).has(c));
  if (has('message_attachment_join', 'message_id', 'attachment_id') && has('message', 'handle_id')) {
    joins.push('LEFT JOIN message_attachment_join ON message_attachment_join.attachment_id = attachment.ROWID');
    joins.push('LEFT JOIN message ON message.ROWID = message_attachment_join.message_id');
    if (db.columns('message').has('service')) service = 'message.service';
    if (has('handle', 'id')) {
      joins.push('LEFT JOIN handle ON handle.ROWID = message.handle_id');
      phone = 'handle.id';
    }
  }
  return `SELECT attachment.rowid AS __rowid, attachment.*, attachment.ROWID AS attachment_id, ${service} AS ${quoteIdent('service')}, ${phone} AS phone_number FROM attachment ${joins.join(' ')} ORDER BY attachment.rowid`;
}

export default defineArtifact<SmsAttachmentRecord>({
  id: 'ios.sms_attachments',
  version: 1,
  title: 'SMS and iMessage attachments',
  mvt: { module: 'sms_attachments', className: 'SMSAttachments' },
  doc: 'Attachments in sms.db; their stored paths are checked against indicator file paths, and a received attachment left under /var/tmp/ with a name ending in "-1" is a trace seen with iMessage zero-click exploits.',
  references: ['https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/'],
  inputs: homeFile('Library/SMS/sms.db'),
  requires: { attachment: ['filename', 'created_date', 'is_outgoing'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const locate = rowLocator(db, 'attachment');
      for (const row of db.db.prepare(attachmentQuery(db)).safeIntegers(true).iterate() as Iterable<Row>) {
        yield { record: decodeSmsAttachmentRow(row), source: at(file, locate(num(row.__rowid))) };
      }
    });
  },
  timeline: (r) => [
    {
      time: r.isodate,
      event: 'sms_attachment',
      description: described`${r.service}: Attachment '${r.transfer_name}' ${r.direction} from ${r.phone_number} with ${r.total_bytes} bytes (is_sticker: ${r.is_sticker}, has_user_info: ${r.has_user_info})`,
    },
  ],
  // MVT raises HIGH, not CRITICAL, on a file-path indicator here: the path is where Messages stored the file,
  // a mention of the indicator rather than the spyware running (reference-spec §7.3.16).
  observables: (r) => (r.filename !== 'NULL' ? [{ kind: 'file_path' as const, value: r.filename, field: 'filename', role: 'mention' as const }] : []),
});
