import { describe, expect, it } from 'vitest';
import whatsappContacts, { decodeWhatsappContactRow, whatsappContactObservables, type WhatsappContactRecord } from '../../../src/artifacts/ios/whatsapp_contacts.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { WHATSAPP_DOMAIN, whatsappBackupFromZip } from '../../fixtures/whatsapp.js';
import { OPERATOR_DOMAIN, operatorHits } from '../../fixtures/operator-indicators.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

describe('ios.whatsapp_contacts on the MVT test backup (MVT test_whatsapp_contacts)', () => {
  it('reads the 2 contacts with their names, identifiers and disappearing-message settings', async () => {
    const { records, items, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(2);
    const [alice, bob] = records as [WhatsappContactRecord, WhatsappContactRecord];
    expect(alice).toMatchObject({
      row_pk: 1,
      full_name: 'Alice Example',
      given_name: 'Alice',
      last_name: 'Example',
      phone_number: '+14155550100',
      localized_phone_number: '(415) 555-0100',
      whatsapp_id: '14155550100@s.whatsapp.net',
      lid: '100000000000001@lid',
      user_name: 'alice.example',
      business_name: null,
      about_text: 'Hey there! I am using WhatsApp.',
      about_emoji: null,
      notes: null,
      disappearing_mode_duration: 86400,
      disappearing_mode_is_on: true,
      disappearing_mode_label: '24 hours',
      phone_status: 1,
      sync_policy: 1,
    });
    expect(alice.disappearing_mode_timestamp?.mvt()).toBe('2025-07-23 21:46:40.000000');
    expect(alice.about_timestamp?.mvt()).toBe('2025-07-12 08:00:00.000000');
    expect(alice.about_expiration_timestamp?.mvt()).toBe('2025-08-16 01:20:00.000000');
    expect(alice.last_updated?.mvt()).toBe('2025-08-04 11:33:20.000000');
    expect(bob).toMatchObject({
      row_pk: 2,
      full_name: 'Bob Example',
      whatsapp_id: '14155550101@s.whatsapp.net',
      lid: null,
      disappearing_mode_duration: null,
      disappearing_mode_is_on: false,
      disappearing_mode_label: 'off',
      disappearing_mode_timestamp: null,
      about_timestamp: null,
    });
    expect(items.map((i) => i.source.at)).toEqual([
      { table: 'ZWAADDRESSBOOKCONTACT', rowid: 1 },
      { table: 'ZWAADDRESSBOOKCONTACT', rowid: 2 },
    ]);
  });

  it('gives MVT\'s 5 timeline rows with its texts', async () => {
    const { timeline, observables } = await parseBackup<WhatsappContactRecord>(whatsappContacts, mvtIosBackup());
    expect(timeline.map((e) => [e.time?.mvt(), e.event, pythonDescription(e.description)])).toEqual([
      ['2025-07-23 21:46:40.000000', 'disappearing_mode_set', "WhatsApp disappearing messages timer set to '24 hours' for 14155550100@s.whatsapp.net (Alice Example)"],
      ['2025-07-12 08:00:00.000000', 'about_changed', 'WhatsApp about text of 14155550100@s.whatsapp.net (Alice Example) changed to "Hey there! I am using WhatsApp."'],
      ['2025-08-16 01:20:00.000000', 'about_expiration', 'WhatsApp about text of 14155550100@s.whatsapp.net (Alice Example) scheduled to expire'],
      ['2025-08-04 11:33:20.000000', 'contact_last_updated', 'WhatsApp contact record for 14155550100@s.whatsapp.net (Alice Example) updated'],
      ['2025-08-04 11:33:20.000000', 'contact_last_updated', 'WhatsApp contact record for 14155550101@s.whatsapp.net (Bob Example) updated'],
    ]);
    expect(observables).toEqual([]);
  });
});

describe('ios.whatsapp_contacts on iLEAPP\'s WhatsApp samples (iOS 15 and 2023 full-file-system extractions)', () => {
  it('reads the 9 contacts of the Josh Hickman iOS 15 image, an older schema without LID or last-updated columns', async () => {
    const backup = whatsappBackupFromZip('testdata.whatsApp.whatsAppContacts.josh_ios15_ffs.zip', ['ContactsV2.sqlite']);
    const { records, timeline, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, backup);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(9);
    expect(records.map((r) => r.full_name)).toEqual([
      'This Is DFIR', "Thom De'Fer", 'Josh Hickman', 'ThisIs DFIRThree', 'This Is DFIR Two', 'Liz', 'Josh Hickman', 'This DFIR', 'Apple Inc.',
    ]);
    expect(records[4]).toMatchObject({
      row_pk: 5,
      full_name: 'This Is DFIR Two',
      given_name: 'This Is',
      phone_number: '(919) 888-7386',
      whatsapp_id: '19198887386@s.whatsapp.net',
      lid: null,
      last_updated: null,
      about_text: 'Hey there! I am using WhatsApp.',
      disappearing_mode_duration: 0,
      disappearing_mode_is_on: false,
      disappearing_mode_label: 'off',
      phone_status: 1,
      sync_policy: null,
    });
    expect(records[4]!.about_timestamp?.mvt()).toBe('2023-05-02 15:54:15.000000');
    expect(records[8]).toMatchObject({ full_name: 'Apple Inc.', given_name: null, phone_number: '1-800-MY-APPLE', whatsapp_id: '11800@s.whatsapp.net' });
    expect(timeline.map((e) => pythonDescription(e.description))).toEqual(['WhatsApp about text of 19198887386@s.whatsapp.net (This Is DFIR Two) changed to "Hey there! I am using WhatsApp."']);
  });

  it('reads the empty address book of the 2023 image as empty, not as an error', async () => {
    const backup = whatsappBackupFromZip('testdata.whatsApp.whatsAppContacts.mvs_ios_2023.zip', ['ContactsV2.sqlite']);
    const { records, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, backup);
    expect(records).toEqual([]);
    expect(coverage.state).toBe('empty');
    expect(coverage.issues).toEqual([]);
  });
});

describe('ios.whatsapp_contacts on bad or absent input', () => {
  it('is missing, without issues, when WhatsApp is not installed (MVT: results [] and no error)', async () => {
    const { records, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, buildBackup([]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.issues).toEqual([]);
  });

  it('fails with a message naming ContactsV2.sqlite when the contact table is missing', async () => {
    const data = sqliteBytes('CREATE TABLE ZWASOMETHINGELSE (Z_PK INTEGER PRIMARY KEY);');
    const { coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, buildBackup([{ domain: WHATSAPP_DOMAIN, relativePath: 'ContactsV2.sqlite', data }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toContain('ContactsV2.sqlite');
    expect(coverage.issues[0]!.message).toContain('no table ZWAADDRESSBOOKCONTACT');
  });

  it('keeps the contacts read before a damaged page of ContactsV2.sqlite, with an issue naming the file', async () => {
    const full = sqliteBytes('CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME VARCHAR, ZNOTES VARCHAR);', (db) => {
      const insert = db.prepare('INSERT INTO ZWAADDRESSBOOKCONTACT (ZFULLNAME, ZNOTES) VALUES (?, ?)');
      db.transaction(() => {
        for (let i = 1; i <= 400; i++) insert.run(`Contact ${i}`, 'x'.repeat(200));
      })();
    });
    // Page 1 (the schema) stays intact; a leaf page in the middle of the table is overwritten.
    const data = Buffer.from(full);
    data.fill(0xa5, 4096 * 12, 4096 * 13);
    const { records, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, buildBackup([{ domain: WHATSAPP_DOMAIN, relativePath: 'ContactsV2.sqlite', data }]));
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThan(400);
    expect(records[0]!.full_name).toBe('Contact 1');
    expect(coverage.state).toBe('partial');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.code).toBe('corrupted');
    expect(coverage.issues[0]!.message).toContain('ContactsV2.sqlite (AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ContactsV2.sqlite');
  });

  it('reports a truncated ContactsV2.sqlite as damaged, naming the file, without crashing', async () => {
    const data = sqliteBytes('CREATE TABLE ZWAADDRESSBOOKCONTACT (Z_PK INTEGER PRIMARY KEY, ZFULLNAME VARCHAR);', (db) => {
      db.exec("INSERT INTO ZWAADDRESSBOOKCONTACT (ZFULLNAME) VALUES ('A')");
    }).subarray(0, 100);
    const { records, coverage } = await parseBackup<WhatsappContactRecord>(whatsappContacts, buildBackup([{ domain: WHATSAPP_DOMAIN, relativePath: 'ContactsV2.sqlite', data }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]!.message).toContain('ContactsV2.sqlite (AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ContactsV2.sqlite');
  });

  it('labels an unlisted timer in seconds, and leaves the disappearing fields null when the column does not exist', () => {
    expect(decodeWhatsappContactRow({ Z_PK: 1, disappearing_mode_duration: 3600 }, true)).toMatchObject({ disappearing_mode_is_on: true, disappearing_mode_label: '3600.0 seconds' });
    expect(decodeWhatsappContactRow({ Z_PK: 1 }, false)).toMatchObject({ disappearing_mode_duration: null, disappearing_mode_is_on: null, disappearing_mode_label: null });
  });
});

describe('ios.whatsapp_contacts observables: hosts in "about" texts and notes (mentions, HIGH)', () => {
  const contact = (about: string | null, notes: string | null = null) => decodeWhatsappContactRow({ Z_PK: 1, whatsapp_id: '14155550100@s.whatsapp.net', about_text: about, notes }, false);

  it("reports the operator's site in a contact's about text", () => {
    expect(operatorHits(whatsappContactObservables(contact(`Support line – ${OPERATOR_DOMAIN}/help`)))).toEqual([
      { field: 'about_text', observed: `${OPERATOR_DOMAIN}/help`, indicator: OPERATOR_DOMAIN, level: 'high' },
    ]);
  });

  it.each([['Hey there! I am using WhatsApp.'], ['Busy, e.g. at work until 5 p.m.'], ['Photos at https://instagram.com/dana'], [null]])('matches nothing in %j', (about) => {
    expect(operatorHits(whatsappContactObservables(contact(about, 'met at the v2.0 launch, see notes.txt')))).toEqual([]);
  });
});
