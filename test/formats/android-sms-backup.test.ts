/** The telephony backup decoder (reference-spec §11.3): zlib, then a JSON list of message objects; one line otherwise. */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { decodeSmsBackupFile } from '../../src/formats/android-sms-backup.js';
import { shared } from '../helpers/data.js';

const dir = () => shared('mvt-test-artifacts', 'android_backup', 'apps', 'com.android.providers.telephony', 'd_f');

describe('decodeSmsBackupFile', () => {
  it('MVT\'s SMS and MMS backups: one message each, as stored', () => {
    const sms = decodeSmsBackupFile(readFileSync(`${dir()}/000000_sms_backup`), 'sms');
    expect(sms).toEqual({ entries: [expect.objectContaining({ address: '06543219', date: '1645543781956', type: '6' })], skipped: 0 });
    const mms = decodeSmsBackupFile(readFileSync(`${dir()}/000001_mms_backup`), 'mms');
    expect(mms.entries).toHaveLength(1);
    expect(mms.entries[0]).toMatchObject({ mms_body: 'Very suspicious MMS, click on this link http://google.com', m_type: '132' });
  });

  it('items that are not objects are counted, not kept', () => {
    expect(decodeSmsBackupFile(deflateSync('[{"body":"a"}, null, [1], "x", {"body":"b"}]'), 'f')).toEqual({ entries: [{ body: 'a' }, { body: 'b' }], skipped: 3 });
  });

  it.each([
    ['not zlib', Buffer.from('[{"body":"a"}]'), /^f: not zlib-compressed data \(expected a telephony SMS\/MMS backup\): .+$/],
    ['zlib but not JSON', deflateSync('{{{'), /^f: not valid JSON once inflated \(.+\)$/],
    // Found by fuzzing: JSON.parse quotes the input, control characters and all; the message stays one line.
    ['JSON after a CR and a control byte', deflateSync(Buffer.from('\r\u0001[{"date":"1"}]', 'latin1')), /^f: not valid JSON once inflated \(\P{Cc}+\)$/u],
    ['JSON that is an object', deflateSync('{"body":"a"}'), /^f: expected a JSON list of messages, found an object$/],
    ['JSON that is a number', deflateSync('42'), /^f: expected a JSON list of messages, found a number$/],
  ])('%s: one FormatError line', (_, data, message) => {
    expect(() => decodeSmsBackupFile(data, 'f')).toThrow(FormatError);
    expect(() => decodeSmsBackupFile(data, 'f')).toThrow(message);
  });
});
