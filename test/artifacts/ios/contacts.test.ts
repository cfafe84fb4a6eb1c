import { describe, expect, it } from 'vitest';
import contacts, { type ContactRecord } from '../../../src/artifacts/ios/contacts.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';

const ADDRESS_BOOK = { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' };

/** The AddressBook.sqlitedb tables the artifact reads, with iOS's column names. */
const AB_SCHEMA = `
  CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, CreationDate INTEGER, ModificationDate INTEGER);
  CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT);
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
      { value: '+14155550100', first: 'Alice', middle: null, last: 'Example', organization: 'Example Org' },
      { value: 'alice@example.org', first: 'Alice', middle: null, last: 'Example', organization: 'Example Org' },
      { value: '+14155550101', first: 'Bob', middle: 'the', last: 'Builder', organization: null },
    ]);
    expect(items.map((i) => i.source.at)).toEqual([11, 12, 10].map((rowid) => ({ table: 'ABMultiValue', rowid })));
    // MVT produces neither timeline rows nor indicator checks for contacts.
    expect(timeline).toEqual([]);
    expect(observables).toEqual([]);
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
