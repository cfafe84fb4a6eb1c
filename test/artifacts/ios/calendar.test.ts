import { describe, expect, it } from 'vitest';
import calendar, { type CalendarRecord } from '../../../src/artifacts/ios/calendar.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { OPERATOR_DOMAIN, OPERATOR_EMAIL, operatorHits } from '../../fixtures/operator-indicators.js';

const at = { domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' };

/** The columns the artifact reads, as iOS 14-17 lay them out (the real table has about 80). */
const CALENDAR_SCHEMA = `
  CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL, all_day INTEGER,
    calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT,
    hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);
  CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, UUID TEXT, email TEXT, phone_number TEXT, comment TEXT, last_modified REAL);`;

const dates = (r: CalendarRecord) => ({
  start_date: r.start_date?.mvt() ?? null,
  end_date: r.end_date?.mvt() ?? null,
  last_modified: r.last_modified?.mvt() ?? null,
  creation_date: r.creation_date?.mvt() ?? null,
  participant_last_modified: r.participant_last_modified?.mvt() ?? null,
});

describe('ios.calendar on the MVT test backup', () => {
  it('reads the one event with its organiser and MVT\'s 4 timeline rows', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<CalendarRecord>(calendar, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const event = records[0]!;
    expect({ ...event, ...dates(event) }).toEqual({
      id: 1,
      summary: 'Super interesting meeting',
      description: 'very very interesting things',
      start_date: '2023-04-18 09:15:00.000000',
      end_date: '2023-04-18 10:15:00.000000',
      all_day: 0,
      calendar_id: 1,
      organizer_id: 1,
      url: '',
      last_modified: '2023-04-11 18:30:38.000000',
      external_id: null,
      external_mod_tag: null,
      unique_identifier: '',
      hidden: 0,
      uuid: 'FAE72C77-4932-47FD-885C-A084D502F3C4',
      creation_date: '2023-04-11 18:30:06.000000',
      action: '',
      created_by_id: 0,
      participant_uuid: 'a050b517-6677-5119-9a77-2d26bbf30507',
      participant_email: 'user@example.org',
      participant_phone: '12345678',
      participant_comment: null,
      participant_last_modified: null,
      // The one Participant row has no owner_id: it is the organiser only.
      attendees: [],
    });
    expect(items[0]!.source.at).toEqual({ table: 'CalendarItem', rowid: 1 });
    const text = 'Calendar event Super interesting meeting (very very interesting things) (invitation by user@example.org)';
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2023-04-18 09:15:00.000000', 'start_date', text],
      ['2023-04-18 10:15:00.000000', 'end_date', text],
      ['2023-04-11 18:30:38.000000', 'last_modified', text],
      ['2023-04-11 18:30:06.000000', 'creation_date', text],
    ]);
    // MVT's test adds the email indicator user@example.org and gets 1 alert.
    expect(observables).toEqual([{ kind: 'email', value: 'user@example.org', field: 'participant_email' }]);
  });
});

describe('ios.calendar on built databases', () => {
  it('keeps events without an organiser (LEFT JOIN) and skips empty dates in the timeline', async () => {
    const db = sqliteBytes(CALENDAR_SCHEMA, (d) => {
      d.exec(`INSERT INTO CalendarItem (summary, description, start_date, UUID) VALUES ('Meeting', 'Notes', 650000000, 'Q-1')`);
    });
    const { records, timeline, observables, coverage } = await parseBackup<CalendarRecord>(calendar, buildBackup([{ ...at, data: db }]));
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ summary: 'Meeting', description: 'Notes', uuid: 'Q-1', organizer_id: null, participant_email: null });
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2021-08-07 03:33:20.000000', 'start_date', 'Calendar event Meeting (Notes) (invitation by None)'],
    ]);
    expect(observables).toEqual([]);
  });

  it('fails with a message naming the database when Participant is missing', async () => {
    const db = sqliteBytes(CALENDAR_SCHEMA.replace(/CREATE TABLE Participant[^;]*;/, ''));
    const { records, coverage } = await parseBackup<CalendarRecord>(calendar, buildBackup([{ ...at, data: db }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.reason).toContain('Calendar.sqlitedb (HomeDomain/Library/Calendar/Calendar.sqlitedb');
    expect(coverage.reason).toContain('no table Participant');
  });

  it('keeps the events read before a damaged page and reports the damage, naming the database', async () => {
    const db = sqliteBytes(CALENDAR_SCHEMA, (d) => {
      const insert = d.prepare(`INSERT INTO CalendarItem (summary, description, start_date) VALUES (?, ?, ?)`);
      d.transaction(() => {
        for (let i = 0; i < 400; i++) insert.run(`event ${i}`, 'x'.repeat(200), 650000000 + i);
      })();
    });
    // Overwrite two leaf pages in the middle of CalendarItem's b-tree (4 KiB pages); the schema stays readable.
    const damaged = Buffer.from(db);
    damaged.fill(0xff, 4096 * 10, 4096 * 12);
    const { records, coverage } = await parseBackup<CalendarRecord>(calendar, buildBackup([{ ...at, data: damaged }]));
    expect(coverage.state).toBe('partial');
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(400);
    expect(records[0]!.summary).toBe('event 0');
    expect(coverage.issues.map((i) => i.code)).toEqual(['corrupted']);
    expect(coverage.issues[0]!.message).toMatch(/^Calendar\.sqlitedb \(HomeDomain\/Library\/Calendar\/Calendar\.sqlitedb, .*\): database is damaged/);
  });
});

/**
 * Participant as the MVT test backup's Calendar.sqlitedb declares it (iOS 16), and an Identity table: each
 * participant row belongs to an event through `owner_id`, and may point at an identity with its address.
 */
const ATTENDEE_SCHEMA = `
  CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL, all_day INTEGER,
    calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT,
    hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);
  CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, entity_type INTEGER, type INTEGER, status INTEGER, pending_status INTEGER, role INTEGER,
    identity_id INTEGER, owner_id INTEGER, external_rep BLOB, UUID TEXT, email TEXT, phone_number TEXT, is_self INTEGER, comment TEXT, schedule_agent INTEGER,
    flags INTEGER, last_modified REAL, proposed_start_date REAL, invited_by TEXT, proposed_start_date_status INTEGER, comment_last_modified REAL);
  CREATE TABLE Identity (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, display_name TEXT, address TEXT, first_name TEXT, last_name TEXT);`;

describe('ios.calendar attendees and observables', () => {
  const invitations = () =>
    sqliteBytes(ATTENDEE_SCHEMA, (d) => {
      d.exec(`
        INSERT INTO Identity (ROWID, display_name, address) VALUES (1, 'Helpdesk', 'mailto:${OPERATOR_EMAIL}');
        INSERT INTO CalendarItem (ROWID, summary, description, start_date, organizer_id, url, UUID) VALUES (1, 'Quarterly review', NULL, 700000000, 1, '', 'E-1');
        INSERT INTO Participant (ROWID, entity_type, status, role, owner_id, email, is_self) VALUES (1, 8, 0, 0, 1, 'boss@example.org', 0);
        INSERT INTO Participant (ROWID, entity_type, status, role, owner_id, email, is_self) VALUES (2, 7, 1, 1, 1, 'me@icloud.com', 1);
        INSERT INTO Participant (ROWID, entity_type, status, role, owner_id, identity_id, invited_by) VALUES (3, 7, 1, 1, 1, 1, 'boss@example.org');
        INSERT INTO CalendarItem (ROWID, summary, description, start_date, url, UUID) VALUES (2, 'Team call', 'Agenda: e.g. review v1.2 of plan.pdf at 10 a.m., see apple.com', 700003600, 'https://zoom.us/j/123', 'E-2');
        INSERT INTO CalendarItem (ROWID, summary, description, start_date, UUID) VALUES (3, 'Your parcel', 'Reschedule at ${OPERATOR_DOMAIN}/parcel', 700007200, 'E-3');
      `);
    });

  it('reads every participant of an event, not only the organiser (MVT)', async () => {
    const { records, coverage } = await parseBackup<CalendarRecord>(calendar, buildBackup([{ ...at, data: invitations() }]));
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => r.participant_email)).toEqual(['boss@example.org', null, null]);
    expect(records[0]!.attendees).toEqual([
      { id: 1, email: 'boss@example.org', phone_number: null, address: null, display_name: null, invited_by: null, status: 0, role: 0, is_self: 0 },
      { id: 2, email: 'me@icloud.com', phone_number: null, address: null, display_name: null, invited_by: null, status: 1, role: 1, is_self: 1 },
      { id: 3, email: null, phone_number: null, address: `mailto:${OPERATOR_EMAIL}`, display_name: 'Helpdesk', invited_by: 'boss@example.org', status: 1, role: 1, is_self: null },
    ]);
    expect(records[1]!.attendees).toEqual([]);
  });

  it("reports the operator as an attendee (CRITICAL) and a host in an event's notes (HIGH); ordinary attendees and text match nothing", async () => {
    const { observables } = await parseBackup<CalendarRecord>(calendar, buildBackup([{ ...at, data: invitations() }]));
    expect(observables).toEqual([
      { kind: 'email', value: 'boss@example.org', field: 'participant_email' },
      { kind: 'email', value: 'me@icloud.com', field: 'attendees.email' },
      { kind: 'email', value: OPERATOR_EMAIL, field: 'attendees.address' },
      { kind: 'url', value: 'https://zoom.us/j/123', field: 'url' },
      { kind: 'domain', value: 'apple.com', field: 'description', role: 'mention' },
      { kind: 'url', value: `${OPERATOR_DOMAIN}/parcel`, field: 'description', role: 'mention' },
    ]);
    expect(operatorHits(observables)).toEqual([
      { field: 'attendees.address', observed: OPERATOR_EMAIL, indicator: OPERATOR_EMAIL, level: 'critical' },
      { field: 'description', observed: `${OPERATOR_DOMAIN}/parcel`, indicator: OPERATOR_DOMAIN, level: 'high' },
    ]);
  });
});
