import { describe, expect, it } from 'vitest';
import contacts, { contactObservables, type ContactRecord } from '../../../src/artifacts/ios/contacts.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { OPERATOR_DOMAIN, OPERATOR_EMAIL, operatorHits } from '../../fixtures/operator-indicators.js';

const ADDRESS_BOOK = { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' };

/** The AddressBook.sqlitedb tables the artifact reads, with iOS's column names. */
const AB_SCHEMA = `
  CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, CreationDate INTEGER, ModificationDate INTEGER);
  CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT);
`;

/** Values kept in parts (social profiles, IM accounts, postal addresses): iOS's entry and entry-key tables. */
const ENTRY_SCHEMA = `
  CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, UNIQUE(parent_id, key));
  CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value));
`;

describe('ios.contacts on the MVT test backup', () => {
  it('reports AddressBook.sqlitedb as listed in Manifest.db but absent', async () => {
    const { records, coverage } = await parseBackup<ContactRecord>(contacts, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('missing');
    expect(coverage.issues.map((i) => i.code)).toEqual(['file-missing']);
    expect(coverage.reason).toContain('HomeDomain/Library/AddressBook/AddressBook.sqlitedb');
  });
});

describe('ios.contacts on a built AddressBook.sqlitedb', () => {
  it('gives one record per non-null value of each person, people in address-book order', async () => {
    const data = sqliteBytes(AB_SCHEMA, (db) => {
      db.exec(`
        INSERT INTO ABPerson (ROWID, First, Last, Middle, Organization) VALUES (1, 'Alice', 'Example', NULL, 'Example Org');
        INSERT INTO ABPerson (ROWID, First, Last, Middle, Organization) VALUES (2, 'Bob', 'Builder', 'the', NULL);
        INSERT INTO ABPerson (ROWID, First, Last) VALUES (3, 'No', 'Values');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (10, 2, 3, '+14155550101');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (11, 1, 3, '+14155550100');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (12, 1, 4, 'alice@example.org');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (13, 1, 5, NULL);
      `);
    });
    const { records, items, timeline, observables, coverage } = await parseBackup<ContactRecord>(contacts, buildBackup([{ ...ADDRESS_BOOK, data }]));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toEqual([
      { value: '+14155550100', first: 'Alice', middle: null, last: 'Example', organization: 'Example Org', property: 'phone', entries: null },
      { value: 'alice@example.org', first: 'Alice', middle: null, last: 'Example', organization: 'Example Org', property: 'email', entries: null },
      { value: '+14155550101', first: 'Bob', middle: 'the', last: 'Builder', organization: null, property: 'phone', entries: null },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([11, 12, 10].map((rowid) => ({ table: 'ABMultiValue', rowid })));
    // MVT produces neither timeline rows nor indicator checks for contacts; we offer the e-mail address as a mention.
    expect(timeline).toEqual([]);
    expect(observables).toEqual([{ kind: 'email', value: 'alice@example.org', field: 'value', role: 'mention' }]);
  });

  it('keeps values stored as entries (social profile, IM account, postal address) with their parts', async () => {
    const data = sqliteBytes(AB_SCHEMA + ENTRY_SCHEMA, (db) => {
      db.exec(`
        INSERT INTO ABPerson (ROWID, First, Last) VALUES (1, 'Dana', 'Reporter');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (20, 1, 46, NULL);
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (21, 1, 13, NULL);
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (22, 1, 5, NULL);
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (23, 1, 12, NULL);
        INSERT INTO ABMultiValueEntryKey (ROWID, value) VALUES (1, 'service'), (2, 'username'), (3, 'url'), (4, 'Street'), (5, 'City');
        INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (20, 1, 'Twitter'), (20, 2, 'dana'), (20, 3, 'http://twitter.com/dana');
        INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (21, 1, 'Jabber'), (21, 2, 'dana@jabber.example.org');
        INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (22, 4, '1 Main St.'), (22, 5, 'St. Louis');
      `);
    });
    const { records, coverage } = await parseBackup<ContactRecord>(contacts, buildBackup([{ ...ADDRESS_BOOK, data }]));
    expect(coverage.issues).toEqual([]);
    // The date (23) has neither a value nor entries: it is not a record, as in MVT.
    expect(records.map((r) => [r.property, r.value, r.entries])).toEqual([
      ['social_profile', null, { service: 'Twitter', username: 'dana', url: 'http://twitter.com/dana' }],
      ['instant_message', null, { service: 'Jabber', username: 'dana@jabber.example.org' }],
      ['address', null, { Street: '1 Main St.', City: 'St. Louis' }],
    ]);
  });

  it("keeps a card's note as one more value, after the others, located at its ABPerson row", async () => {
    const data = sqliteBytes(AB_SCHEMA, (db) => {
      db.exec(`
        INSERT INTO ABPerson (ROWID, First, Last, Note) VALUES (1, 'Source', 'Press', 'Met at the conference; site ${OPERATOR_DOMAIN}/press, e.g. for the story');
        INSERT INTO ABPerson (ROWID, First, Last, Note) VALUES (2, 'Dana', 'Friend', '');
        INSERT INTO ABMultiValue (UID, record_id, property, value) VALUES (30, 1, 3, '+14155550100'), (31, 2, 3, '+14155550101');
      `);
    });
    const { records, items, observables } = await parseBackup<ContactRecord>(contacts, buildBackup([{ ...ADDRESS_BOOK, data }]));
    expect(records.map((r) => [r.first, r.property, r.value])).toEqual([
      ['Source', 'phone', '+14155550100'],
      ['Source', 'note', `Met at the conference; site ${OPERATOR_DOMAIN}/press, e.g. for the story`],
      ['Dana', 'phone', '+14155550101'],
    ]);
    expect(items.map((i) => i.source.at)).toEqual([
      { table: 'ABMultiValue', rowid: 30 },
      { table: 'ABPerson', rowid: 1 },
      { table: 'ABMultiValue', rowid: 31 },
    ]);
    expect(operatorHits(observables)).toEqual([{ field: 'value', observed: `${OPERATOR_DOMAIN}/press`, indicator: OPERATOR_DOMAIN, level: 'high' }]);
  });

  it('fails with a message naming AddressBook.sqlitedb when ABMultiValue is missing', async () => {
    const data = sqliteBytes('CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Last TEXT, Middle TEXT, Organization TEXT);');
    const { coverage } = await parseBackup<ContactRecord>(contacts, buildBackup([{ ...ADDRESS_BOOK, data }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toContain('AddressBook.sqlitedb (HomeDomain/Library/AddressBook/AddressBook.sqlitedb');
    expect(coverage.issues[0]!.message).toContain('no table ABMultiValue');
  });

  it('reports a file that is not a database without crashing', async () => {
    const { coverage } = await parseBackup<ContactRecord>(contacts, buildBackup([{ ...ADDRESS_BOOK, data: Buffer.alloc(0) }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]!.message).toContain('AddressBook.sqlitedb');
  });
});

describe('ios.contacts observables: every value of a card, as a mention (HIGH)', () => {
  const card = (value: string | null, property: string, entries: Record<string, string> | null = null): ContactRecord => ({
    value,
    first: 'Dana',
    middle: null,
    last: 'Reporter',
    organization: null,
    property,
    entries,
  });

  it.each([
    ['an e-mail address', card(OPERATOR_EMAIL.toUpperCase(), 'email'), 'value', OPERATOR_EMAIL.toUpperCase(), OPERATOR_EMAIL],
    ['a home page without a scheme', card(`www.${OPERATOR_DOMAIN}`, 'url'), 'value', `www.${OPERATOR_DOMAIN}`, OPERATOR_DOMAIN],
    ['a home page with a scheme', card(`https://${OPERATOR_DOMAIN}/team`, 'url'), 'value', `https://${OPERATOR_DOMAIN}/team`, OPERATOR_DOMAIN],
    ['a social profile URL', card(null, 'social_profile', { service: 'Mastodon', url: `https://social.${OPERATOR_DOMAIN}/@op` }), 'entries.url', `https://social.${OPERATOR_DOMAIN}/@op`, OPERATOR_DOMAIN],
    ['an IM account', card(null, 'instant_message', { service: 'Jabber', username: OPERATOR_EMAIL }), 'entries.username', OPERATOR_EMAIL, OPERATOR_EMAIL],
  ])('matches the operator in %s', (_what, record, field, observed, indicator) => {
    expect(operatorHits(contactObservables(record))).toEqual([{ field, observed, indicator, level: 'high' }]);
  });

  it.each([
    ['a phone number', card('+1 (415) 555-0100', 'phone')],
    ['an ordinary e-mail address', card('dana@example.org', 'email')],
    ['an ordinary social profile', card(null, 'social_profile', { service: 'Twitter', username: 'dana', url: 'http://twitter.com/dana' })],
    ['ordinary web pages', card('apple.com', 'url')],
    ['a postal address with dotted words', card(null, 'address', { Street: '1 Main St.', City: 'St. Louis', Note: 'Apt. 4, e.g. ring twice' })],
    ['a look-alike domain', card('notevil-domain.com', 'url')],
    ['a domain that only contains the indicator', card('evil-domain.com.attacker.net', 'url')],
  ])('matches nothing in %s', (_what, record) => {
    expect(operatorHits(contactObservables(record))).toEqual([]);
  });

  it('gives no observable for phone numbers and postal addresses', () => {
    expect(contactObservables(card('+1 (415) 555-0100', 'phone'))).toEqual([]);
    expect(contactObservables(card(null, 'address', { Street: '1 Main St.', City: 'St. Louis' }))).toEqual([]);
  });
});
