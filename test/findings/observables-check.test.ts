/**
 * End to end: an operator's indicators wherever they appear on a built phone (call history, address book,
 * calendar invitation, messages), checked with `check()` against a STIX file; each is reported once, at the
 * level the policy gives its place, and the ordinary data around it gives nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { buildBackup, sqliteBytes, tempDir } from '../fixtures/ios-backup.js';
import { OPERATOR_DOMAIN, OPERATOR_EMAIL } from '../fixtures/operator-indicators.js';
import { insertHandle, insertMessage, SMS_DB, smsDbBytes } from '../fixtures/sms.js';
import { stixBundle } from '../indicators/bundle.js';

const home = (relativePath: string, data: Buffer) => ({ domain: 'HomeDomain', relativePath, data });

const callHistory = () =>
  sqliteBytes('CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZLOCATION VARCHAR, ZSERVICE_PROVIDER VARCHAR);', (db) => {
    const call = db.prepare('INSERT INTO ZCALLRECORD (ZDATE, ZDURATION, ZADDRESS, ZSERVICE_PROVIDER) VALUES (?, ?, ?, ?)');
    call.run(700000000, 120, Buffer.from('+14155550100'), 'com.apple.Telephony');
    call.run(700000100, 30, Buffer.from('dana@icloud.com'), 'com.apple.FaceTime');
    call.run(700000200, 0, Buffer.from(OPERATOR_EMAIL), 'com.apple.FaceTime');
  });

const addressBook = () =>
  sqliteBytes(
    `CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, Organization TEXT);
     CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT);`,
    (db) =>
      db.exec(`
        INSERT INTO ABPerson (ROWID, First, Last) VALUES (1, 'Dana', 'Friend'), (2, 'Vendor', 'Contact');
        INSERT INTO ABMultiValue (record_id, property, value) VALUES (1, 3, '+14155550100'), (1, 4, 'dana@icloud.com'), (1, 22, 'apple.com');
        INSERT INTO ABMultiValue (record_id, property, value) VALUES (2, 4, '${OPERATOR_EMAIL}');
      `),
  );

const calendarDb = () =>
  sqliteBytes(
    `CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, description TEXT, start_date REAL, end_date REAL, all_day INTEGER,
       calendar_id INTEGER, organizer_id INTEGER, url TEXT, last_modified REAL, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT,
       hidden INTEGER, UUID TEXT, creation_date REAL, action TEXT, created_by_id INTEGER);
     CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, owner_id INTEGER, UUID TEXT, email TEXT, phone_number TEXT, comment TEXT, last_modified REAL);`,
    (db) =>
      db.exec(`
        INSERT INTO CalendarItem (ROWID, summary, description, start_date, organizer_id, UUID) VALUES (1, 'Lunch', 'at 12 p.m., e.g. the usual place', 700000000, 1, 'E-1');
        INSERT INTO Participant (ROWID, owner_id, email) VALUES (1, 1, 'dana@icloud.com'), (2, 1, '${OPERATOR_EMAIL}');
      `),
  );

const messages = () =>
  smsDbBytes((db) => {
    const friend = insertHandle(db, '+14155550100');
    insertMessage(db, { guid: 'm1', handle_id: friend, date: 700_000_000, text: 'See you at 10 a.m., bring file.txt; tickets on apple.com/tickets' });
    insertMessage(db, { guid: 'm2', handle_id: friend, date: 700_000_100, text: `Your parcel: ${OPERATOR_DOMAIN}/track?id=9` });
  });

describe('check() reports an operator wherever it appears on the phone', () => {
  let result: CheckResult;

  beforeAll(async () => {
    const backup = buildBackup([
      home('Library/CallHistoryDB/CallHistory.storedata', callHistory()),
      home('Library/AddressBook/AddressBook.sqlitedb', addressBook()),
      home('Library/Calendar/Calendar.sqlitedb', calendarDb()),
      { ...SMS_DB, data: messages() },
    ]);
    const iocs = join(tempDir('iocs'), 'operation.stix2');
    const bundle = stixBundle({
      malware: ['Operation Fixture'],
      indicators: [
        { pattern: `[email-addr:value = '${OPERATOR_EMAIL}']`, malware: 'Operation Fixture' },
        { pattern: `[domain-name:value = '${OPERATOR_DOMAIN}']`, malware: 'Operation Fixture' },
        // Ordinary names are never indicators in real feeds; this one proves the ordinary rows stay quiet anyway.
        { pattern: "[email-addr:value = 'nobody@example.net']", malware: 'Operation Fixture' },
      ],
    });
    writeFileSync(iocs, JSON.stringify(bundle));
    result = await check({ target: backup, iocs: [iocs], userIocDir: null, only: ['ios.calls', 'ios.contacts', 'ios.calendar', 'ios.sms'] });
  });

  it('gives one finding per place, at the level of its place, in artifact order', () => {
    expect(result.findings.map((f) => [f.artifact, f.level, f.match?.field, f.match?.observed, f.indicator?.value])).toEqual([
      ['ios.calls', 'critical', 'number', OPERATOR_EMAIL, OPERATOR_EMAIL],
      ['ios.contacts', 'high', 'value', OPERATOR_EMAIL, OPERATOR_EMAIL],
      ['ios.sms', 'high', 'text', `${OPERATOR_DOMAIN}/track?id=9`, OPERATOR_DOMAIN],
      ['ios.calendar', 'critical', 'attendees.email', OPERATOR_EMAIL, OPERATOR_EMAIL],
    ]);
  });

  it('names the evidence row and explains each finding plainly', () => {
    const call = result.findings.find((f) => f.artifact === 'ios.calls')!;
    expect(call.evidence.ref.backup).toMatchObject({ domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' });
    expect(call.evidence.at).toEqual({ table: 'ZCALLRECORD', rowid: 3 });
    expect(call.message).toBe(`Found a known suspicious email address "${OPERATOR_EMAIL}" matching indicators from "Operation Fixture"`);
    expect(call.explanation).toContain('The device exchanged something with it');
    const contact = result.findings.find((f) => f.artifact === 'ios.contacts')!;
    expect(contact.explanation).toContain('a journalist or researcher investigating the operator');
  });

  it('parses every artifact without issues', () => {
    expect(result.coverage.filter((c) => c.state !== 'parsed').map((c) => [c.artifact, c.state])).toEqual([]);
  });
});
