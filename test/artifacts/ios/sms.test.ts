import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import sms, { decodeSmsRow, type SmsRecord } from '../../../src/artifacts/ios/sms.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';
import { buildBackup } from '../../fixtures/ios-backup.js';
import { typedstreamBody } from '../../fixtures/typedstream.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes, smsWithWal } from '../../fixtures/sms.js';
import { OPERATOR_DOMAIN, OPERATOR_EMAIL, OPERATOR_URL, operatorHits } from '../../fixtures/operator-indicators.js';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

describe('ios.sms on the MVT test backup', () => {
  it('reads the one message with its link, handle and both timeline events (MVT: 1 result, 2 timeline rows)', async () => {
    const { records, items, timeline, observables, coverage } = await parseBackup<SmsRecord>(sms, mvtIosBackup());
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toMatchObject({
      ROWID: 3,
      guid: 'FDC6EC94-9D5A-434D-90FA-BF170E10A311',
      text: 'Please click here https://badbadbad.example.org/',
      text_from_attributed_body: false,
      handle_id: 1,
      phone_number: 'apple',
      service: null,
      account: null,
      attributedBody: null,
      is_from_me: 0,
      service_center: '',
      direction: 'received',
      links: ['https://badbadbad.example.org/'],
    });
    // 588813210539788032 ns since 2001. MVT keeps the first 9 digits (…23:13:30.000000); we keep the fraction.
    expect(r.isodate?.mvt()).toBe('2019-08-29 23:13:30.539788');
    expect(r.isodate_read?.mvt()).toBe('2019-08-29 23:13:30.539900');
    expect(items[0]!.source.at).toEqual({ table: 'message', rowid: 3 });
    expect(timeline).toHaveLength(2);
    expect(timeline.map((e) => [e.event, e.time?.mvt(), pythonDescription(e.description)])).toEqual([
      ['sms_received', '2019-08-29 23:13:30.539788', 'None: FDC6EC94-9D5A-434D-90FA-BF170E10A311 "Please click here https://badbadbad.example.org/" from apple (None)'],
      ['sms_read', '2019-08-29 23:13:30.539900', 'None: FDC6EC94-9D5A-434D-90FA-BF170E10A311 "Please click here https://badbadbad.example.org/" from apple (None)'],
    ]);
    // MVT's urls.json entry for this message: the link is the observable the indicator engine matches.
    expect(observables).toEqual([{ kind: 'url', value: 'https://badbadbad.example.org/', field: 'links' }]);
  });

  it('keeps records JSON-able: no Buffers, no bigints', async () => {
    const { records } = await parseBackup<SmsRecord>(sms, mvtIosBackup());
    const json = JSON.parse(JSON.stringify(records[0])) as Record<string, unknown>;
    expect(json.isodate).toBe('2019-08-29T23:13:30.539788Z');
    expect(json.date).toBe(588813210539788032);
    for (const value of Object.values(records[0]!)) {
      expect(Buffer.isBuffer(value)).toBe(false);
      expect(typeof value).not.toBe('bigint');
    }
  });
});

describe('ios.sms on plaso\'s Messages chat.db (same message/handle schema as sms.db)', () => {
  const chatDb = () => readFileSync(shared('samples', 'plaso', 'test_data', 'sqlite', 'imessage_chat.db'));

  it('reads all 10 messages with their handles and second-based dates', async () => {
    const { records, timeline, coverage, observables } = await parseBackup<SmsRecord>(sms, smsBackup(chatDb()));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(10);
    expect(records.map((r) => r.phone_number)).toEqual([
      '447775455555', '447775455555', '447775455555', '447775455555', '447775455555', '447775455555', '447775455555',
      'xxxxxx2015@icloud.com', 'xxxxxx2015@icloud.com', '447775455555',
    ]);
    expect(records[0]).toMatchObject({
      ROWID: 1,
      guid: 'C78A4031-C135-4746-A974-C455B0C4F5E4',
      service: 'iMessage',
      account: 'e:ken.doh@icloud.com',
      direction: 'received',
      date: 469908586,
      links: [],
      text_from_attributed_body: false,
    });
    expect(records[0]!.isodate?.mvt()).toBe('2015-11-22 18:09:46.000000');
    expect(records[0]!.isodate_read?.mvt()).toBe('2015-11-22 18:13:22.000000');
    // attributedBody is exported as base64, as MVT does; it starts with the typedstream signature.
    expect(Buffer.from(records[0]!.attributedBody!, 'base64').subarray(2, 13).toString('latin1')).toBe('streamtyped');
    expect(records[9]).toMatchObject({ ROWID: 10, direction: 'sent', text: "Hi Eireanne, I've left a USB stick up at my Mum's with Open Office on it.", date_read: 0, isodate_read: null });
    expect(records[9]!.isodate?.mvt()).toBe('2015-12-02 19:24:53.000000');
    // 10 received/sent events + 5 read events (the messages with a date_read).
    expect(timeline.filter((e) => e.event === 'sms_received')).toHaveLength(10);
    expect(timeline.filter((e) => e.event === 'sms_read')).toHaveLength(5);
    // No links and no host written in any text; the two messages from an Apple ID give its address (not checked by MVT).
    expect(observables).toEqual([
      { kind: 'email', value: 'xxxxxx2015@icloud.com', field: 'phone_number' },
      { kind: 'email', value: 'xxxxxx2015@icloud.com', field: 'phone_number' },
    ]);
  });
});

describe('ios.sms beyond MVT', () => {
  it('keeps messages without a handle (MVT\'s inner join drops them)', async () => {
    const data = smsDbBytes((db) => {
      const h = insertHandle(db, '+14155550100');
      insertMessage(db, { guid: 'with-handle', text: 'hello', handle_id: h, date: 700000000123456000n });
      insertMessage(db, { guid: 'no-handle', text: 'note to self https://example.net/x', handle_id: 0, is_from_me: 1, date: 700000100000000000n });
    });
    const { records, coverage } = await parseBackup<SmsRecord>(sms, smsBackup(data));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.guid, r.phone_number, r.direction, r.links])).toEqual([
      ['with-handle', '+14155550100', 'received', []],
      ['no-handle', null, 'sent', ['https://example.net/x']],
    ]);
    expect(records[0]!.isodate?.mvt()).toBe('2023-03-08 20:26:40.123456');
  });

  it('reads text and links from attributedBody when the text column is NULL (iOS 16+)', async () => {
    const data = smsDbBytes((db) => {
      const h = insertHandle(db, '+14155550100');
      insertMessage(db, { guid: 'ios16', text: null, handle_id: h, date: 700000000000000000n, attributedBody: typedstreamBody('Your parcel: https://bad.example.com/track?id=1\nThanks') });
      insertMessage(db, { guid: 'both', text: 'column text', handle_id: h, date: 700000001000000000n, attributedBody: typedstreamBody('archived text https://ignored.example') });
      insertMessage(db, { guid: 'broken-body', text: null, handle_id: h, date: 700000002000000000n, attributedBody: Buffer.from('garbage') });
    });
    const { records, timeline, observables, coverage } = await parseBackup<SmsRecord>(sms, smsBackup(data));
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.guid, r.text, r.text_from_attributed_body, r.links])).toEqual([
      ['ios16', 'Your parcel: https://bad.example.com/track?id=1\nThanks', true, ['https://bad.example.com/track?id=1']],
      ['both', 'column text', false, []],
      ['broken-body', '', false, []],
    ]);
    expect(pythonDescription(timeline[0]!.description)).toBe('iMessage: ios16 "Your parcel: https://bad.example.com/track?id=1\\nThanks" from +14155550100 (None)');
    expect(observables).toEqual([{ kind: 'url', value: 'https://bad.example.com/track?id=1', field: 'links' }]);
  });

  it('decodes nanosecond dates by magnitude, also before 2004 where MVT\'s 18-digit rule fails', () => {
    // 2002-01-01 is 31536000 s after 2001: in nanoseconds that is 17 digits, which MVT reads as seconds.
    const r = decodeSmsRow({ __rowid: 1n, ROWID: 1n, guid: 'g', text: 'x', date: 31_536_000_000_000_000n, date_read: 0n, is_from_me: 0n });
    expect(r.isodate?.mvt()).toBe('2002-01-01 00:00:00.000000');
    expect(r.isodate_read).toBeNull();
    expect('__rowid' in r).toBe(false);
  });

  it('marks messages that exist only in the backed-up sms.db-wal', async () => {
    const backup = smsWithWal(
      (db) => {
        const h = insertHandle(db, '+14155550100');
        insertMessage(db, { guid: 'checkpointed', text: 'old', handle_id: h, date: 700000000000000000n });
      },
      (db) => {
        insertMessage(db, { guid: 'wal-only', text: 'new https://fresh.example.org/', handle_id: 1, date: 700000500000000000n });
      },
    );
    const { items, coverage } = await parseBackup<SmsRecord>(sms, backup);
    expect(coverage.state).toBe('parsed');
    expect(items.map((i) => [i.record.guid, i.source.at])).toEqual([
      ['checkpointed', { table: 'message', rowid: 1 }],
      ['wal-only', { table: 'message', rowid: 2, inWal: true }],
    ]);
    expect(items[1]!.record.links).toEqual(['https://fresh.example.org/']);
  });
});

describe('ios.sms on bad input', () => {
  it('fails with a message naming sms.db when the message table is missing', async () => {
    const data = smsDbBytes(() => {}, 'CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT);');
    const { records, coverage } = await parseBackup<SmsRecord>(sms, smsBackup(data));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toContain('sms.db (HomeDomain/Library/SMS/sms.db');
    expect(coverage.issues[0]!.message).toContain('no table message');
  });

  it('fails with a message naming sms.db when a required column is missing', async () => {
    const data = smsDbBytes(() => {}, 'CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT); CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT);');
    const { coverage } = await parseBackup<SmsRecord>(sms, smsBackup(data));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-column' });
    expect(coverage.issues[0]!.message).toContain('table message lacks column(s) handle_id, date, is_from_me');
  });

  it('reports a file that is not a database without crashing', async () => {
    const { records, coverage } = await parseBackup<SmsRecord>(sms, smsBackup(Buffer.from('this is not a database, just text')));
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'bad-sqlite' });
    expect(coverage.issues[0]!.message).toContain('sms.db');
    expect(coverage.issues[0]!.message).toContain('not a SQLite database');
  });

  it('reports sms.db listed in Manifest.db but absent as missing', async () => {
    const { coverage } = await parseBackup<SmsRecord>(sms, buildBackup([{ domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' }]));
    expect(coverage.state).toBe('missing');
    expect(coverage.issues[0]).toMatchObject({ code: 'file-missing' });
  });
});

describe('ios.sms observables beyond MVT\'s links', () => {
  const backup = (messages: { handle: string; text: string }[]) =>
    smsBackup(
      smsDbBytes((db) => {
        messages.forEach((m, i) => insertMessage(db, { guid: `g${i}`, handle_id: insertHandle(db, m.handle), text: m.text, date: 700_000_000 + i }));
      }),
    );

  it('reports a message from the operator\'s Apple ID (CRITICAL), and its host and URL written without a scheme (HIGH)', async () => {
    const { observables } = await parseBackup<SmsRecord>(
      sms,
      backup([
        { handle: OPERATOR_EMAIL, text: 'Your account is locked' },
        { handle: '+14155550100', text: `Verify at ${OPERATOR_DOMAIN}/verify now.` },
        { handle: '+14155550101', text: `(${OPERATOR_URL.replace('https://', '')})` },
      ]),
    );
    // The third message's bare URL (`landing.example-bad.net/x1`, a mention) is the https:// link the feed lists.
    expect(observables.at(-1)).toEqual({ kind: 'url', value: OPERATOR_URL.replace('https://', ''), field: 'text', role: 'mention' });
    expect(operatorHits(observables)).toEqual([
      { field: 'phone_number', observed: OPERATOR_EMAIL, indicator: OPERATOR_EMAIL, level: 'critical' },
      { field: 'text', observed: `${OPERATOR_DOMAIN}/verify`, indicator: OPERATOR_DOMAIN, level: 'high' },
      { field: 'text', observed: OPERATOR_URL.replace('https://', ''), indicator: OPERATOR_URL, level: 'high' },
    ]);
  });

  it('keeps a link with a scheme direct, and does not repeat its host written bare in the same message', async () => {
    const { observables } = await parseBackup<SmsRecord>(sms, backup([{ handle: '+14155550100', text: `https://${OPERATOR_DOMAIN}/x or just ${OPERATOR_DOMAIN}` }]));
    expect(observables).toEqual([{ kind: 'url', value: `https://${OPERATOR_DOMAIN}/x`, field: 'links' }]);
  });

  it('matches nothing in ordinary messages full of links and dotted words', async () => {
    const { observables } = await parseBackup<SmsRecord>(
      sms,
      backup([
        { handle: 'dana@icloud.com', text: 'See you at 10 a.m., i.e. before lunch. Bring the file.txt, e.g. on a USB stick.' },
        { handle: '+14155550100', text: 'Order at apple.com or google.com/maps; the photo.JPG is v1.2 of README.md, 3.14 sec.Next time!' },
        { handle: '+14155550101', text: 'Track it on https://www.ups.com/track?n=1Z and write to support@ups.com' },
        { handle: '+14155550102', text: `Not the operator: notevil-domain.com, ${OPERATOR_DOMAIN}.attacker.net, evil-domain.co` },
      ]),
    );
    expect(operatorHits(observables)).toEqual([]);
    // What is still offered: real host names and addresses, every one ordinary.
    expect(observables.map((o) => [o.kind, o.value, o.role ?? 'direct'])).toEqual([
      ['email', 'dana@icloud.com', 'direct'],
      ['domain', 'apple.com', 'mention'],
      ['url', 'google.com/maps', 'mention'],
      ['url', 'https://www.ups.com/track?n=1Z', 'direct'],
      ['email', 'support@ups.com', 'mention'],
      ['domain', 'notevil-domain.com', 'mention'],
      ['domain', `${OPERATOR_DOMAIN}.attacker.net`, 'mention'],
      ['domain', 'evil-domain.co', 'mention'],
    ]);
  });
});
