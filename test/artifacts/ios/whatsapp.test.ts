import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import whatsapp, {
  LID_FILE_ID,
  type WhatsappChatSessionRecord,
  type WhatsappLidPairRecord,
  type WhatsappMessageRecord,
  type WhatsappRecord,
} from '../../../src/artifacts/ios/whatsapp.js';
import { fileIdOf } from '../../../src/evidence/ios-backup.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup } from '../../helpers/data.js';
import { buildBackup, sqliteBytes, sqliteWithWal } from '../../fixtures/ios-backup.js';
import { WHATSAPP_DOMAIN, whatsappBackupFromZip } from '../../fixtures/whatsapp.js';
import { OPERATOR_DOMAIN, OPERATOR_URL, operatorHits } from '../../fixtures/operator-indicators.js';

const messagesOf = (rs: WhatsappRecord[]) => rs.filter((r): r is WhatsappMessageRecord => r.record_type === 'message');
const pairsOf = (rs: WhatsappRecord[]) => rs.filter((r): r is WhatsappLidPairRecord => r.record_type === 'lid_phone_number_pair');
const sessionsOf = (rs: WhatsappRecord[]) => rs.filter((r): r is WhatsappChatSessionRecord => r.record_type === 'chat_session');

const CHAT_SCHEMA = `
  CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID VARCHAR, ZTOJID VARCHAR, ZTEXT VARCHAR, ZMESSAGEDATE TIMESTAMP, ZMESSAGETYPE INTEGER, ZISFROMME INTEGER);
  CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZAUTHORNAME VARCHAR, ZMEDIAURL VARCHAR);
  CREATE TABLE ZWAMESSAGEDATAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZCONTENT1 VARCHAR, ZCONTENT2 VARCHAR, ZMATCHEDTEXT VARCHAR, ZSUMMARY VARCHAR, ZTITLE VARCHAR);
  CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR, ZSESSIONTYPE INTEGER, ZARCHIVED INTEGER, ZREMOVED INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE TIMESTAMP, ZGROUPINFO INTEGER);
  CREATE TABLE ZWAGROUPINFO (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZCREATIONDATE TIMESTAMP);
`;
const LID_SCHEMA = 'CREATE TABLE ZWAPHONENUMBERLIDPAIR (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTIMESTAMP TIMESTAMP, ZLID VARCHAR, ZPHONENUMBER VARCHAR);';

function message(db: Database.Database, pk: number, session: number, from: string | null, text: string | null, date: number): void {
  db.prepare('INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZFROMJID, ZTEXT, ZMESSAGEDATE, ZMESSAGETYPE, ZISFROMME) VALUES (?, ?, ?, ?, ?, 0, ?)').run(pk, session, from, text, date, from ? 0 : 1);
}
function lidPair(db: Database.Database, lid: string, phone: string, ts: number): void {
  db.prepare('INSERT INTO ZWAPHONENUMBERLIDPAIR (Z_ENT, Z_OPT, ZTIMESTAMP, ZLID, ZPHONENUMBER) VALUES (3, 1, ?, ?, ?)').run(ts, lid, phone);
}
const chatFile = (data: Buffer) => ({ domain: WHATSAPP_DOMAIN, relativePath: 'ChatStorage.sqlite', data });

describe('ios.whatsapp on the MVT test backup (MVT test_whatsapp)', () => {
  it('reads 3 messages, the LID pair from the unlisted LID.sqlite, and 2 chat sessions, in MVT\'s order', async () => {
    const { records, items, coverage } = await parseBackup<WhatsappRecord>(whatsapp, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => r.record_type)).toEqual(['message', 'message', 'message', 'lid_phone_number_pair', 'chat_session', 'chat_session']);
    expect(messagesOf(records)).toHaveLength(3);

    const linked = messagesOf(records).find((m) => m.links?.length)!;
    expect(linked).toMatchObject({ Z_PK: 2, ZCHATSESSION: 1, ZTOJID: '14155550100@s.whatsapp.net', ZFROMJID: null, ZTEXT: 'Check https://example.org/news', ZISFROMME: 1, links: ['https://example.org/news'] });
    expect(linked.isodate?.mvt()).toBe('2025-08-28 18:53:20.000000');
    // MVT adds `links` only when there is one or the text is blank.
    expect('links' in messagesOf(records)[0]!).toBe(false);

    const [pair] = pairsOf(records);
    expect(pair).toMatchObject({ lid: '100000000000001', phone_number: '14155550100' });
    expect(pair!.pair_timestamp?.mvt()).toBe('2025-08-25 07:33:20.000000');
    // LID.sqlite is not in Manifest.db: it was found at its hash path, and the record says so.
    expect(items[3]!.source.file.ref).toMatchObject({ storedPath: `e7/${LID_FILE_ID}`, backup: { domain: WHATSAPP_DOMAIN, relativePath: 'LID.sqlite', fileId: LID_FILE_ID } });
    expect(items[3]!.source.at).toEqual({ table: 'ZWAPHONENUMBERLIDPAIR', rowid: 1 });

    const [alice, group] = sessionsOf(records) as [WhatsappChatSessionRecord, WhatsappChatSessionRecord];
    expect(alice).toMatchObject({ session_pk: 1, contact_jid: '100000000000001@lid', partner_name: 'Alice Example', partner_resolved_phone_number: '+14155550100', group_creation_date: null, stored_message_count: 2, message_counter: 2 });
    expect(alice.first_stored_message_date?.mvt()).toBe('2025-08-27 15:06:40.000000');
    expect(alice.last_message_date?.mvt()).toBe('2025-08-28 18:53:20.000000');
    expect(group).toMatchObject({ session_pk: 2, contact_jid: '120000000000000001@g.us', partner_name: 'Example Group', partner_resolved_phone_number: null, stored_message_count: 1 });
    expect(group.group_creation_date?.mvt()).toBe('2025-08-21 20:13:20.000000');
    expect(group.first_stored_message_date?.mvt()).toBe('2025-08-29 22:40:00.000000');
    expect(group.last_stored_message_date?.mvt()).toBe('2025-08-29 22:40:00.000000');
    expect(group.last_message_date?.mvt()).toBe('2025-08-31 02:26:40.000000');
  });

  it('gives MVT\'s 9 timeline rows with its texts, and the one link as an observable', async () => {
    const { timeline, observables } = await parseBackup<WhatsappRecord>(whatsapp, mvtIosBackup());
    expect(timeline.map((e) => [e.time?.mvt(), e.event, e.description])).toEqual([
      ['2025-08-27 15:06:40.000000', 'message', "'Hi' from 14155550100@s.whatsapp.net"],
      ['2025-08-28 18:53:20.000000', 'message', "'Check https://example.org/news' from Unknown - Embedded links: https://example.org/news"],
      ['2025-08-29 22:40:00.000000', 'message', "'Welcome' from 14155550101@s.whatsapp.net"],
      ['2025-08-25 07:33:20.000000', 'lid_pair_recorded', 'WhatsApp associated LID 100000000000001 with phone number 14155550100'],
      ['2025-08-27 15:06:40.000000', 'chat_first_message', "First stored message in WhatsApp chat with 'Alice Example' (+14155550100)"],
      ['2025-08-28 18:53:20.000000', 'chat_last_message', "Last message in WhatsApp chat with 'Alice Example' (+14155550100)"],
      ['2025-08-21 20:13:20.000000', 'group_created', "WhatsApp group chat 'Example Group' (120000000000000001@g.us) was created"],
      ['2025-08-29 22:40:00.000000', 'chat_first_message', "First stored message in WhatsApp group chat 'Example Group' (120000000000000001@g.us)"],
      ['2025-08-31 02:26:40.000000', 'chat_last_message', "Last message in WhatsApp group chat 'Example Group' (120000000000000001@g.us)"],
    ]);
    expect(observables).toEqual([{ kind: 'url', value: 'https://example.org/news', field: 'links' }]);
  });

  it('knows LID.sqlite\'s backup file id', () => {
    expect(LID_FILE_ID).toBe(fileIdOf(WHATSAPP_DOMAIN, 'LID.sqlite'));
  });
});

describe('ios.whatsapp on iLEAPP\'s WhatsApp sample (Josh Hickman iOS 15 image)', () => {
  it('reads 32 messages and 5 chats; media download URLs on WhatsApp\'s CDN are not links', async () => {
    const backup = whatsappBackupFromZip('testdata.whatsApp.whatsAppMessages.josh_ios15_ffs.zip', ['ChatStorage.sqlite']);
    const { records, timeline, observables, coverage } = await parseBackup<WhatsappRecord>(whatsapp, backup);
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(37);
    const messages = messagesOf(records);
    expect(messages).toHaveLength(32);
    expect(pairsOf(records)).toEqual([]);
    expect(messages.find((m) => m.Z_PK === 13)).toMatchObject({ ZTEXT: 'Awesome. You had some chat history, eh?', ZFROMJID: '19198887386@s.whatsapp.net', ZISFROMME: 0, ZCHATSESSION: 5 });
    expect(messages.find((m) => m.Z_PK === 13)!.isodate?.mvt()).toBe('2023-05-02 15:57:30.000000');
    // Message 21 is a photo: its ZMEDIAURL points at mmg.whatsapp.net, which is dropped; the text is blank,
    // so (as in MVT) the record carries an empty `links`.
    const photo = messages.find((m) => m.Z_PK === 21)!;
    expect(photo.ZMEDIAURL).toMatch(/^https:\/\/mmg\.whatsapp\.net\/o1\/v\/t62\.7118-24\//);
    expect(photo.links).toEqual([]);
    expect(messages.filter((m) => m.links !== undefined)).toHaveLength(17);
    expect(observables).toEqual([]);

    const sessions = sessionsOf(records);
    expect(sessions.map((s) => [s.partner_name, s.contact_jid, s.stored_message_count])).toEqual([
      ['Our Test Group', '120363023356659014@g.us', 3],
      ['Med Report Review', '120363044520422953@g.us', 2],
      ['Med Report 2', '120363043672417929@g.us', 2],
      ['Working Group', '120363024323946819@g.us', 3],
      ['This Is DFIR Two', '19198887386@s.whatsapp.net', 22],
    ]);
    expect(sessions[4]!.first_stored_message_date?.mvt()).toBe('2023-05-02 15:56:47.221498');
    expect(sessions[4]!.last_message_date?.mvt()).toBe('2023-05-17 14:36:40.000000');
    expect(sessions[0]!.group_creation_date?.mvt()).toBe('2022-03-26 17:44:06.000000');
    // 32 messages, 4 groups × (created, first, last), 1 chat × (first, last).
    expect(timeline).toHaveLength(46);
    expect(timeline).toContainEqual({ time: sessions[4]!.first_stored_message_date, event: 'chat_first_message', description: "First stored message in WhatsApp chat with 'This Is DFIR Two' (19198887386@s.whatsapp.net)" });
  });
});

describe('ios.whatsapp on built ChatStorage fixtures', () => {
  it('collects links from the text, link previews and media, de-duplicated, without WhatsApp media hosts', async () => {
    const data = sqliteBytes(CHAT_SCHEMA, (db) => {
      message(db, 1, 1, '14155550100@s.whatsapp.net', 'look https://a.example/1 and https://a.example/1', 700000000);
      db.prepare('INSERT INTO ZWAMESSAGEDATAITEM (ZMESSAGE, ZCONTENT1, ZMATCHEDTEXT, ZTITLE) VALUES (1, ?, ?, ?)').run('preview https://b.example/2', 'https://a.example/1', 'Title');
      message(db, 2, 1, '14155550100@s.whatsapp.net', null, 700000100);
      db.prepare('INSERT INTO ZWAMEDIAITEM (ZMESSAGE, ZMEDIAURL, ZAUTHORNAME) VALUES (2, ?, ?)').run('https://mmg-fna.whatsapp.net/d/f/xyz.enc', 'Alice');
      message(db, 3, 1, '14155550100@s.whatsapp.net', null, 700000200);
      db.prepare('INSERT INTO ZWAMEDIAITEM (ZMESSAGE, ZMEDIAURL) VALUES (3, ?)').run('HTTPS://evil.example/payload');
    });
    const { records, observables } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(data)]));
    expect(messagesOf(records).map((m) => [m.Z_PK, m.links, m.ZAUTHORNAME, m.ZTITLE])).toEqual([
      [1, ['https://a.example/1', 'https://b.example/2'], null, 'Title'],
      [2, [], 'Alice', null],
      [3, ['HTTPS://evil.example/payload'], null, null],
    ]);
    expect(observables.map((o) => o.value)).toEqual(['https://a.example/1', 'https://b.example/2', 'HTTPS://evil.example/payload']);
  });

  it('reads LID.sqlite listed in Manifest.db and resolves LID chats through it', async () => {
    const chat = sqliteBytes(CHAT_SCHEMA, (db) => {
      db.prepare("INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME, ZSESSIONTYPE, ZMESSAGECOUNTER, ZLASTMESSAGEDATE) VALUES (1, '200000000000002@lid', NULL, 0, 1, 700000000)").run();
      message(db, 1, 1, '200000000000002@lid', 'hi', 700000000);
    });
    const lid = sqliteBytes(LID_SCHEMA, (db) => lidPair(db, '200000000000002', '+33612345678', 699000000));
    const { records, items, timeline } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(chat), { domain: WHATSAPP_DOMAIN, relativePath: 'LID.sqlite', data: lid }]));
    expect(pairsOf(records)).toMatchObject([{ lid: '200000000000002', phone_number: '+33612345678' }]);
    expect(items[1]!.source.file.ref.backup?.relativePath).toBe('LID.sqlite');
    expect(sessionsOf(records)[0]).toMatchObject({ contact_jid: '200000000000002@lid', partner_resolved_phone_number: '+33612345678' });
    // Without a partner name the label is the resolved number alone.
    expect(timeline.map((e) => e.description)).toContain('Last message in WhatsApp chat with +33612345678');
  });

  it('falls back to LID pairs kept inside ChatStorage when there is no LID.sqlite', async () => {
    const chat = sqliteBytes(CHAT_SCHEMA + LID_SCHEMA, (db) => {
      db.prepare("INSERT INTO ZWACHATSESSION (Z_PK, ZCONTACTJID, ZPARTNERNAME) VALUES (1, '300000000000003@lid', 'Carol')").run();
      lidPair(db, '300000000000003', '14155550199', 0);
    });
    const { records, items, timeline } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(chat)]));
    expect(pairsOf(records)).toEqual([{ record_type: 'lid_phone_number_pair', lid: '300000000000003', phone_number: '14155550199', pair_timestamp: null }]);
    expect(items[0]!.source.file.ref.backup?.relativePath).toBe('ChatStorage.sqlite');
    expect(sessionsOf(records)[0]).toMatchObject({ partner_resolved_phone_number: '+14155550199', stored_message_count: 0, first_stored_message_date: null });
    // No timestamp, no lid_pair_recorded row; a chat with no dates has no rows either.
    expect(timeline).toEqual([]);
  });

  it('marks messages that exist only in the backed-up ChatStorage.sqlite-wal', async () => {
    const { db, wal } = sqliteWithWal(
      CHAT_SCHEMA,
      (d) => message(d, 1, 1, '14155550100@s.whatsapp.net', 'checkpointed', 700000000),
      (d) => message(d, 2, 1, '14155550100@s.whatsapp.net', 'only in the WAL https://late.example/', 700000500),
    );
    const backup = buildBackup([chatFile(db), { domain: WHATSAPP_DOMAIN, relativePath: 'ChatStorage.sqlite-wal', data: wal }]);
    const { items } = await parseBackup<WhatsappRecord>(whatsapp, backup);
    expect(items.map((i) => [i.record.record_type, i.source.at])).toEqual([
      ['message', { table: 'ZWAMESSAGE', rowid: 1 }],
      ['message', { table: 'ZWAMESSAGE', rowid: 2, inWal: true }],
    ]);
  });

  it('reads messages of a schema without media, data-item, group or session tables', async () => {
    const chat = sqliteBytes('CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZFROMJID VARCHAR, ZTEXT VARCHAR, ZMESSAGEDATE TIMESTAMP);', (db) => {
      db.prepare("INSERT INTO ZWAMESSAGE VALUES (1, 'x@s.whatsapp.net', 'go to http://old.example', 500000000)").run();
    });
    const { records, coverage } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(chat)]));
    expect(coverage.state).toBe('parsed');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ record_type: 'message', ZTEXT: 'go to http://old.example', ZMEDIAURL: null, ZCONTENT1: null, links: ['http://old.example'] });
  });
});

describe('ios.whatsapp on bad input', () => {
  it('fails with a message naming ChatStorage.sqlite when ZWAMESSAGE is missing', async () => {
    const { records, coverage } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(sqliteBytes('CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY);'))]));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toContain('ChatStorage.sqlite (AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite');
  });

  it('keeps the messages when LID.sqlite is not a database, with an issue naming it', async () => {
    const chat = sqliteBytes(CHAT_SCHEMA, (db) => message(db, 1, 1, 'x@s.whatsapp.net', 'hi', 700000000));
    const { records, coverage } = await parseBackup<WhatsappRecord>(
      whatsapp,
      buildBackup([chatFile(chat), { domain: WHATSAPP_DOMAIN, relativePath: 'LID.sqlite', data: Buffer.from('garbage, not SQLite') }]),
    );
    expect(messagesOf(records)).toHaveLength(1);
    expect(coverage.state).toBe('partial');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]).toMatchObject({ code: 'bad-sqlite' });
    expect(coverage.issues[0]!.message).toContain('LID.sqlite');
    expect(coverage.issues[0]!.message).toContain('not a SQLite database');
  });

  it('is missing, without issues, when WhatsApp is not installed', async () => {
    const { coverage } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([]));
    expect(coverage.state).toBe('missing');
    expect(coverage.issues).toEqual([]);
  });
});

describe('ios.whatsapp observables in link previews and scheme-less text (mentions, HIGH)', () => {
  const preview = (db: Database.Database, pk: number, item: { text?: string; title?: string; summary?: string; matched?: string; content1?: string }) => {
    message(db, pk, 1, '14155550100@s.whatsapp.net', item.text ?? null, 700000000 + pk);
    db.prepare('INSERT INTO ZWAMESSAGEDATAITEM (ZMESSAGE, ZCONTENT1, ZMATCHEDTEXT, ZSUMMARY, ZTITLE) VALUES (?, ?, ?, ?, ?)').run(
      pk,
      item.content1 ?? null,
      item.matched ?? null,
      item.summary ?? null,
      item.title ?? null,
    );
  };

  it("finds a link that appears only in a preview's title or summary, and a host typed without a scheme", async () => {
    const data = sqliteBytes(CHAT_SCHEMA, (db) => {
      preview(db, 1, { text: 'look at this', title: `Security update – ${OPERATOR_URL}` });
      preview(db, 2, { text: 'and this', summary: `Download from ${OPERATOR_DOMAIN} today.` });
      preview(db, 3, { text: `typed: cdn.${OPERATOR_DOMAIN}/a`, matched: `cdn.${OPERATOR_DOMAIN}/a` });
    });
    const { observables } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(data)]));
    expect(observables).toEqual([
      { kind: 'url', value: OPERATOR_URL, field: 'ZTITLE', role: 'mention' },
      { kind: 'domain', value: OPERATOR_DOMAIN, field: 'ZSUMMARY', role: 'mention' },
      { kind: 'url', value: `cdn.${OPERATOR_DOMAIN}/a`, field: 'ZTEXT', role: 'mention' },
    ]);
    expect(operatorHits(observables)).toEqual([
      { field: 'ZTITLE', observed: OPERATOR_URL, indicator: OPERATOR_URL, level: 'high' },
      { field: 'ZSUMMARY', observed: OPERATOR_DOMAIN, indicator: OPERATOR_DOMAIN, level: 'high' },
      { field: 'ZTEXT', observed: `cdn.${OPERATOR_DOMAIN}/a`, indicator: OPERATOR_DOMAIN, level: 'high' },
    ]);
  });

  it('keeps a link of the text direct (CRITICAL) when its preview repeats it', async () => {
    const data = sqliteBytes(CHAT_SCHEMA, (db) => preview(db, 1, { text: `see ${OPERATOR_URL}`, content1: OPERATOR_URL, title: OPERATOR_URL }));
    const { observables } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(data)]));
    expect(operatorHits(observables)).toEqual([{ field: 'links', observed: OPERATOR_URL, indicator: OPERATOR_URL, level: 'critical' }]);
  });

  it('matches nothing in ordinary previews: well-known sites, dotted words, file names', async () => {
    const data = sqliteBytes(CHAT_SCHEMA, (db) => {
      preview(db, 1, { text: 'https://www.youtube.com/watch?v=x', title: 'Cats – YouTube', summary: 'Enjoy the videos and music you love on YouTube.com.', content1: 'https://www.youtube.com/watch?v=x' });
      preview(db, 2, { text: 'apple.com/iphone', matched: 'apple.com/iphone', title: 'iPhone - Apple', summary: 'Designed by Apple in California, e.g. iPhone 15 v1.2.' });
      preview(db, 3, { text: 'notes.txt and slides.key, i.e. the deck', title: 'README.md', summary: 'Version 2.1.3 – main.py, setup.sh' });
    });
    const { observables } = await parseBackup<WhatsappRecord>(whatsapp, buildBackup([chatFile(data)]));
    expect(operatorHits(observables)).toEqual([]);
    expect(observables.map((o) => [o.field, o.value, o.role ?? 'direct'])).toEqual([
      ['links', 'https://www.youtube.com/watch?v=x', 'direct'],
      ['ZSUMMARY', 'YouTube.com', 'mention'],
      ['ZTEXT', 'apple.com/iphone', 'mention'],
    ]);
  });
});
