import { fromCocoa, type Moment } from '../../formats/time.js';
import { defineArtifact, type TimelineEvent } from '../artifact.js';
import { at, homeFile, num, readDatabases, str, type Row } from '../_read.js';

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
}

/** The date fields, in the order MVT emits their timeline rows. */
export const calendarDateFields = ['start_date', 'end_date', 'last_modified', 'creation_date', 'participant_last_modified'] as const;

export function decodeCalendarRow(row: Row): CalendarRecord {
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
  };
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
  version: 1,
  title: 'Calendar events',
  doc: 'Calendar events and invitations with their organiser; QuaDream\'s ENDOFDAYS exploit arrived as an invisible iCloud calendar invitation, and an organiser address can be a known spyware account.',
  references: ['https://citizenlab.ca/2023/04/spyware-vendor-quadream-exploits-victims-customers/'],
  inputs: homeFile('Library/Calendar/Calendar.sqlitedb'),
  requires: {
    CalendarItem: ['ROWID', 'summary', 'description', 'start_date', 'end_date', 'all_day', 'calendar_id', 'organizer_id', 'url', 'last_modified', 'external_id', 'external_mod_tag', 'unique_identifier', 'hidden', 'UUID', 'creation_date', 'action', 'created_by_id'],
    Participant: ['ROWID', 'UUID', 'email', 'phone_number', 'comment', 'last_modified'],
  },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const fromWal = db.walApplied ? db.walOnlyRowids('CalendarItem') : new Set<number>();
      for (const row of db.db.prepare(QUERY).iterate() as Iterable<Row>) {
        const rowid = num(row.id);
        const locator = rowid !== null && fromWal.has(rowid) ? { table: 'CalendarItem', rowid, inWal: true } : { table: 'CalendarItem', rowid };
        yield { record: decodeCalendarRow(row), source: at(file, locator) };
      }
    });
  },
  timeline: calendarTimeline,
  observables: (r) => (r.participant_email ? [{ kind: 'email', value: r.participant_email, field: 'participant_email' }] : []),
});
