/**
 * The people side of a synthetic phone, all drawn from one address book so that the same person is the same
 * number or e-mail address everywhere: AddressBook.sqlitedb, CallHistory.storedata (phone, FaceTime by number
 * and by e-mail, VoIP apps), Calendar.sqlitedb (events, invitations with an organiser and attendees) and
 * CoreDuet's interactionC.db (messages, mail and calls with `tel:`/`mailto:` identifiers). Schemas follow the
 * real iOS 14–17 files (the MVT test backup's Calendar.sqlitedb for CalendarItem and Participant; CoreData
 * layouts for the others).
 *
 * Person `i` (1-based) has the phone number sms.db's handle `i` has (`contactAddress`), so messages, calls and
 * contacts agree. Addresses use the big mail providers under names no indicator feed lists.
 */
import { buildBinary } from 'plist';
import { EVENT_TITLES, EVERYDAY_TEXTS, FIRST_NAMES_FULL, LAST_NAMES, MAIL_PROVIDERS, MEETING_LINKS, PROFILE_LINKS } from './_vocabulary.js';
import { batched, inTransaction, openNew, toCocoaFromUnix, unixIn } from './_rows.js';
import { contactAddress, defaultPeriod, type Period } from './ios-content.js';
import type { Random } from './random.js';


// ---------------------------------------------------------------------------------------------------------
// People

export interface Person {
  readonly index: number;
  readonly first: string;
  readonly last: string;
  readonly organization: string | null;
  /** E.164 numbers; the first is the one sms.db knows. */
  readonly phones: readonly string[];
  readonly emails: readonly string[];
  /** Home pages and profiles, some written without a scheme, as people type them. */
  readonly urls: readonly string[];
}

/** The phone owner, as other people's invitations and mail address them. */
export const OWNER = { name: 'Sam Owner', email: 'owner@icloud.com', phone: '+15550000100' } as const;

/** A number of the same shape as `contactAddress` gives, for person `i` (never an e-mail address). */
function phoneOf(i: number): string {
  return `+1555${String(1_000_000 + ((i * 7919) % 8_000_000)).padStart(7, '0')}`;
}

/**
 * Person `i`, drawn from `rng` but with the sms.db address of handle `i` as their first phone number or, for
 * the handles that are iCloud addresses, as their first e-mail address.
 */
export function personOf(i: number, rng: Random): Person {
  const first = rng.pick(FIRST_NAMES_FULL);
  const last = rng.pick(LAST_NAMES);
  const smsAddress = contactAddress(i);
  const phones = smsAddress.startsWith('+') ? [smsAddress] : [phoneOf(i)];
  if (rng.chance(0.2)) phones.push(phoneOf(i + 500_000));
  const emails: string[] = smsAddress.includes('@') ? [smsAddress] : [];
  if (rng.chance(0.45)) emails.push(`${first.toLowerCase()}.${last.toLowerCase().replace(/[^a-z]/g, '')}${i % 97}@${rng.pick(MAIL_PROVIDERS)}`);
  const urls = rng.chance(0.08) ? [rng.pick(PROFILE_LINKS).replace('{name}', `${first}${last}`.toLowerCase().replace(/[^a-z]/g, ''))] : [];
  const organization = rng.chance(0.25) ? rng.pick(['Acme Logistics', 'City Hospital', 'Riverside School', 'Northwind Traders', 'Studio Nine', 'Greenfield Dental']) : null;
  return { index: i, first, last, organization, phones, emails, urls };
}

/** `count` people, the same for the same seed whatever else is generated. */
export function addressBook(rng: Random, count: number): Person[] {
  return Array.from({ length: Math.max(0, Math.floor(count)) }, (_, k) => personOf(k + 1, rng));
}

/** A person's e-mail address, if any: the first one. */
function emailOf(p: Person): string | null {
  return p.emails[0] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// AddressBook.sqlitedb

export interface AddressBookStats {
  readonly people: number;
  /** ABMultiValue rows: phones, e-mails, URLs and postal addresses (the records ios.contacts reads). */
  readonly values: number;
  readonly phones: number;
  readonly emails: number;
  readonly urls: number;
  /** Postal addresses: no value of their own, their parts in ABMultiValueEntry. */
  readonly addresses: number;
}

/** The AddressBook tables and columns of iOS 14–17 that matter here (the real ABPerson has a few more). */
export const ADDRESS_BOOK_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT, LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT, JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER, ModificationDate INTEGER, CompositeNameFallback TEXT, ExternalIdentifier TEXT, ExternalModificationTag TEXT, ExternalUUID TEXT, StoreID INTEGER, DisplayName TEXT, ExternalRepresentation BLOB, FirstSortSection TEXT, LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647, LastSortLanguageIndex INTEGER DEFAULT 2147483647, PersonLink INTEGER DEFAULT -1, ImageURI TEXT, IsPreferredName INTEGER DEFAULT 1, guid TEXT, PhonemeData TEXT, AlternateBirthday TEXT, MapsData TEXT, FirstPronunciation TEXT, MiddlePronunciation TEXT, LastPronunciation TEXT, OrganizationPhonetic TEXT, OrganizationPronunciation TEXT, PreviousFamilyName TEXT, PreferredLikenessSource TEXT, PreferredPersonaIdentifier TEXT, UNIQUE(guid));
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT, UNIQUE(guid));
CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, UNIQUE(parent_id, key));
CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value));
CREATE TABLE ABGroup (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, ExternalIdentifier TEXT, StoreID INTEGER, guid TEXT);
CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, ExternalIdentifier TEXT, Type INTEGER, ConstraintsPath TEXT, AccountIdentifier TEXT, Enabled INTEGER DEFAULT 1, guid TEXT);
CREATE INDEX ABMultiValueRecordIDIndex ON ABMultiValue(record_id);
CREATE INDEX ABPersonSortLastFirst ON ABPerson(LastSort, FirstSort);
`;

/** ABMultiValue.property: kABPersonPhoneProperty, kABPersonEmailProperty, kABPersonAddressProperty, kABPersonURLProperty. */
const PROPERTY = { phone: 3, email: 4, address: 5, url: 22 } as const;
const LABELS = ['_$!<Mobile>!$_', 'iPhone', '_$!<Home>!$_', '_$!<Work>!$_', '_$!<HomePage>!$_', '_$!<Other>!$_'] as const;
const ENTRY_KEYS = ['Street', 'City', 'ZIP', 'Country', 'CountryCode'] as const;

export function writeAddressBook(path: string, rng: Random, people: readonly Person[], period: Period = defaultPeriod): AddressBookStats {
  const db = openNew(path);
  try {
    db.exec(ADDRESS_BOOK_SCHEMA);
    db.prepare("INSERT INTO _SqliteDatabaseProperties (key, value) VALUES ('__ABPersonSortSections', '1')").run();
    db.prepare("INSERT INTO ABStore (Name, Type, AccountIdentifier, guid) VALUES ('iCloud', 2, ?, ?)").run(OWNER.email, rng.uuid());
    const insLabel = db.prepare('INSERT INTO ABMultiValueLabel (value) VALUES (?)');
    for (const label of LABELS) insLabel.run(label);
    const insKey = db.prepare('INSERT INTO ABMultiValueEntryKey (value) VALUES (?)');
    for (const key of ENTRY_KEYS) insKey.run(key);
    const label = (l: (typeof LABELS)[number]): number => LABELS.indexOf(l) + 1;

    const insPerson = db.prepare(
      `INSERT INTO ABPerson (First, Last, Organization, Kind, FirstSort, LastSort, CreationDate, ModificationDate, ExternalIdentifier, StoreID, FirstSortSection, LastSortSection, guid)
       VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    );
    const insValue = db.prepare('INSERT INTO ABMultiValue (record_id, property, identifier, label, value, guid) VALUES (?, ?, ?, ?, ?, ?)');
    const insEntry = db.prepare('INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (?, ?, ?)');
    let phones = 0;
    let emails = 0;
    let urls = 0;
    let addresses = 0;
    batched(db, people.length, (k) => {
      const p = people[k]!;
      const created = Math.floor(toCocoaFromUnix(unixIn(period, rng.next() * 0.2)));
      const id = Number(
        insPerson.run(p.first, p.last, p.organization, `${p.first} ${p.last}`, `${p.last} ${p.first}`, created, created + rng.int(0, 5_000_000), `${rng.uuid()}:ABPerson`, p.first[0], p.last[0], rng.uuid())
          .lastInsertRowid,
      );
      let identifier = 0;
      p.phones.forEach((phone, j) => {
        insValue.run(id, PROPERTY.phone, identifier++, label(j === 0 ? 'iPhone' : '_$!<Mobile>!$_'), phone, rng.uuid());
        phones++;
      });
      p.emails.forEach((email, j) => {
        insValue.run(id, PROPERTY.email, identifier++, label(j === 0 ? '_$!<Home>!$_' : '_$!<Work>!$_'), email, rng.uuid());
        emails++;
      });
      for (const url of p.urls) {
        insValue.run(id, PROPERTY.url, identifier++, label('_$!<HomePage>!$_'), url, rng.uuid());
        urls++;
      }
      if (rng.chance(0.15)) {
        // A postal address: no value of its own, its parts in ABMultiValueEntry.
        addresses++;
        const parent = Number(insValue.run(id, PROPERTY.address, identifier++, label('_$!<Home>!$_'), null, rng.uuid()).lastInsertRowid);
        const parts = [`${rng.int(1, 999)} ${rng.pick(['Oak', 'Maple', 'Market', 'Hill', 'Lake'])} St.`, rng.pick(['Springfield', 'Riverton', 'Fairview']), String(rng.int(10_000, 99_999)), 'United States', 'us'];
        parts.forEach((v, j) => insEntry.run(parent, j + 1, v));
      }
    });
    return { people: people.length, values: phones + emails + urls + addresses, phones, emails, urls, addresses };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// CallHistory.storedata

export interface CallHistoryStats {
  readonly calls: number;
  readonly faceTimeByEmail: number;
}

/** CallHistory.storedata (CoreData) as iOS 14–17 write it; ZADDRESS is stored as a UTF-8 blob. */
export const CALL_HISTORY_SCHEMA = `
CREATE TABLE ZCALLDBPROPERTIES ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKEY VARCHAR, ZVALUE BLOB );
CREATE TABLE ZCALLRECORD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER, ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER, ZJUNKCONFIDENCE INTEGER, ZJUNKIDENTIFICATIONCATEGORY INTEGER, ZVERIFICATIONSTATUS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR, ZLOCALPARTICIPANTUUID BLOB, ZPARTICIPANTGROUPUUID BLOB );
CREATE TABLE ZHANDLE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTYPE INTEGER, ZNORMALIZEDVALUE VARCHAR, ZVALUE VARCHAR );
CREATE TABLE Z_2REMOTEPARTICIPANTHANDLES ( Z_2REMOTEPARTICIPANTCALLS INTEGER, Z_4REMOTEPARTICIPANTHANDLES INTEGER, PRIMARY KEY (Z_2REMOTEPARTICIPANTCALLS, Z_4REMOTEPARTICIPANTHANDLES) );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZCALLRECORD_ZDATE_INDEX ON ZCALLRECORD (ZDATE);
`;

/** ZCALLTYPE: a carrier call, a FaceTime video call, a FaceTime audio call, a third-party app's call (CallKit). */
const CALL_TYPE = { phone: 1, faceTimeVideo: 8, faceTimeAudio: 16, app: 1 } as const;
/** ZHANDLE_TYPE / ZHANDLE.ZTYPE: generic (app user ids), phone number, e-mail address. */
const HANDLE_TYPE = { generic: 1, phone: 2, email: 3 } as const;
const CALL_RECORD_ENT = 2;
const HANDLE_ENT = 4;

export function writeCallHistory(path: string, rng: Random, people: readonly Person[], options: { calls: number; period?: Period }): CallHistoryStats {
  const period = options.period ?? defaultPeriod;
  const n = people.length === 0 ? 0 : Math.max(0, Math.floor(options.calls));
  const db = openNew(path);
  try {
    db.exec(CALL_HISTORY_SCHEMA);
    const insCall = db.prepare(
      `INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALL_CATEGORY, ZCALLTYPE, ZDISCONNECTED_CAUSE, ZFACE_TIME_DATA, ZHANDLE_TYPE, ZNUMBER_AVAILABILITY, ZORIGINATED, ZREAD,
         ZJUNKCONFIDENCE, ZJUNKIDENTIFICATIONCATEGORY, ZVERIFICATIONSTATUS, ZDATE, ZDURATION, ZADDRESS, ZDEVICE_ID, ZISO_COUNTRY_CODE, ZLOCATION, ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID)
       VALUES (?, ?, 1, ?, ?, ?, 0, NULL, ?, 0, ?, 1, 0, 0, 0, ?, ?, ?, NULL, ?, ?, NULL, ?, ?)`,
    );
    const insHandle = db.prepare('INSERT INTO ZHANDLE (Z_PK, Z_ENT, Z_OPT, ZTYPE, ZNORMALIZEDVALUE, ZVALUE) VALUES (?, ?, 1, ?, ?, ?)');
    const insLink = db.prepare('INSERT INTO Z_2REMOTEPARTICIPANTHANDLES (Z_2REMOTEPARTICIPANTCALLS, Z_4REMOTEPARTICIPANTHANDLES) VALUES (?, ?)');
    const handles = new Map<string, number>();
    const handleOf = (type: number, value: string): number => {
      let pk = handles.get(value);
      if (pk === undefined) {
        pk = handles.size + 1;
        handles.set(value, pk);
        insHandle.run(pk, HANDLE_ENT, type, value.toLowerCase(), value);
      }
      return pk;
    };
    let faceTimeByEmail = 0;
    batched(db, n, (i) => {
      // A few people get most calls, as with messages.
      const person = people[Math.min(people.length - 1, Math.floor(rng.next() ** 2.5 * people.length))]!;
      const at = unixIn(period, (i + 0.1 + 0.8 * rng.next()) / Math.max(1, n));
      const r = rng.next();
      const email = emailOf(person);
      let kind: { type: number; provider: string; handleType: number; address: string };
      if (r < 0.08 && email) {
        kind = { type: rng.chance(0.5) ? CALL_TYPE.faceTimeVideo : CALL_TYPE.faceTimeAudio, provider: 'com.apple.FaceTime', handleType: HANDLE_TYPE.email, address: email };
        faceTimeByEmail++;
      } else if (r < 0.2) {
        kind = { type: rng.chance(0.5) ? CALL_TYPE.faceTimeVideo : CALL_TYPE.faceTimeAudio, provider: 'com.apple.FaceTime', handleType: HANDLE_TYPE.phone, address: person.phones[0]! };
      } else if (r < 0.3) {
        // WhatsApp calls through CallKit: the other party as WhatsApp names them.
        kind = { type: CALL_TYPE.app, provider: 'net.whatsapp.WhatsApp', handleType: HANDLE_TYPE.generic, address: `${person.phones[0]!.slice(1)}@s.whatsapp.net` };
      } else {
        kind = { type: CALL_TYPE.phone, provider: 'com.apple.Telephony', handleType: HANDLE_TYPE.phone, address: rng.pick(person.phones) };
      }
      const answered = rng.chance(0.8);
      const originated = rng.chance(0.45);
      const duration = answered ? Math.round(rng.next() ** 2 * 1_800 * 1000) / 1000 : 0;
      const pk = i + 1;
      insCall.run(
        pk, CALL_RECORD_ENT, answered ? 1 : 0, 1, kind.type, kind.handleType, originated ? 1 : 0, toCocoaFromUnix(at), duration, Buffer.from(kind.address, 'utf8'),
        kind.handleType === HANDLE_TYPE.phone ? 'us' : null, kind.handleType === HANDLE_TYPE.phone ? rng.pick(['California', 'New York', 'Texas', 'Unknown']) : null, kind.provider, rng.uuid(),
      );
      insLink.run(pk, handleOf(kind.handleType, kind.address));
    });
    inTransaction(db, () => {
      const insKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, 0, ?)');
      insKey.run(1, 'CallDBProperties', 0);
      insKey.run(CALL_RECORD_ENT, 'CallRecord', n);
      insKey.run(3, 'Emergency', 0);
      insKey.run(HANDLE_ENT, 'Handle', handles.size);
      db.prepare('INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?, ?)').run(rng.uuid(), coreDataMetadata());
    });
    return { calls: n, faceTimeByEmail };
  } finally {
    db.close();
  }
}

function coreDataMetadata(): Buffer {
  return Buffer.from(buildBinary({ NSPersistenceFrameworkVersion: 1344, NSStoreType: 'SQLite', NSStoreModelVersionIdentifiers: [''] }));
}

// ---------------------------------------------------------------------------------------------------------
// Calendar.sqlitedb

export interface CalendarStats {
  readonly events: number;
  /** Events with an organiser and attendees (invitations). */
  readonly invitations: number;
  /** Participant rows: organisers and attendees. */
  readonly participants: number;
  readonly attendees: number;
}

/** CalendarItem and Participant exactly as the MVT test backup's Calendar.sqlitedb (iOS 14+), plus the tables they point to. */
export const CALENDAR_SCHEMA = `
CREATE TABLE Store (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, default_alarm_offset INTEGER, type INTEGER, constraint_path TEXT, disabled INTEGER, external_id TEXT, persistent_id TEXT, flags INTEGER, display_order INTEGER);
CREATE TABLE Calendar (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, store_id INTEGER, title TEXT, flags INTEGER, color TEXT, type TEXT, supported_entity_types INTEGER, external_id TEXT, UUID TEXT, display_order INTEGER, self_identity_email TEXT);
CREATE TABLE Identity (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, display_name TEXT, address TEXT, first_name TEXT, last_name TEXT, UNIQUE(display_name, address, first_name, last_name));
CREATE TABLE Location (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, address TEXT, latitude REAL, longitude REAL, item_owner_id INTEGER);
CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, location_id INTEGER, client_location_id INTEGER, description TEXT, start_date REAL, start_tz TEXT, end_date REAL, end_tz TEXT, all_day INTEGER, calendar_id INTEGER, orig_item_id INTEGER, orig_date REAL, organizer_id INTEGER, self_attendee_id INTEGER, status INTEGER, invitation_status INTEGER, availability INTEGER, privacy_level INTEGER, url TEXT, last_modified REAL, sequence_num INTEGER, birthday_id INTEGER, modified_properties INTEGER, external_tracking_status INTEGER, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT, external_schedule_id TEXT, external_rep BLOB, response_comment TEXT, last_synced_response_comment TEXT, hidden INTEGER, has_recurrences INTEGER, has_attendees INTEGER, UUID TEXT, entity_type INTEGER, priority INTEGER, due_date REAL, due_tz TEXT, due_all_day INTEGER, completion_date REAL, creation_date REAL, action TEXT, app_link BLOB, display_order INTEGER, created_by_id INTEGER, modified_by_id INTEGER, shared_item_created_date REAL, shared_item_created_tz TEXT, shared_item_modified_date REAL, shared_item_modified_tz TEXT, invitation_changed_properties INTEGER, default_alarm_removed INTEGER, phantom_master INTEGER, participation_status_modified_date REAL, calendar_scale TEXT, travel_time INTEGER, travel_advisory_behavior INTEGER, start_location_id INTEGER, end_location_id INTEGER, suggested_event_info_id INTEGER, first_alert_date REAL, proposed_start_date REAL, can_forward INTEGER, location_prediction_state INTEGER, fired_ttl INTEGER, disallow_propose_new_time INTEGER, structured_data BLOB, local_structured_data BLOB, junk_status INTEGER, conference_url TEXT, contact_identifier TEXT, recurrence_set TEXT, flags INTEGER, contact_name TEXT);
CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, entity_type INTEGER, type INTEGER, status INTEGER, pending_status INTEGER, role INTEGER, identity_id INTEGER, owner_id INTEGER, external_rep BLOB, UUID TEXT, email TEXT, phone_number TEXT, is_self INTEGER, comment TEXT, schedule_agent INTEGER, flags INTEGER, last_modified REAL, proposed_start_date REAL, invited_by TEXT, proposed_start_date_status INTEGER, comment_last_modified REAL);
CREATE INDEX CalendarItem_start_date ON CalendarItem(start_date);
CREATE INDEX Participant_owner_id ON Participant(owner_id);
`;

/** Participant.entity_type: an attendee, the organiser. CalendarItem.entity_type 2 = event. */
const ATTENDEE = 7;
const ORGANIZER = 8;
const EVENT = 2;
/** Participant.status: mostly accepted (2), some declined (3), tentative (4) or still pending (1). */
const STATUSES = [2, 2, 2, 3, 4, 1] as const;

export function writeCalendar(path: string, rng: Random, people: readonly Person[], options: { events: number; period?: Period }): CalendarStats {
  const period = options.period ?? defaultPeriod;
  const n = Math.max(0, Math.floor(options.events));
  const withEmail = people.filter((p) => emailOf(p) !== null);
  const db = openNew(path);
  try {
    db.exec(CALENDAR_SCHEMA);
    inTransaction(db, () => {
      db.prepare("INSERT INTO Store (name, type, disabled, persistent_id, display_order) VALUES ('iCloud', 2, 0, ?, 1)").run(rng.uuid());
      const insCalendar = db.prepare('INSERT INTO Calendar (store_id, title, flags, color, type, supported_entity_types, UUID, display_order, self_identity_email) VALUES (1, ?, 0, ?, ?, 4, ?, ?, ?)');
      insCalendar.run('Home', '#34AADC', 'caldav', rng.uuid(), 1, OWNER.email);
      insCalendar.run('Work', '#FF9500', 'caldav', rng.uuid(), 2, OWNER.email);
      insCalendar.run('Family', '#4CD964', 'caldav', rng.uuid(), 3, OWNER.email);
    });
    const insIdentity = db.prepare('INSERT OR IGNORE INTO Identity (display_name, address, first_name, last_name) VALUES (?, ?, ?, ?)');
    const identityId = db.prepare('SELECT ROWID FROM Identity WHERE display_name = ? AND address = ?').pluck();
    const identityOf = (name: string, email: string): number => {
      const [first, ...rest] = name.split(' ');
      insIdentity.run(name, `mailto:${email}`, first ?? null, rest.join(' ') || null);
      return identityId.get(name, `mailto:${email}`) as number;
    };
    const insItem = db.prepare(
      `INSERT INTO CalendarItem (summary, location_id, description, start_date, start_tz, end_date, end_tz, all_day, calendar_id, organizer_id, self_attendee_id, status, invitation_status,
         availability, privacy_level, url, last_modified, sequence_num, external_id, external_mod_tag, unique_identifier, hidden, has_recurrences, has_attendees, UUID, entity_type,
         creation_date, action, created_by_id, conference_url, junk_status, flags)
       VALUES (?, NULL, ?, ?, 'America/New_York', ?, 'America/New_York', ?, ?, ?, ?, 0, ?, 0, 0, ?, ?, 0, ?, ?, ?, 0, 0, ?, ?, ${EVENT}, ?, '', 0, ?, 0, 0)`,
    );
    const insParticipant = db.prepare(
      `INSERT INTO Participant (entity_type, type, status, pending_status, role, identity_id, owner_id, UUID, email, phone_number, is_self, comment, schedule_agent, flags, last_modified)
       VALUES (?, 1, ?, 0, ?, ?, ?, ?, ?, NULL, ?, NULL, 0, 0, ?)`,
    );
    const setParties = db.prepare('UPDATE CalendarItem SET organizer_id = ?, self_attendee_id = ? WHERE ROWID = ?');
    let invitations = 0;
    let participants = 0;
    let attendees = 0;
    batched(db, n, (i) => {
      const start = Math.floor(unixIn(period, (i + 0.1 + 0.8 * rng.next()) / Math.max(1, n)) / 900) * 900; // on a quarter hour
      const allDay = rng.chance(0.08);
      const end = allDay ? start + 86_400 : start + rng.pick([1_800, 3_600, 3_600, 5_400, 7_200]);
      const invited = withEmail.length > 0 && rng.chance(0.35);
      const title = rng.pick(EVENT_TITLES);
      const description = rng.chance(0.3) ? rng.pick(EVERYDAY_TEXTS) : null;
      const meeting = invited && rng.chance(0.5) ? meetingLink(rng) : null;
      const created = start - rng.int(3_600, 30 * 86_400);
      const uid = rng.uuid();
      const item = Number(
        insItem.run(
          title, description, toCocoaFromUnix(start), toCocoaFromUnix(end), allDay ? 1 : 0, invited ? 2 : rng.pick([1, 1, 3]), 0, 0, invited ? 1 : 0, meeting ?? '',
          toCocoaFromUnix(created + rng.int(0, 3_600)), `${uid}.ics`, `"${rng.hex(16)}"`, uid, invited ? 1 : 0, rng.uuid(), toCocoaFromUnix(created), meeting,
        ).lastInsertRowid,
      );
      if (!invited) return;
      invitations++;
      // The organiser is a contact (an invitation received) or the owner (one sent); then 1–6 attendees.
      const ownerOrganises = rng.chance(0.3);
      const organiser = ownerOrganises ? null : rng.pick(withEmail);
      const modified = toCocoaFromUnix(created);
      const addParticipant = (entityType: number, name: string, email: string, self: boolean, status: number): number => {
        participants++;
        return Number(insParticipant.run(entityType, status, entityType === ORGANIZER ? 3 : 1, identityOf(name, email), item, rng.uuid(), email, self ? 1 : 0, modified).lastInsertRowid);
      };
      const organizerId = organiser
        ? addParticipant(ORGANIZER, `${organiser.first} ${organiser.last}`, emailOf(organiser)!, false, 1)
        : addParticipant(ORGANIZER, OWNER.name, OWNER.email, true, 1);
      const guests = new Set<Person>();
      const count = rng.int(1, Math.min(6, withEmail.length));
      while (guests.size < count) guests.add(rng.pick(withEmail));
      if (organiser) guests.delete(organiser);
      for (const g of guests) {
        addParticipant(ATTENDEE, `${g.first} ${g.last}`, emailOf(g)!, false, rng.pick(STATUSES));
        attendees++;
      }
      // The owner is an attendee of invitations received.
      const selfId = organiser ? addParticipant(ATTENDEE, OWNER.name, OWNER.email, true, rng.pick(STATUSES)) : organizerId;
      if (organiser) attendees++;
      setParties.run(organizerId, selfId, item);
    });
    return { events: n, invitations, participants, attendees };
  } finally {
    db.close();
  }
}

function meetingLink(rng: Random): string {
  return rng
    .pick(MEETING_LINKS)
    .replace('{digits}', String(rng.int(81_000_000_000, 89_999_999_999)))
    .replace('{code}', `${rng.hex(3)}-${rng.hex(4)}-${rng.hex(3)}`.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!));
}

// ---------------------------------------------------------------------------------------------------------
// interactionC.db

export interface InteractionStats {
  readonly interactions: number;
  readonly contacts: number;
  /** Rows ios.interaction_c yields: one per interaction and recipient (and attachment). */
  readonly rows: number;
}

/** CoreDuet's store, with the entity numbering of iOS 14–17 (ATTACHMENT 1, CONTACTS 2, INTERACTIONS 3). */
export const INTERACTION_SCHEMA = `
CREATE TABLE ZATTACHMENT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSIZEINBYTES INTEGER, ZCREATIONDATE TIMESTAMP, ZCLOUDIDENTIFIER VARCHAR, ZCONTENTTEXT VARCHAR, ZCONTENTURL VARCHAR, ZPHOTOLOCALIDENTIFIER VARCHAR, ZUTI VARCHAR, ZIDENTIFIER BLOB );
CREATE TABLE ZCONTACTS ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZINCOMINGRECIPIENTCOUNT INTEGER, ZINCOMINGSENDERCOUNT INTEGER, ZOUTGOINGRECIPIENTCOUNT INTEGER, ZTYPE INTEGER, ZCREATIONDATE TIMESTAMP, ZFIRSTINCOMINGRECIPIENTDATE TIMESTAMP, ZFIRSTINCOMINGSENDERDATE TIMESTAMP, ZFIRSTOUTGOINGRECIPIENTDATE TIMESTAMP, ZLASTINCOMINGRECIPIENTDATE TIMESTAMP, ZLASTINCOMINGSENDERDATE TIMESTAMP, ZLASTOUTGOINGRECIPIENTDATE TIMESTAMP, ZCUSTOMIDENTIFIER VARCHAR, ZDISPLAYNAME VARCHAR, ZIDENTIFIER VARCHAR, ZPERSONID VARCHAR, ZPERSONIDTYPE INTEGER );
CREATE TABLE ZINTERACTIONS ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDIRECTION INTEGER, ZISRESPONSE INTEGER, ZMECHANISM INTEGER, ZRECIPIENTCOUNT INTEGER, ZSENDER INTEGER, ZCREATIONDATE TIMESTAMP, ZENDDATE TIMESTAMP, ZSTARTDATE TIMESTAMP, ZACCOUNT VARCHAR, ZBUNDLEID VARCHAR, ZCONTENTURL VARCHAR, ZDERIVEDINTENTIDENTIFIER VARCHAR, ZDOMAINIDENTIFIER VARCHAR, ZGROUPNAME VARCHAR, ZLOCATIONUUID VARCHAR, ZTARGETBUNDLEID VARCHAR, ZUUID VARCHAR );
CREATE TABLE Z_1INTERACTIONS ( Z_1ATTACHMENTS INTEGER, Z_3INTERACTIONS INTEGER, PRIMARY KEY (Z_1ATTACHMENTS, Z_3INTERACTIONS) );
CREATE TABLE Z_2INTERACTIONRECIPIENT ( Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER, PRIMARY KEY (Z_2RECIPIENTS, Z_3INTERACTIONRECIPIENT) );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZINTERACTIONS_ZSENDER_INDEX ON ZINTERACTIONS (ZSENDER);
CREATE INDEX ZINTERACTIONS_ZSTARTDATE_INDEX ON ZINTERACTIONS (ZSTARTDATE);
`;

/** ZMECHANISM: 0 calls, 1 FaceTime, 4 messages, 13 mail (as CoreDuet records them on iOS 15). */
interface Channel {
  readonly bundle: string;
  readonly mechanism: number;
  /** How CoreDuet names the other party on this channel, or null when the person has no such address. */
  readonly identifier: (p: Person) => string | null;
  readonly account: string | null;
}

const CHANNELS: readonly (readonly [number, Channel])[] = [
  [0.45, { bundle: 'com.apple.MobileSMS', mechanism: 4, identifier: (p) => p.phones[0] ?? null, account: `E:${OWNER.email}` }],
  [0.15, { bundle: 'com.apple.mobilemail', mechanism: 13, identifier: (p) => (emailOf(p) ? `mailto:${emailOf(p)!}` : null), account: OWNER.email }],
  [0.2, { bundle: 'com.apple.InCallService', mechanism: 0, identifier: (p) => (p.phones[0] ? `tel:${p.phones[0]}` : null), account: null }],
  [0.2, { bundle: 'net.whatsapp.WhatsApp', mechanism: 4, identifier: (p) => (p.phones[0] ? `${p.phones[0].slice(1)}@s.whatsapp.net` : null), account: null }],
];

export function writeInteractionC(path: string, rng: Random, people: readonly Person[], options: { interactions: number; period?: Period }): InteractionStats {
  const period = options.period ?? defaultPeriod;
  const n = people.length === 0 ? 0 : Math.max(0, Math.floor(options.interactions));
  const db = openNew(path);
  try {
    db.exec(INTERACTION_SCHEMA);
    const insContact = db.prepare(
      `INSERT INTO ZCONTACTS (Z_PK, Z_ENT, Z_OPT, ZINCOMINGRECIPIENTCOUNT, ZINCOMINGSENDERCOUNT, ZOUTGOINGRECIPIENTCOUNT, ZTYPE, ZCREATIONDATE, ZDISPLAYNAME, ZIDENTIFIER, ZPERSONID, ZPERSONIDTYPE)
       VALUES (?, 2, 1, 0, 0, 0, ?, ?, ?, ?, ?, 3)`,
    );
    const insInteraction = db.prepare(
      `INSERT INTO ZINTERACTIONS (Z_PK, Z_ENT, Z_OPT, ZDIRECTION, ZISRESPONSE, ZMECHANISM, ZRECIPIENTCOUNT, ZSENDER, ZCREATIONDATE, ZENDDATE, ZSTARTDATE, ZACCOUNT, ZBUNDLEID,
         ZDERIVEDINTENTIDENTIFIER, ZDOMAINIDENTIFIER, ZGROUPNAME, ZTARGETBUNDLEID, ZUUID)
       VALUES (?, 3, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
    );
    const insRecipient = db.prepare('INSERT INTO Z_2INTERACTIONRECIPIENT (Z_2RECIPIENTS, Z_3INTERACTIONRECIPIENT) VALUES (?, ?)');
    const insAttachment = db.prepare('INSERT INTO ZATTACHMENT (Z_PK, Z_ENT, Z_OPT, ZSIZEINBYTES, ZCREATIONDATE, ZUTI, ZIDENTIFIER) VALUES (?, 1, 1, ?, ?, ?, ?)');
    const insLink = db.prepare('INSERT INTO Z_1INTERACTIONS (Z_1ATTACHMENTS, Z_3INTERACTIONS) VALUES (?, ?)');
    const contacts = new Map<string, number>();
    const contactOf = (p: Person, identifier: string, at: number): number => {
      let pk = contacts.get(identifier);
      if (pk === undefined) {
        pk = contacts.size + 1;
        contacts.set(identifier, pk);
        insContact.run(pk, identifier.startsWith('mailto:') || identifier.includes('@') ? 1 : 2, toCocoaFromUnix(at), `${p.first} ${p.last}`, identifier, `${p.index}:ABPerson`);
      }
      return pk;
    };
    const pickChannel = (): Channel => {
      let r = rng.next();
      for (const [weight, channel] of CHANNELS) {
        if ((r -= weight) < 0) return channel;
      }
      return CHANNELS[0]![1];
    };
    let rows = 0;
    let attachments = 0;
    batched(db, n, (i) => {
      const at = unixIn(period, (i + 0.1 + 0.8 * rng.next()) / Math.max(1, n));
      const channel = pickChannel();
      const group = channel.mechanism === 4 && rng.chance(0.1);
      const parties: { person: Person; id: string }[] = [];
      for (let tries = 0; parties.length < (group ? 3 : 1) && tries < 12; tries++) {
        const person = people[Math.min(people.length - 1, Math.floor(rng.next() ** 2 * people.length))]!;
        const id = channel.identifier(person);
        if (id !== null && !parties.some((x) => x.id === id)) parties.push({ person, id });
      }
      if (parties.length === 0) parties.push({ person: people[0]!, id: people[0]!.phones[0]! });
      const incoming = rng.chance(0.5);
      const pk = i + 1;
      const sender = incoming ? contactOf(parties[0]!.person, parties[0]!.id, at) : null;
      const recipients = incoming ? (group ? parties.slice(1) : []) : parties;
      const end = channel.mechanism === 0 ? at + rng.int(10, 1_200) : at;
      insInteraction.run(
        pk, incoming ? 0 : 1, incoming ? 0 : rng.chance(0.6) ? 1 : 0, channel.mechanism, recipients.length, sender, toCocoaFromUnix(at + rng.next() * 5), toCocoaFromUnix(end), toCocoaFromUnix(at),
        channel.account, channel.bundle, channel.bundle === 'com.apple.mobilemail' ? `<${rng.uuid()}@${OWNER.email.split('@')[1]!}>` : rng.uuid(),
        group ? `chat${rng.int(100_000_000, 999_999_999)}` : parties[0]!.id, group ? rng.pick(['Family', 'Book club', 'Weekend trip', 'Flatmates']) : null, rng.uuid(),
      );
      for (const r of recipients) insRecipient.run(contactOf(r.person, r.id, at), pk);
      let linked = 0;
      if (channel.mechanism === 4 && rng.chance(0.08)) {
        const attachment = ++attachments;
        insAttachment.run(attachment, rng.int(40_000, 4_000_000), toCocoaFromUnix(at), 'public.jpeg', Buffer.from(rng.uuid().replace(/-/g, ''), 'hex'));
        insLink.run(attachment, pk);
        linked = 1;
      }
      rows += Math.max(1, recipients.length) * Math.max(1, linked);
    });
    inTransaction(db, () => {
      // Each contact's counters and first/last dates, as CoreDuet keeps them.
      db.exec(`
        UPDATE ZCONTACTS SET
          ZINCOMINGSENDERCOUNT = (SELECT count(*) FROM ZINTERACTIONS i WHERE i.ZSENDER = ZCONTACTS.Z_PK),
          ZFIRSTINCOMINGSENDERDATE = (SELECT min(ZSTARTDATE) FROM ZINTERACTIONS i WHERE i.ZSENDER = ZCONTACTS.Z_PK),
          ZLASTINCOMINGSENDERDATE = (SELECT max(ZSTARTDATE) FROM ZINTERACTIONS i WHERE i.ZSENDER = ZCONTACTS.Z_PK),
          ZOUTGOINGRECIPIENTCOUNT = (SELECT count(*) FROM Z_2INTERACTIONRECIPIENT r JOIN ZINTERACTIONS i ON i.Z_PK = r.Z_3INTERACTIONRECIPIENT WHERE r.Z_2RECIPIENTS = ZCONTACTS.Z_PK AND i.ZDIRECTION = 1),
          ZFIRSTOUTGOINGRECIPIENTDATE = (SELECT min(i.ZSTARTDATE) FROM Z_2INTERACTIONRECIPIENT r JOIN ZINTERACTIONS i ON i.Z_PK = r.Z_3INTERACTIONRECIPIENT WHERE r.Z_2RECIPIENTS = ZCONTACTS.Z_PK AND i.ZDIRECTION = 1),
          ZLASTOUTGOINGRECIPIENTDATE = (SELECT max(i.ZSTARTDATE) FROM Z_2INTERACTIONRECIPIENT r JOIN ZINTERACTIONS i ON i.Z_PK = r.Z_3INTERACTIONRECIPIENT WHERE r.Z_2RECIPIENTS = ZCONTACTS.Z_PK AND i.ZDIRECTION = 1)`);
      const insKey = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME, Z_SUPER, Z_MAX) VALUES (?, ?, 0, ?)');
      insKey.run(1, 'Attachment', attachments);
      insKey.run(2, 'Contacts', contacts.size);
      insKey.run(3, 'Interactions', n);
      db.prepare('INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?, ?)').run(rng.uuid(), coreDataMetadata());
    });
    return { interactions: n, contacts: contacts.size, rows };
  } finally {
    db.close();
  }
}
