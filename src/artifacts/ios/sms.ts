import { attributedBodyText } from '../../formats/typedstream.js';
import { fromCocoaAuto, type Moment } from '../../formats/time.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { described } from '../describe.js';
import { cellOf, columnValues, findLinks, oneLine, planColumns, rowLocator, text as textOf, type ColumnPlan } from './_messaging.js';
import { emailObservable, settleObservables, textObservables } from './_observables.js';

/**
 * One row of sms.db `message` (SMS, MMS and iMessage), with every column as stored plus MVT's derived fields.
 * Column names are sms.db's own (`guid`, `handle_id`, `is_from_me`, …); the index signature carries the columns
 * that vary between iOS versions.
 */
export interface SmsRecord {
  readonly ROWID: number | null;
  readonly guid: string | null;
  /**
   * The message text. When the `text` column is NULL or empty (usual since iOS 16), the text decoded from
   * `attributedBody`, and `text_from_attributed_body` is true. MVT leaves it "" (reference-spec §7.3.15).
   */
  readonly text: string;
  readonly text_from_attributed_body: boolean;
  readonly handle_id: number | null;
  readonly service: string | null;
  readonly account: string | null;
  /** Cocoa time, seconds or (iOS 11+) nanoseconds since 2001, as stored. */
  readonly date: number | null;
  readonly date_read: number | null;
  readonly is_from_me: number | null;
  /** Base64 of the archived NSAttributedString, as MVT exports it. */
  readonly attributedBody: string | null;
  /** `handle.id` (phone number or Apple ID). Null when the message has no handle (MVT drops those rows). */
  readonly phone_number: string | null;
  readonly isodate: Moment | null;
  readonly isodate_read: Moment | null;
  readonly direction: 'sent' | 'received';
  readonly links: string[];
  readonly [column: string]: unknown;
}

/** Blob columns MVT exports as base64; other blobs are decoded as UTF-8 text. */
const BASE64_COLUMNS = new Set(['attributedBody', 'payload_data', 'message_summary_info']);

/** Pure decoder over `message.*` plus `phone_number`, read with safe integers (nanosecond dates exceed 2^53). */
export function decodeSmsRow(row: Row): SmsRecord {
  return decodeSmsCells(smsColumns(Object.keys(row)), Object.values(row));
}

/** The plan for a statement's columns (read once per statement, `decodeSmsCells` then runs per row). */
export function smsColumns(names: readonly string[]): ColumnPlan {
  return planColumns(names, BASE64_COLUMNS);
}

/** `decodeSmsRow` over one raw row (cells in the plan's column order). */
export function decodeSmsCells(plan: ColumnPlan, values: readonly unknown[]): SmsRecord {
  const raw = (name: string) => cellOf(plan, values, name);
  const stored = textOf(raw('text'));
  const body = raw('attributedBody');
  const fromBody = stored ? null : attributedBodyText(Buffer.isBuffer(body) ? body : null);
  const text = stored || fromBody || '';
  const date = raw('date') as bigint | number | null;
  const dateRead = raw('date_read') as bigint | number | null;
  // Every column first, then MVT's fields in this order: a field that is also a column keeps the column's place
  // (the record's key order is the order of its JSON output).
  const r = columnValues(plan, values);
  r.ROWID = num(r.ROWID ?? null);
  r.guid = textOf(raw('guid'));
  r.text = text;
  r.text_from_attributed_body = !stored && !!fromBody;
  r.handle_id = num(r.handle_id ?? null);
  r.service = textOf(raw('service'));
  r.account = textOf(raw('account'));
  r.date = num(r.date ?? null);
  r.date_read = num(r.date_read ?? null);
  r.is_from_me = num(r.is_from_me ?? null);
  // Already base64 when the column exists (BASE64_COLUMNS).
  r.attributedBody = r.attributedBody ?? null;
  r.phone_number = textOf(raw('phone_number'));
  r.isodate = fromCocoaAuto(date);
  r.isodate_read = fromCocoaAuto(dateRead);
  r.direction = num(raw('is_from_me')) === 1 ? 'sent' : 'received';
  r.links = findLinks(text);
  return r as SmsRecord;
}

/**
 * MVT's links (direct: a link the device received or sent), then what MVT does not check: the other party's
 * handle when it is an Apple ID e-mail address (direct), and hosts, scheme-less URLs and e-mail addresses
 * written in the text or subject (mentions: iOS makes them tappable, but writing a name is not sending a link).
 */
export function smsObservables(r: SmsRecord): Observable[] {
  return settleObservables([
    ...r.links.map((value) => ({ kind: 'url' as const, value, field: 'links' })),
    ...emailObservable(r.phone_number, 'phone_number'),
    ...textObservables(r.text, 'text'),
    ...textObservables(r.subject, 'subject', { httpLinks: 'direct' }),
  ]);
}

export default defineArtifact<SmsRecord>({
  id: 'ios.sms',
  version: 1,
  title: 'SMS and iMessage',
  mvt: { module: 'sms', className: 'SMS', urlSource: 'sms' },
  doc: 'sms.db holds SMS, MMS and iMessage messages; links in them are checked against indicators, since one-click exploits (Pegasus, Predator) are delivered as links in messages, and Apple\'s own threat notifications arrive here.',
  references: [
    'https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/',
    'https://support.apple.com/en-us/102174',
  ],
  inputs: homeFile('Library/SMS/sms.db'),
  requires: { message: ['guid', 'text', 'handle_id', 'date', 'is_from_me'], handle: ['id'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const locate = rowLocator(db, 'message');
      // LEFT JOIN, not MVT's inner join: messages without a handle (group and self messages, handle_id 0)
      // are kept with a null phone_number (reference-spec §15 item 21, docs/differences/messaging.md).
      const stmt = db.db
        .prepare('SELECT message.rowid AS __rowid, message.*, handle.id AS phone_number FROM message LEFT JOIN handle ON handle.ROWID = message.handle_id ORDER BY message.rowid')
        .safeIntegers(true)
        .raw(true);
      const plan = smsColumns(stmt.columns().map((c) => c.name));
      const rowidAt = plan.at.get('__rowid')!;
      for (const values of stmt.iterate() as Iterable<unknown[]>) {
        yield { record: decodeSmsCells(plan, values), source: at(file, locate(num(values[rowidAt]))) };
      }
    });
  },
  timeline(r) {
    const description = described`${r.service}: ${r.guid} "${oneLine(r.text)}" from ${r.phone_number} (${r.account})`;
    const events = [{ time: r.isodate, event: 'sms_received', description }];
    if (r.isodate_read) events.push({ time: r.isodate_read, event: 'sms_read', description });
    return events;
  },
  observables: smsObservables,
});
