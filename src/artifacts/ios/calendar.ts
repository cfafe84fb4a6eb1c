import { fromCocoa, type Moment } from '../../formats/time.js';
import type { SqliteHandle } from '../../evidence/sqlite.js';
import { defineArtifact, type Observable, type TimelineEvent } from '../artifact.js';
import { at, homeFile, num, readDatabases, str, type Row } from '../_read.js';
import { columnOr, text } from './_messaging.js';
import { emailObservable, settleObservables, textObservables } from './_observables.js';

/**
 * One participant of an event (Calendar.sqlitedb `Participant` rows whose `owner_id` is the event): the
 * attendees of an invitation, usually the organiser too.
 */
export interface CalendarAttendee {
  /** Participant.ROWID */
  readonly id: number | null;
  readonly email: string | null;
  readonly phone_number: string | null;
  /** Identity.address (`mailto:…`) and Identity.display_name, when the participant has an identity row. */
  readonly address: string | null;
  readonly display_name: string | null;
  /** Participant.invited_by: who added this attendee (an address), newer iOS only. */
  readonly invited_by: string | null;
  /** Participant.status (0 unknown, 1 pending, 2 accepted, 3 declined, 4 tentative, …) and role, as stored. */
  readonly status: number | null;
  readonly role: number | null;
  readonly is_self: number | null;
}

/** One Calendar.sqlitedb `CalendarItem` (event, reminder or invitation) with the participant who organised it. */
export interface CalendarRecord {
  /** CalendarItem.ROWID */
  readonly id: number | null;
  readonly summary: string | null;
  readonly description: string | null;
  readonly start_date: Moment | null;
  readonly end_date: Moment | null;
  readonly all_day: number | null;
  readonly calendar_id: number | null;
  readonly organizer_id: number | null;
  readonly url: string | null;
  readonly last_modified: Moment | null;
  readonly external_id: string | null;
  readonly external_mod_tag: string | null;
  readonly unique_identifier: string | null;
  readonly hidden: number | null;
  /** CalendarItem.UUID */
  readonly uuid: string | null;
  readonly creation_date: Moment | null;
  readonly action: string | null;
  readonly created_by_id: number | null;
  /** The organiser's Participant row: UUID, email, phone_number, comment, last_modified. */
  readonly participant_uuid: string | null;
  readonly participant_email: string | null;
  readonly participant_phone: string | null;
  readonly participant_comment: string | null;
  readonly participant_last_modified: Moment | null;
  /** Every participant of the event (MVT reads only the organiser); [] when the table has no `owner_id`. */
  readonly attendees: readonly CalendarAttendee[];
}

/** The date fields, in the order MVT emits their timeline rows. */
export const calendarDateFields = ['start_date', 'end_date', 'last_modified', 'creation_date', 'participant_last_modified'] as const;

export function decodeCalendarRow(row: Row, attendees: readonly CalendarAttendee[] = []): CalendarRecord {
  return {
    id: num(row.id),
    summary: str(row.summary),
    description: str(row.description),
    start_date: fromCocoa(num(row.start_date)),
    end_date: fromCocoa(num(row.end_date)),
    all_day: num(row.all_day),
    calendar_id: num(row.calendar_id),
    organizer_id: num(row.organizer_id),
    url: str(row.url),
    last_modified: fromCocoa(num(row.last_modified)),
    external_id: str(row.external_id),
    external_mod_tag: str(row.external_mod_tag),
    unique_identifier: str(row.unique_identifier),
    hidden: num(row.hidden),
    uuid: str(row.uuid),
    creation_date: fromCocoa(num(row.creation_date)),
    action: str(row.action),
    created_by_id: num(row.created_by_id),
    participant_uuid: str(row.participant_uuid),
    participant_email: str(row.participant_email),
    participant_phone: str(row.participant_phone),
    participant_comment: str(row.participant_comment),
    participant_last_modified: fromCocoa(num(row.participant_last_modified)),
    attendees,
  };
}

export function decodeAttendeeRow(row: Row): CalendarAttendee {
  return {
    id: num(row.id),
    email: text(row.email),
    phone_number: text(row.phone_number),
    address: text(row.address),
    display_name: text(row.display_name),
    invited_by: text(row.invited_by),
    status: num(row.status),
    role: num(row.role),
    is_self: num(row.is_self),
  };
}

/**
 * Attendees of every event, by event ROWID, read before the events (a connection iterating one query cannot
 * run another). Optional columns and the Identity table are used when this iOS version has them.
 */
function readAttendees(db: SqliteHandle): Map<number, CalendarAttendee[]> {
  const byEvent = new Map<number, CalendarAttendee[]>();
  if (!db.columns('Participant').has('owner_id')) return byEvent;
  const p = (column: string) => columnOr(db, 'Participant', column, column);
  const identity = db.hasTable('Identity') && db.columns('Participant').has('identity_id');
  const sql = `SELECT Participant.ROWID AS id, Participant.owner_id AS owner, ${p('email')}, ${p('phone_number')}, ${p('invited_by')}, ${p('status')}, ${p('role')}, ${p('is_self')},
      ${identity ? `${columnOr(db, 'Identity', 'address', 'address')}, ${columnOr(db, 'Identity', 'display_name', 'display_name')}` : 'NULL AS address, NULL AS display_name'}
    FROM Participant ${identity ? 'LEFT JOIN Identity ON Identity.ROWID = Participant.identity_id' : ''}
    WHERE Participant.owner_id IS NOT NULL ORDER BY Participant.owner_id, Participant.ROWID`;
  for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
    const owner = num(row.owner);
    if (owner === null) continue;
    const list = byEvent.get(owner) ?? [];
    list.push(decodeAttendeeRow(row));
    byEvent.set(owner, list);
  }
  return byEvent;
}

/**
 * The organiser's address (MVT's one check), then every attendee's address, identity and inviter: all direct,
 * since an invitation is something the device received from, or sent to, these people. The event's URL and
 * `http(s)://` links in its title and notes are direct too; hosts written without a scheme are mentions.
 */
export function calendarObservables(r: CalendarRecord): Observable[] {
  const out: Observable[] = [];
  if (r.participant_email) out.push({ kind: 'email', value: r.participant_email, field: 'participant_email' });
  for (const a of r.attendees) {
    out.push(...emailObservable(a.email, 'attendees.email'), ...emailObservable(a.address, 'attendees.address'), ...emailObservable(a.invited_by, 'attendees.invited_by'));
  }
  out.push(
    ...textObservables(r.url, 'url', { httpLinks: 'direct' }),
    ...textObservables(r.summary, 'summary', { httpLinks: 'direct' }),
    ...textObservables(r.description, 'description', { httpLinks: 'direct' }),
  );
  return settleObservables(out);
}

const QUERY = `
  SELECT c.ROWID AS id, c.summary, c.description, c.start_date, c.end_date, c.all_day, c.calendar_id, c.organizer_id, c.url,
         c.last_modified, c.external_id, c.external_mod_tag, c.unique_identifier, c.hidden, c.UUID AS uuid, c.creation_date,
         c.action, c.created_by_id,
         p.UUID AS participant_uuid, p.email AS participant_email, p.phone_number AS participant_phone,
         p.comment AS participant_comment, p.last_modified AS participant_last_modified
    FROM CalendarItem c LEFT JOIN Participant p ON p.ROWID = c.organizer_id
   ORDER BY c.ROWID`;

export function calendarTimeline(r: CalendarRecord): TimelineEvent[] {
  // Python renders missing values as "None" in MVT's text.
  const description = `Calendar event ${r.summary ?? 'None'} (${r.description ?? 'None'}) (invitation by ${r.participant_email ?? 'None'})`;
  return calendarDateFields.filter((f) => r[f] !== null).map((f) => ({ time: r[f], event: f, description }));
}

export default defineArtifact<CalendarRecord>({
  id: 'ios.calendar',
  version: 2,
  title: 'Calendar events',
  mvt: { module: 'calendar', className: 'Calendar' },
  doc: 'Calendar events and invitations with their organiser and attendees; QuaDream\'s ENDOFDAYS exploit arrived as an invisible iCloud calendar invitation, and an organiser address can be a known spyware account.',
  references: ['https://citizenlab.ca/2023/04/spyware-vendor-quadream-exploits-victims-customers/'],
  inputs: homeFile('Library/Calendar/Calendar.sqlitedb'),
  requires: {
    CalendarItem: ['ROWID', 'summary', 'description', 'start_date', 'end_date', 'all_day', 'calendar_id', 'organizer_id', 'url', 'last_modified', 'external_id', 'external_mod_tag', 'unique_identifier', 'hidden', 'UUID', 'creation_date', 'action', 'created_by_id'],
    Participant: ['ROWID', 'UUID', 'email', 'phone_number', 'comment', 'last_modified'],
  },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const attendees = readAttendees(db);
      const fromWal = db.walApplied ? db.walOnlyRowids('CalendarItem') : new Set<number>();
      for (const row of db.db.prepare(QUERY).iterate() as Iterable<Row>) {
        const rowid = num(row.id);
        const locator = rowid !== null && fromWal.has(rowid) ? { table: 'CalendarItem', rowid, inWal: true } : { table: 'CalendarItem', rowid };
        yield { record: decodeCalendarRow(row, (rowid === null ? undefined : attendees.get(rowid)) ?? []), source: at(file, locator) };
      }
    });
  },
  timeline: calendarTimeline,
  observables: calendarObservables,
});
