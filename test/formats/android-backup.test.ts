/**
 * The `.ab` decoder (reference-spec §11) on MVT's four test backups and on generated ones: the header, the
 * master key (with Java's checksum quirk), the tar's SHA-256 (§11.1's vectors), and one line for every way a
 * file can be wrong (test_backup_parser.py's incomplete and truncated headers among them).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { abTarStream, javaMangledKey, parseAbHeader, slices, unlockAbMasterKey, WrongBackupPasswordError, MAX_AB_PBKDF2_ROUNDS, type AbHeader, type AbMasterKey } from '../../src/formats/android-backup.js';
import { buildAndroidBackup } from '../../src/synth/android-backup.js';
import { shared } from '../helpers/data.js';

const ab = (...p: string[]) => readFileSync(shared('mvt-test-artifacts', ...p));

async function tarOf(file: Buffer, password?: string, limits: { maxRatio?: number; maxBytes?: number } = {}): Promise<Buffer> {
  const header = parseAbHeader(file);
  const masterKey: AbMasterKey | undefined = header.crypto ? await unlockAbMasterKey(header, password ?? '') : undefined;
  const payload = file.subarray(header.payloadOffset);
  const parts: Buffer[] = [];
  for await (const chunk of abTarStream(header, slices(payload, 64), { ...(masterKey ? { masterKey } : {}), payloadBytes: payload.length, maxRatio: limits.maxRatio ?? 1100, maxBytes: limits.maxBytes ?? 2 ** 40 })) parts.push(chunk);
  return Buffer.concat(parts);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the header', () => {
  it.each([
    ['android_backup/backup.ab', { version: 1, compressed: true, encryption: 'none', payloadOffset: 24 }],
    ['android_backup/backup2.ab', { version: 5, compressed: false, encryption: 'AES-256' }],
    ['android_backup/backup3.ab', { version: 5, compressed: true, encryption: 'none', payloadOffset: 24 }],
  ])('%s', (path, expected) => {
    expect(parseAbHeader(ab(...path.split('/')))).toMatchObject(expected);
  });

  it('an encrypted header carries the salts, rounds, IV and master key blob of the file', () => {
    const h = parseAbHeader(ab('android_backup', 'backup2.ab'));
    expect(h.crypto!.userSalt).toHaveLength(64);
    expect(h.crypto!.checksumSalt).toHaveLength(64);
    expect(h.crypto!.rounds).toBe(10_000);
    expect(h.crypto!.userIv.toString('hex')).toBe('dabba5ca94a12462a1a0e60593da6c01');
    expect(h.crypto!.masterKeyBlob).toHaveLength(96);
  });

  it.each([
    ['not a backup', Buffer.from('PK\u0003\u0004 a zip'), 'Android backup: not an Android backup (expected a file starting with "ANDROID BACKUP")'],
    ['an empty file', Buffer.alloc(0), 'Android backup: not an Android backup (expected a file starting with "ANDROID BACKUP")'],
    ['the magic alone (MVT: "incomplete header")', Buffer.from('ANDROID BACKUP\n'), 'Android backup: incomplete header: 1 of its 4 lines (expected "ANDROID BACKUP", the version, the compression flag and the encryption)'],
    ['a version that is no number', Buffer.from('ANDROID BACKUP\nfive\n1\nnone\n'), 'Android backup: invalid header: version "five" (expected a whole number)'],
    ['a compression flag other than 0 or 1', Buffer.from('ANDROID BACKUP\n5\nyes\nnone\n'), 'Android backup: invalid header: compression flag "yes" (expected 0 or 1)'],
    ['a truncated encrypted header (MVT: "Invalid encrypted backup header")', ab('android_backup', 'backup2.ab').subarray(0, 200), 'Android backup: invalid encrypted backup header: truncated after 1 of its 5 lines (expected the user salt, checksum salt, rounds, IV and master key blob)'],
    ['a salt that is not hex', Buffer.from('ANDROID BACKUP\n5\n0\nAES-256\nXYZ\nAA\n10000\n' + '00'.repeat(16) + '\n' + '00'.repeat(48) + '\n'), 'Android backup: invalid encrypted backup header: the user salt is not hexadecimal (expected bytes in hex)'],
    ['an IV of the wrong length', Buffer.from('ANDROID BACKUP\n5\n0\nAES-256\nAA\nAA\n10000\n' + '00'.repeat(8) + '\n' + '00'.repeat(48) + '\n'), 'Android backup: invalid encrypted backup header: a 8-byte IV (expected 16 bytes)'],
    ['rounds far above what Android writes (a time bomb)', Buffer.from(`ANDROID BACKUP\n5\n0\nAES-256\nAA\nAA\n${MAX_AB_PBKDF2_ROUNDS + 1}\n${'00'.repeat(16)}\n${'00'.repeat(48)}\n`), `Android backup: invalid encrypted backup header: ${MAX_AB_PBKDF2_ROUNDS + 1} PBKDF2 rounds, above the limit of ${MAX_AB_PBKDF2_ROUNDS} (Android writes 10000)`],
    ['a header line longer than any real one', Buffer.from(`ANDROID BACKUP\n${'1'.repeat(5000)}\n1\nnone\n`), 'Android backup: incomplete header: 1 of its 4 lines (expected "ANDROID BACKUP", the version, the compression flag and the encryption)'],
  ])('%s: one line', (_, data, message) => {
    expect(() => parseAbHeader(data)).toThrow(FormatError);
    expect(() => parseAbHeader(data)).toThrow(message);
  });
});

describe('the tar inside (§11.1 test vectors)', () => {
  it('backup.ab (v1, compressed, plain)', async () => {
    expect(sha256(await tarOf(ab('android_backup', 'backup.ab')))).toBe('ce1ac5009fea5187a9f546b51e1446ba450243ae91d31dc779233ec0937b5d18');
  });
  it('backup2.ab (v5, uncompressed, AES-256, password 123456)', async () => {
    expect(sha256(await tarOf(ab('android_backup', 'backup2.ab'), '123456'))).toBe('f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896');
  });
  it('backup3.ab (v5, compressed, plain)', async () => {
    expect(sha256(await tarOf(ab('android_backup', 'backup3.ab')))).toBe('33e73df2ede9798dcb3a85c06200ee41c8f52dd2f2e50ffafcceb0407bc13e3a');
  });
  it('androidqf_encrypted/backup.ab is backup2.ab', async () => {
    expect(sha256(await tarOf(ab('androidqf_encrypted', 'backup.ab'), '123456'))).toBe('f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896');
  });
});

describe('the master key', () => {
  it('a wrong password is refused by the checksum, as WrongBackupPasswordError', async () => {
    const header = parseAbHeader(ab('android_backup', 'backup2.ab'));
    await expect(unlockAbMasterKey(header, '654321')).rejects.toThrow(WrongBackupPasswordError);
  });

  it('Java\'s byte-to-char conversion: bytes below 0x80 kept, the others three UTF-8 bytes of U+FF80..U+FFFF', () => {
    expect(javaMangledKey(Buffer.from([0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff])).toString('hex')).toBe('007f' + 'efbe80' + 'efbebf' + 'efbf80' + 'efbfbf');
    expect(javaMangledKey(Buffer.from([0x80])).toString('utf8')).toBe('\uff80');
  });

  it.each([1, 2, 5])('a generated version-%i backup opens with its password (the checksum over the raw key for v1, the mangled key after)', async (version) => {
    const file = buildAndroidBackup({ version, password: 'correct horse', rounds: 100, sms: [{ address: '1', body: 'hi', date: '1', date_sent: '0' }] });
    const tar = await tarOf(file, 'correct horse');
    expect(tar.subarray(0, 100).toString('latin1')).toContain('apps/com.android.providers.telephony/d_f/000000_sms_backup');
    await expect(tarOf(file, 'correct horse!')).rejects.toThrow(WrongBackupPasswordError);
  });

  it('a non-ASCII password is taken as UTF-8', async () => {
    const file = buildAndroidBackup({ password: 'contraseña✓', rounds: 50, sms: [] });
    expect((await tarOf(file, 'contraseña✓')).length).toBeGreaterThan(0);
  });
});

describe('a damaged payload', () => {
  it('a truncated zlib stream gives the tar bytes it held, without an error (the tar walker says where it broke)', async () => {
    const file = ab('android_backup', 'backup3.ab');
    const whole = await tarOf(file);
    const cut = await tarOf(file.subarray(0, Math.floor(file.length * 0.8)));
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(whole.length);
    expect(whole.subarray(0, cut.length).equals(cut)).toBe(true);
  });

  it('a truncated encrypted payload ends with one line saying the encrypted data is damaged or truncated', async () => {
    const file = ab('android_backup', 'backup2.ab');
    await expect(tarOf(file.subarray(0, file.length - 7), '123456')).rejects.toThrow(/^Android backup: the encrypted data is damaged or truncated after \d+ bytes of tar data \(.+\)$/);
  });

  it('a zlib stream that is not zlib is one line', async () => {
    const file = Buffer.concat([Buffer.from('ANDROID BACKUP\n5\n1\nnone\n'), Buffer.from('this is not zlib data at all')]);
    await expect(tarOf(file)).rejects.toThrow(/^Android backup: the zlib stream is damaged after 0 bytes of tar data/);
  });

  it('a zlib bomb is cut at the ratio bound, not inflated', async () => {
    const zeros = deflateSync(Buffer.alloc(8 * 1024 * 1024));
    const file = Buffer.concat([Buffer.from('ANDROID BACKUP\n5\n1\nnone\n'), zeros]);
    await expect(tarOf(file, undefined, { maxRatio: 100 })).rejects.toThrow(`Android backup: the payload decompresses past ${zeros.length * 100} bytes (100x the ${zeros.length}-byte payload, or the total limit): stopped (zlib bomb?)`);
  });

  it('an encryption other than AES-256 is refused in one line', async () => {
    const header: AbHeader = parseAbHeader(Buffer.from('ANDROID BACKUP\n5\n1\nROT13\n'));
    expect(header.encryption).toBe('ROT13');
    const run = async () => {
      for await (const _ of abTarStream(header, [], { payloadBytes: 0, maxRatio: 1, maxBytes: 1 })) void _;
    };
    await expect(run()).rejects.toThrow('Android backup: encryption "ROT13" is not supported (expected none or AES-256)');
  });
});
