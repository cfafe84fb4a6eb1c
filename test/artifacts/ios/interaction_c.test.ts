import { describe, expect, it } from 'vitest';
import interactionC, { decodeInteractionRow, interactionTimeline, partyOf, type InteractionCRecord } from '../../../src/artifacts/ios/interaction_c.js';
import whatsappContacts, { type WhatsappContactRecord } from '../../../src/artifacts/ios/whatsapp_contacts.js';
import type { TimelineEvent } from '../../../src/artifacts/artifact.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes } from '../../fixtures/ios-backup.js';
import { OPERATOR_DOMAIN, OPERATOR_EMAIL, operatorHits } from '../../fixtures/operator-indicators.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

const INTERACTION_DB = { domain: 'HomeDomain', relativePath: 'Library/CoreDuet/People/interactionC.db' };

/** The runner de-duplicates identical timeline rows, as MVT does (reference-spec §1.5). */
function dedupe(events: TimelineEvent[]): TimelineEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const key = JSON.stringify([e.time?.iso() ?? null, e.event, pythonDescription(e.description)]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function withContacts() {
  const contacts = await parseBackup<WhatsappContactRecord>(whatsappContacts, mvtIosBackup());
  return parseBackup<InteractionCRecord>(interactionC, mvtIosBackup(), new Map([['ios.whatsapp_contacts', contacts.records]]));
}

describe('ios.interaction_c on the MVT test backup (MVT test_interactionc)', () => {
  it('reads 3 interactions and names WhatsApp parties through WhatsApp\'s contacts', async () => {
    const { records, items, coverage } = await withContacts();
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(3);

    const incoming = records.find((r) => r.sender_identifier === '100000000000001@lid')!;
    expect(incoming).toMatchObject({
      bundle_id: 'net.whatsapp.WhatsApp',
      direction: 'INCOMING',
      sender_resolved_phone_number: '+14155550100',
      sender_resolved_name: 'Alice Example',
      custom_id: '100000000000001@lid',
      recipient_count: 1,
      is_response: 0,
      table_id: 1,
      attachment_id: null,
    });
    expect(incoming.start_date?.mvt()).toBe('2025-09-08 04:53:20.000000');

    const outgoing = records.find((r) => r.direction === 'OUTGOING')!;
    expect(outgoing).toMatchObject({
      table_id: 2,
      sender_identifier: null,
      recipient_identifier: '+14155550100',
      recipient_resolved_name: 'Alice Example',
      recipient_resolved_phone_number: null,
      domain_identifier: '100000000000001@lid',
      domain_resolved_phone_number: '+14155550100',
      domain_resolved_name: 'Alice Example',
    });

    const sms = records.find((r) => r.bundle_id === 'com.apple.MobileSMS')!;
    expect(sms).toMatchObject({ table_id: 3, direction: 'INCOMING', sender_display_name: 'Bob Example', sender_identifier: '+14155550101', sender_resolved_name: null });
    expect(sms.first_incoming_sender_date?.mvt()).toBe('2025-09-03 13:46:40.000000');
    expect(sms.last_incoming_sender_date?.mvt()).toBe('2025-09-10 12:26:40.000000');
    expect(items.map((i) => i.source.at)).toEqual([1, 2, 3].map((rowid) => ({ table: 'ZINTERACTIONS', rowid })));
  });

  it('gives MVT\'s 6 timeline rows, including the late record creation and the sender\'s contact dates', async () => {
    const { timeline } = await withContacts();
    const rows = dedupe(timeline).map((e) => [e.time?.mvt(), e.event, pythonDescription(e.description)]);
    expect(rows).toEqual([
      ['2025-09-08 04:53:20.000000', 'start_date', '[net.whatsapp.WhatsApp] INCOMING from Alice Example (+14155550100) to local user'],
      ['2025-09-09 08:40:00.000000', 'start_date', '[net.whatsapp.WhatsApp] OUTGOING from local user to Alice Example (+14155550100)'],
      ['2025-09-10 12:26:40.000000', 'start_date', '[com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user'],
      ['2025-12-09 12:26:40.000000', 'interactions_creation_date', 'Interaction record created 90 days after the event: [com.apple.MobileSMS] INCOMING from Bob Example (+14155550101) to local user'],
      ['2025-09-03 13:46:40.000000', 'first_incoming_sender_date', 'First incoming interaction from Bob Example (+14155550101)'],
      ['2025-09-10 12:26:40.000000', 'last_incoming_sender_date', 'Last incoming interaction from Bob Example (+14155550101)'],
    ]);
    expect(timeline).toHaveLength(6);
  });

  it('falls back to the raw identifiers without WhatsApp contacts', async () => {
    const { records, timeline } = await parseBackup<InteractionCRecord>(interactionC, mvtIosBackup());
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ sender_resolved_name: null, sender_resolved_phone_number: null });
    const descriptions = timeline.map((e) => pythonDescription(e.description));
    expect(descriptions).toContain('[net.whatsapp.WhatsApp] INCOMING from 100000000000001@lid to local user');
    expect(descriptions).toContain('[net.whatsapp.WhatsApp] OUTGOING from local user to +14155550100');
  });
});

/** interactionC.db of an iOS version with other CoreData entity numbers and an attachment. */
const RENUMBERED_SCHEMA = `
  CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE TIMESTAMP, ZENDDATE TIMESTAMP, ZCREATIONDATE TIMESTAMP, ZBUNDLEID VARCHAR, ZACCOUNT VARCHAR, ZDIRECTION INTEGER, ZGROUPNAME VARCHAR, ZMECHANISM INTEGER);
  CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME VARCHAR, ZIDENTIFIER VARCHAR, ZPERSONID VARCHAR, ZCREATIONDATE TIMESTAMP, ZFIRSTOUTGOINGRECIPIENTDATE TIMESTAMP);
  CREATE TABLE ZATTACHMENT (Z_PK INTEGER PRIMARY KEY, ZCONTENTTEXT VARCHAR, ZUTI VARCHAR, ZIDENTIFIER BLOB, ZSIZEINBYTES INTEGER);
  CREATE TABLE Z_2INTERACTIONS (Z_2ATTACHMENTS INTEGER, Z_4INTERACTIONS INTEGER);
  CREATE TABLE Z_3INTERACTIONRECIPIENT (Z_3RECIPIENTS INTEGER, Z_4INTERACTIONRECIPIENT INTEGER);
`;

describe('ios.interaction_c on built interactionC.db fixtures', () => {
  it('finds recipient and attachment link tables whatever their entity numbers (MVT needs Z_1/Z_2)', async () => {
    const data = sqliteBytes(RENUMBERED_SCHEMA, (db) => {
      db.exec(`
        INSERT INTO ZCONTACTS VALUES (1, 'Dana', 'dana@example.org', 'P1', 700000000, NULL);
        INSERT INTO ZCONTACTS VALUES (2, '+1 415 555 0177', '+14155550177', NULL, NULL, 700000500);
        INSERT INTO ZINTERACTIONS VALUES (1, 1, 700001000, 700001000, 700001000 - 7200, 'com.apple.MobileSMS', 'e:me@example.org', 1, 'Book club', 4);
        INSERT INTO ZATTACHMENT VALUES (1, 'see attached', 'public.jpeg', X'0A0B0C', 2048);
        INSERT INTO Z_2INTERACTIONS VALUES (1, 1);
        INSERT INTO Z_3INTERACTIONRECIPIENT VALUES (2, 1);
      `);
    });
    const { records, timeline, coverage } = await parseBackup<InteractionCRecord>(interactionC, buildBackup([{ ...INTERACTION_DB, data }]));
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toMatchObject({
      direction: 'OUTGOING',
      account: 'e:me@example.org',
      sender_display_name: 'Dana',
      sender_identifier: 'dana@example.org',
      sender_personid: 'P1',
      recipient_display_name: '+1 415 555 0177',
      recipient_identifier: '+14155550177',
      content: 'see attached',
      uti: 'public.jpeg',
      attachment_id: '0A0B0C',
      size: 2048,
      group_name: 'Book club',
      mechanism: 4,
      // Columns this schema lacks are null rather than a failed query.
      target_bundle_id: null,
      cloud_id: null,
      derivied_intent_id: null,
    });
    // A display name made of the same digits as the number is shown once.
    expect(partyOf(r, 'recipient')).toBe('+14155550177');
    expect(timeline.map((e) => [e.time?.mvt(), e.event, pythonDescription(e.description)])).toEqual([
      ['2023-03-08 20:43:20.000000', 'start_date', '[com.apple.MobileSMS] e:me@example.org OUTGOING from Dana (dana@example.org) to +14155550177 (group: Book club): see attached'],
      ['2023-03-08 18:43:20.000000', 'interactions_creation_date', 'Interaction record created 2 hours before the event: [com.apple.MobileSMS] e:me@example.org OUTGOING from Dana (dana@example.org) to +14155550177 (group: Book club): see attached'],
      ['2023-03-08 20:26:40.000000', 'contacts_creation_date', 'Contact Dana (dana@example.org) first recorded in interactionC'],
    ]);
  });

  it('reads the oldest schema (no contacts, no link tables) with a raw direction and no parties', async () => {
    const data = sqliteBytes('CREATE TABLE ZINTERACTIONS (Z_PK INTEGER PRIMARY KEY, ZSTARTDATE TIMESTAMP, ZENDDATE TIMESTAMP, ZBUNDLEID VARCHAR, ZDIRECTION INTEGER, ZCREATIONDATE TIMESTAMP);', (db) => {
      db.exec("INSERT INTO ZINTERACTIONS VALUES (1, 600000000, 600000060, 'com.apple.InCallService', 2, NULL)");
      db.exec("INSERT INTO ZINTERACTIONS VALUES (2, NULL, NULL, 'com.apple.mobilephone', 0, 600000000)");
    });
    const { records, timeline, coverage } = await parseBackup<InteractionCRecord>(interactionC, buildBackup([{ ...INTERACTION_DB, data }]));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.table_id, r.direction, r.sender_identifier])).toEqual([
      [1, 2, null],
      [2, 'INCOMING', null],
    ]);
    expect(timeline.map((e) => [e.event, pythonDescription(e.description)])).toEqual([
      ['start_date', '[com.apple.InCallService] 2 from unknown to unknown'],
      ['end_date', '[com.apple.InCallService] 2 from unknown to unknown'],
      // No start date: the creation date stands in, with the plain summary.
      ['interactions_creation_date', '[com.apple.mobilephone] INCOMING from unknown to local user'],
    ]);
  });

  it('does not repeat an end date equal to the start date, nor a creation date within the hour', () => {
    const row = (end: number) => decodeInteractionRow({ start_date: 700000000, end_date: end, interactions_creation_date: 700003599, bundle_id: 'com.apple.MobileSMS', direction: 0 }, null);
    expect(interactionTimeline(row(700000000)).map((e) => e.event)).toEqual(['start_date']);
    expect(interactionTimeline(row(700000060)).map((e) => e.event)).toEqual(['start_date', 'end_date']);
  });

  it('fails with a message naming interactionC.db when ZINTERACTIONS is missing', async () => {
    const data = sqliteBytes('CREATE TABLE ZCONTACTS (Z_PK INTEGER PRIMARY KEY);');
    const { records, coverage } = await parseBackup<InteractionCRecord>(interactionC, buildBackup([{ ...INTERACTION_DB, data }]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toContain('interactionC.db (HomeDomain/Library/CoreDuet/People/interactionC.db');
  });

  it('reports a file that is not a database without crashing', async () => {
    const { coverage } = await parseBackup<InteractionCRecord>(interactionC, buildBackup([{ ...INTERACTION_DB, data: Buffer.from('\0\0\0\0 not sqlite') }]));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'bad-sqlite' });
    expect(coverage.issues[0]!.message).toContain('interactionC.db');
  });
});

describe('ios.interaction_c observables: e-mail parties (direct, CRITICAL) and hosts in shared text (mention, HIGH)', () => {
  it('offers nothing on the MVT test backup, whose parties are WhatsApp LIDs and phone numbers', async () => {
    const { observables } = await withContacts();
    expect(observables).toEqual([]);
  });

  it('reports an interaction from the operator\'s mailto: identifier and its host in the shared text; ordinary parties and text match nothing', async () => {
    const data = sqliteBytes(RENUMBERED_SCHEMA, (db) => {
      db.exec(`
        INSERT INTO ZCONTACTS VALUES (1, 'Support', 'mailto:${OPERATOR_EMAIL}', NULL, NULL, NULL);
        INSERT INTO ZCONTACTS VALUES (2, '+1 415 555 0177', '+14155550177', NULL, NULL, NULL);
        INSERT INTO ZCONTACTS VALUES (3, 'Dana', 'dana@example.org', NULL, NULL, NULL);
        INSERT INTO ZCONTACTS VALUES (4, NULL, '14155550100@s.whatsapp.net', NULL, NULL, NULL);
        INSERT INTO ZINTERACTIONS VALUES (1, 1, 700001000, 700001000, 700001000, 'com.apple.MobileSMS', 'e:me@example.org', 0, NULL, 4);
        INSERT INTO ZATTACHMENT VALUES (1, 'update at ${OPERATOR_DOMAIN}/s2', 'public.plain-text', X'01', 12);
        INSERT INTO Z_2INTERACTIONS VALUES (1, 1);
        INSERT INTO Z_3INTERACTIONRECIPIENT VALUES (2, 1);
        INSERT INTO ZINTERACTIONS VALUES (2, 4, 700002000, 700002000, 700002000, 'net.whatsapp.WhatsApp', NULL, 0, NULL, 4);
        INSERT INTO ZATTACHMENT VALUES (2, 'see e.g. apple.com, notes.txt and v1.2', 'public.plain-text', X'02', 12);
        INSERT INTO Z_2INTERACTIONS VALUES (2, 2);
        INSERT INTO Z_3INTERACTIONRECIPIENT VALUES (3, 2);
      `);
    });
    const { records, observables } = await parseBackup<InteractionCRecord>(interactionC, buildBackup([{ ...INTERACTION_DB, data }]));
    expect(records).toHaveLength(2);
    expect(observables).toEqual([
      { kind: 'email', value: OPERATOR_EMAIL, field: 'sender_identifier' },
      { kind: 'url', value: `${OPERATOR_DOMAIN}/s2`, field: 'content', role: 'mention' },
      { kind: 'email', value: 'dana@example.org', field: 'recipient_identifier' },
      { kind: 'domain', value: 'apple.com', field: 'content', role: 'mention' },
    ]);
    expect(operatorHits(observables)).toEqual([
      { field: 'sender_identifier', observed: OPERATOR_EMAIL, indicator: OPERATOR_EMAIL, level: 'critical' },
      { field: 'content', observed: `${OPERATOR_DOMAIN}/s2`, indicator: OPERATOR_DOMAIN, level: 'high' },
    ]);
  });
});
