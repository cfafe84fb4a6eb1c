import type { SqliteHandle } from '../../evidence/sqlite.js';
import { defineArtifact, type Observable } from '../artifact.js';
import { at, homeFile, num, readDatabases, type Row } from '../_read.js';
import { rowLocator, text } from './_messaging.js';
import { emailObservable, settleObservables, textObservables } from './_observables.js';

/** One phone number, email or other value of an address-book person (AddressBook.sqlitedb). */
export interface ContactRecord {
  /** ABMultiValue.value: a phone number, email address, URL, …, or the note's text; null for values kept as entries (below). */
  readonly value: string | null;
  readonly first: string | null;
  readonly middle: string | null;
  readonly last: string | null;
  readonly organization: string | null;
  /**
   * What the value is, from ABMultiValue.property (`phone`, `email`, `url`, `social_profile`, …; the number when
   * unknown), or `note` for the card's free-text note (ABPerson.Note).
   */
  readonly property: string | null;
  /**
   * ABMultiValueEntry key → value, for values stored as several parts: a social profile (`service`,
   * `username`, `url`), an instant-messaging account, a postal address. Null when the value has no parts.
   */
  readonly entries: Readonly<Record<string, string>> | null;
}

/** ABPropertyID values of the iOS AddressBook framework (kABPerson…Property). */
const PROPERTIES: Readonly<Record<number, string>> = {
  3: 'phone',
  4: 'email',
  5: 'address',
  12: 'date',
  13: 'instant_message',
  22: 'url',
  23: 'related_name',
  46: 'social_profile',
};

/** `propertyName` overrides ABMultiValue.property for values that are not multi-values (the card's `note`). */
export function decodeContactRow(row: Row, entries: Readonly<Record<string, string>> | null = null, propertyName: string | null = null): ContactRecord {
  const property = num(row.property);
  return {
    value: text(row.value),
    first: text(row.first),
    middle: text(row.middle),
    last: text(row.last),
    organization: text(row.organization),
    property: propertyName ?? (property === null ? null : (PROPERTIES[property] ?? String(property))),
    entries,
  };
}

/**
 * Every value of a card is offered, as a mention (an address book records who the owner may talk to, not a
 * conversation): e-mail addresses, and hosts, links and addresses in URLs, social profiles, instant-messaging
 * accounts and the card's note. MVT checks none of them.
 */
export function contactObservables(r: ContactRecord): Observable[] {
  const out: Observable[] = [];
  const add = (value: string | null, field: string) => {
    const email = emailObservable(value, field, 'mention');
    out.push(...(email.length > 0 ? email : textObservables(value, field, { httpLinks: 'mention' })));
  };
  add(r.value, 'value');
  for (const [key, value] of Object.entries(r.entries ?? {})) add(value, `entries.${key}`);
  return settleObservables(out);
}

/**
 * Entries of every multi-value (social profiles, IM accounts, addresses), read before the values: a
 * connection that is iterating one query cannot run another. Empty when the tables are absent.
 */
function readEntries(db: SqliteHandle): Map<number, Record<string, string>> {
  const byParent = new Map<number, Record<string, string>>();
  if (!db.hasTable('ABMultiValueEntry') || !db.hasTable('ABMultiValueEntryKey')) return byParent;
  const sql = `SELECT e.parent_id AS parent, k.value AS key, e.value AS value FROM ABMultiValueEntry AS e JOIN ABMultiValueEntryKey AS k ON k.ROWID = e.key
    WHERE e.value IS NOT NULL ORDER BY e.parent_id, e.rowid`;
  for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
    const parent = num(row.parent);
    const key = text(row.key);
    const value = text(row.value);
    if (parent === null || key === null || value === null) continue;
    const entries = byParent.get(parent) ?? {};
    entries[key] = value;
    byParent.set(parent, entries);
  }
  return byParent;
}

export default defineArtifact<ContactRecord>({
  id: 'ios.contacts',
  version: 2,
  title: 'Contacts',
  mvt: { module: 'contacts', className: 'Contacts' },
  doc: 'The address book (AddressBook.sqlitedb): names with their phone numbers, email addresses, web pages and social profiles, to put names on the parties of messages and calls; an address or site of a spyware operator stored in a card is reported.',
  inputs: homeFile('Library/AddressBook/AddressBook.sqlitedb'),
  requires: { ABPerson: ['First', 'Middle', 'Last', 'Organization'], ABMultiValue: ['record_id', 'value'] },
  async *parse(ctx) {
    yield* readDatabases(ctx, function* (db, file) {
      const locateValue = rowLocator(db, 'ABMultiValue');
      const locatePerson = rowLocator(db, 'ABPerson');
      const entries = readEntries(db);
      const property = db.columns('ABMultiValue').has('property') ? 'multi.property' : 'NULL';
      const person = 'person.First AS first, person.Middle AS middle, person.Last AS last, person.Organization AS organization, person.ROWID AS __person';
      // One row per value (phone, email, …) of each person, people in address-book order. MVT keeps only
      // values with a `value`; values stored as entries (social profiles, IM, addresses) are kept too, and so
      // is the card's free-text note, as one more value of the card (after the others).
      const withEntries = db.hasTable('ABMultiValueEntry') ? ' OR EXISTS (SELECT 1 FROM ABMultiValueEntry AS e WHERE e.parent_id = multi.rowid)' : '';
      const values = `SELECT multi.rowid AS __rowid, 0 AS __note, multi.value AS value, ${property} AS property, ${person}
        FROM ABPerson AS person JOIN ABMultiValue AS multi ON person.ROWID = multi.record_id
        WHERE multi.value IS NOT NULL${withEntries}`;
      const notes = db.columns('ABPerson').has('Note')
        ? ` UNION ALL SELECT person.ROWID AS __rowid, 1 AS __note, person.Note AS value, NULL AS property, ${person}
            FROM ABPerson AS person WHERE person.Note IS NOT NULL AND person.Note <> ''`
        : '';
      const sql = `${values}${notes} ORDER BY __person, __note, __rowid`;
      for (const row of db.db.prepare(sql).iterate() as Iterable<Row>) {
        const rowid = num(row.__rowid);
        if (num(row.__note) === 1) {
          yield { record: decodeContactRow({ ...row, property: null }, null, 'note'), source: at(file, locatePerson(rowid)) };
        } else {
          yield { record: decodeContactRow(row, rowid === null ? null : (entries.get(rowid) ?? null)), source: at(file, locateValue(rowid)) };
        }
      }
    });
  },
  observables: contactObservables,
});
