import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import smsAttachments, { type SmsAttachmentRecord } from '../../../src/artifacts/ios/sms_attachments.js';
import { parseBackup } from '../../helpers/artifacts.js';
import { mvtIosBackup, shared } from '../../helpers/data.js';
import { insertHandle, insertMessage, smsBackup, smsDbBytes, smsWithWal } from '../../fixtures/sms.js';
import type Database from 'better-sqlite3';
import { pythonDescription } from '../../../src/report/mvt/compat.js';

function insertAttachment(
  db: Database.Database,
  a: { guid: string; filename: string | null; is_outgoing?: number; created_date?: number; transfer_name?: string; total_bytes?: number; user_info?: Buffer | null; message?: number },
): number {
  const id = Number(
    db
      .prepare('INSERT INTO attachment (guid, created_date, start_date, filename, mime_type, is_outgoing, user_info, transfer_name, total_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.guid, a.created_date ?? 0, 0, a.filename, 'image/gif', a.is_outgoing ?? 0, a.user_info ?? null, a.transfer_name ?? null, a.total_bytes ?? 0).lastInsertRowid,
  );
  if (a.message !== undefined) db.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)').run(a.message, id);
  return id;
}

describe('ios.sms_attachments on the MVT test backup', () => {
  it('finds no attachment table in the trimmed sms.db and says so, naming the file', async () => {
    const { records, coverage } = await parseBackup<SmsAttachmentRecord>(smsAttachments, mvtIosBackup());
    expect(records).toEqual([]);
    expect(coverage.state).toBe('failed');
    expect(coverage.issues).toHaveLength(1);
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-table' });
    expect(coverage.issues[0]!.message).toBe('sms.db (HomeDomain/Library/SMS/sms.db, 3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28): no table attachment');
  });
});

describe('ios.sms_attachments on plaso\'s Messages chat.db', () => {
  it('reads the one attachment (an older schema without is_sticker) and its stored path', async () => {
    const data = readFileSync(shared('samples', 'plaso', 'test_data', 'sqlite', 'imessage_chat.db'));
    const { records, timeline, observables, coverage } = await parseBackup<SmsAttachmentRecord>(smsAttachments, smsBackup(data));
    expect(coverage.state).toBe('parsed');
    expect(coverage.issues).toEqual([]);
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toMatchObject({
      ROWID: 1,
      attachment_id: 1,
      guid: '04804C3D-B31B-4C07-B3A3-BA3B39694B96',
      created_date: 472146623,
      filename: '~/Library/Messages/Attachments/89/09/04804C3D-B31B-4C07-B3A3-BA3B39694B96/sslsplit.der',
      uti: 'public.x509-certificate',
      mime_type: 'application/x-x509-ca-cert',
      transfer_name: 'sslsplit.der',
      total_bytes: 712,
      is_outgoing: 0,
      is_sticker: null,
      user_info: null,
      has_user_info: false,
      direction: 'received',
      // The join row points at message 21, which this sample no longer has: no service, no sender.
      service: 'Unknown',
      phone_number: null,
    });
    expect(r.isodate?.mvt()).toBe('2015-12-18 15:50:23.000000');
    expect(r.start_date?.mvt()).toBe('2015-12-18 15:50:23.000000');
    expect(timeline.map((e) => ({ ...e, description: pythonDescription(e.description) }))).toEqual([
      { time: r.isodate, event: 'sms_attachment', description: "Unknown: Attachment 'sslsplit.der' received from None with 712 bytes (is_sticker: None, has_user_info: False)" },
    ]);
    expect(observables).toEqual([
      { kind: 'file_path', value: '~/Library/Messages/Attachments/89/09/04804C3D-B31B-4C07-B3A3-BA3B39694B96/sslsplit.der', field: 'filename', role: 'mention' },
    ]);
  });
});

describe('ios.sms_attachments on built sms.db fixtures', () => {
  it('joins message service and sender, base64-encodes user_info and skips NULL file names as observables', async () => {
    const data = smsDbBytes((db) => {
      const h = insertHandle(db, '+14155550100');
      const m = insertMessage(db, { guid: 'm1', text: null, handle_id: h, date: 650000000000000000n });
      insertAttachment(db, { guid: 'a1', filename: '/var/tmp/com.apple.messages/F7A5/IMG_0001.GIF-1', created_date: 650000000, transfer_name: 'IMG_0001.GIF', total_bytes: 4096, user_info: Buffer.from([1, 2, 3]), message: m });
      insertAttachment(db, { guid: 'a2', filename: null, is_outgoing: 1, created_date: 650000100, transfer_name: 'out.jpg', total_bytes: 10, message: m });
    });
    const { records, timeline, observables, coverage } = await parseBackup<SmsAttachmentRecord>(smsAttachments, smsBackup(data));
    expect(coverage.issues).toEqual([]);
    expect(records.map((r) => [r.guid, r.filename, r.direction, r.service, r.phone_number, r.user_info, r.has_user_info])).toEqual([
      ['a1', '/var/tmp/com.apple.messages/F7A5/IMG_0001.GIF-1', 'received', 'iMessage', '+14155550100', 'AQID', true],
      ['a2', 'NULL', 'sent', 'iMessage', '+14155550100', null, false],
    ]);
    expect(records[0]!.isodate?.mvt()).toBe('2021-08-07 03:33:20.000000');
    expect(pythonDescription(timeline[0]!.description)).toBe("iMessage: Attachment 'IMG_0001.GIF' received from +14155550100 with 4096 bytes (is_sticker: 0, has_user_info: True)");
    expect(observables).toEqual([{ kind: 'file_path', value: '/var/tmp/com.apple.messages/F7A5/IMG_0001.GIF-1', field: 'filename', role: 'mention' }]);
  });

  it('reads attachments when the join tables are absent (service Unknown, no sender)', async () => {
    const data = smsDbBytes(
      (db) => void db.prepare("INSERT INTO attachment (guid, filename, created_date, is_outgoing) VALUES ('lonely', '~/Library/SMS/Attachments/x.heic', 600000000, 0)").run(),
      'CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, created_date INTEGER, start_date INTEGER, filename TEXT, is_outgoing INTEGER, transfer_name TEXT, total_bytes INTEGER);',
    );
    const { records, coverage } = await parseBackup<SmsAttachmentRecord>(smsAttachments, smsBackup(data));
    expect(coverage.state).toBe('parsed');
    expect(records.map((r) => [r.guid, r.service, r.phone_number])).toEqual([['lonely', 'Unknown', null]]);
  });

  it('marks attachments that exist only in the backed-up sms.db-wal', async () => {
    const backup = smsWithWal(
      (db) => void insertAttachment(db, { guid: 'old', filename: '~/Library/SMS/Attachments/a.jpg' }),
      (db) => void insertAttachment(db, { guid: 'new', filename: '/var/tmp/x-1' }),
    );
    const { items } = await parseBackup<SmsAttachmentRecord>(smsAttachments, backup);
    expect(items.map((i) => [i.record.guid, i.source.at])).toEqual([
      ['old', { table: 'attachment', rowid: 1 }],
      ['new', { table: 'attachment', rowid: 2, inWal: true }],
    ]);
  });

  it('fails with a message naming sms.db when attachment lacks a required column', async () => {
    const data = smsDbBytes(() => {}, 'CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, guid TEXT, created_date INTEGER);');
    const { coverage } = await parseBackup<SmsAttachmentRecord>(smsAttachments, smsBackup(data));
    expect(coverage.state).toBe('failed');
    expect(coverage.issues[0]).toMatchObject({ code: 'missing-column' });
    expect(coverage.issues[0]!.message).toContain('sms.db');
    expect(coverage.issues[0]!.message).toContain('table attachment lacks column(s) filename, is_outgoing');
  });
});
