import { defineArtifact } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { rowLocator, text } from './_messaging.js';

/** One phone number, email or other value of an address-book person (AddressBook.sqlitedb). */
export interface ContactRecord {
  /** ABMultiValue.value: a phone number, email address, URL, … */
  readonly value: string | null;
  readonly first: string | null;
  readonly middle: string | null;
  readonly last: string | null;
  readonly organization: string | null;
}

export function decodeContactRow(row: Row): ContactRecord {
  return { value: text(row.value), first: text(row.first), middle: text(row.middle), last: text(row.last), organization: text(row.organization) };
}

export default defineArtifact<ContactRecord>({
  id: 'ios.contacts',
  version: 1,
  title: 'Contacts',
  doc: 'The address book (AddressBook.sqlitedb): names with their phone numbers and email addresses, to put names on the parties of messages and calls.',
  inputs: homeFile('Library/AddressBook/AddressBook.sqlitedb'),
  requires: { ABPerson: ['First', 'Middle', 'Last', 'Organization'], ABMultiValue: ['record_id', 'value'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const locate = rowLocator(db, 'ABMultiValue');
      // One row per value (phone, email, …) of each person, people in address-book order.
      const sql = `SELECT multi.rowid AS __rowid, multi.value AS value, person.First AS first, person.Middle AS middle, person.Last AS last, person.Organization AS organization
        FROM ABPerson AS person JOIN ABMultiValue AS multi ON person.ROWID = multi.record_id
        WHERE multi.value IS NOT NULL ORDER BY person.ROWID, multi.rowid`;
      for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
        yield { record: decodeContactRow(row), source: at(file, locate(num(row.__rowid))) };
      }
    });
  },
});
