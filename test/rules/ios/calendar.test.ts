import { describe, expect, it } from 'vitest';
import calendar, { type CalendarRecord } from '../../../src/artifacts/ios/calendar.js';
import rules from '../../../src/rules/ios/calendar.js';
import type { RecordRule } from '../../../src/rules/rule.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';

/** Only the columns the artifact reads (the real table has about 80). */
const CALENDAR_SCHEMA = `
  CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL, all_day INTEGER,
    calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT,
    hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);
  CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, UUID TEXT, email TEXT, phone_number TEXT, comment TEXT, last_modified REAL);`;

const quadream = rules[0] as RecordRule<CalendarRecord>;

describe('QuaDream calendar invitation rule', () => {
  it('raises nothing on the MVT test backup (MVT: 0 alerts)', async () => {
    const { records } = await parseBackup<CalendarRecord>(calendar, mvtIosBackup());
    expect(records.flatMap((r) => quadream.check(r))).toEqual([]);
  });

  it('raises HIGH for an event titled "Meeting" with the description "Notes", and only that', async () => {
    const db = sqliteBytes(CALENDAR_SCHEMA, (d) => {
      d.exec(`INSERT INTO CalendarItem (summary, description, start_date, UUID) VALUES
        ('Meeting', 'Notes', 650000000, '11111111-2222-3333-4444-555555555555'),
        ('Meeting', 'Agenda', 650000100, 'other'),
        ('meeting', 'Notes', 650000200, 'lowercase')`);
    });
    const backup = buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb', data: db }]);
    const { records } = await parseBackup<CalendarRecord>(calendar, backup);
    expect(quadream.level).toBe('high');
    const hits = records.flatMap((r) => quadream.check(r));
    expect(hits.map((h) => h.message)).toEqual(['Potential Quadream exploit event identified: 11111111-2222-3333-4444-555555555555']);
    expect(hits[0]!.eventTime?.mvt()).toBe('2021-08-07 03:33:20.000000');
  });
});
