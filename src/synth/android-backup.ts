/**
 * Android backups (`.ab`) as `adb backup` writes them (reference-spec §11): the header, optionally AES-256 with a
 * password (PBKDF2-SHA1 user key, a random master key wrapped with its Java-mangled checksum), optionally zlib,
 * and a ustar tar with the telephony provider's SMS and MMS backups (zlib-compressed JSON lists) plus whatever
 * other members a test needs (hostile names, large files). Seeded: the same options give the same messages.
 */
import { createCipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, deflateSync } from 'node:zlib';
import { Header } from 'tar';
import { javaMangledKey } from '../formats/android-backup.js';
import { LINK_TEXTS, MESSAGE_TEXTS, PATH_WORDS, SITES } from './_vocabulary.js';
import { mulberry32, type Random } from './random.js';

export const TELEPHONY_DIR = 'apps/com.android.providers.telephony/d_f';

export interface AbMember {
  readonly path: string;
  readonly data: Buffer;
  /** Default File; Directory and SymbolicLink for hostile-structure tests. */
  readonly type?: 'File' | 'Directory' | 'SymbolicLink';
  readonly linkpath?: string;
}

export interface AndroidBackupOptions {
  /** Messages of the SMS backup (objects as the telephony provider writes them). */
  readonly sms?: readonly Record<string, unknown>[];
  /** Messages of the MMS backup. */
  readonly mms?: readonly Record<string, unknown>[];
  /** Further members, written after the telephony ones (or `membersFirst`). */
  readonly members?: readonly AbMember[];
  readonly membersFirst?: boolean;
  /** Header version (Android 4.0: 1; 5 since Android 7). Default 5. */
  readonly version?: number;
  /** zlib-compress the payload. Default true. */
  readonly compressed?: boolean;
  /** Encrypt with AES-256 under this password. */
  readonly password?: string;
  /** PBKDF2 rounds for an encrypted backup: Android writes 10000; tests may use fewer. */
  readonly rounds?: number;
}

const MTIME = new Date(Date.UTC(2024, 4, 1, 10, 0, 0));

function tarHeader(path: string, type: 'File' | 'Directory' | 'SymbolicLink', size: number, linkpath?: string): Buffer {
  const block = Buffer.alloc(512);
  new Header({ path, type, size, mode: type === 'Directory' ? 0o755 : 0o600, mtime: MTIME, uid: 0, gid: 0, ...(linkpath ? { linkpath } : {}) }).encode(block, 0);
  return block;
}

/** A ustar tar of the members, with the end-of-archive blocks. */
export function tarOf(members: readonly AbMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const type = m.type ?? 'File';
    const size = type === 'File' ? m.data.length : 0;
    parts.push(tarHeader(m.path, type, size, m.linkpath));
    if (size > 0) parts.push(m.data, Buffer.alloc((512 - (size % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A telephony backup file: the messages as a zlib-compressed JSON list. */
export function telephonyBackupFile(messages: readonly Record<string, unknown>[]): Buffer {
  return deflateSync(Buffer.from(JSON.stringify(messages)));
}

/** The whole `.ab` file. */
export function buildAndroidBackup(options: AndroidBackupOptions = {}): Buffer {
  const telephony: AbMember[] = [];
  if (options.sms) telephony.push({ path: `${TELEPHONY_DIR}/000000_sms_backup`, data: telephonyBackupFile(options.sms) });
  if (options.mms) telephony.push({ path: `${TELEPHONY_DIR}/000001_mms_backup`, data: telephonyBackupFile(options.mms) });
  const extra = options.members ?? [];
  const tar = tarOf(options.membersFirst ? [...extra, ...telephony] : [...telephony, ...extra]);
  const version = options.version ?? 5;
  const compressed = options.compressed ?? true;
  let payload = compressed ? deflateSync(tar) : tar;
  const lines = ['ANDROID BACKUP', String(version), compressed ? '1' : '0'];
  if (options.password === undefined) return Buffer.concat([Buffer.from(`${[...lines, 'none'].join('\n')}\n`), payload]);

  const enc = encryptionHeader(options.password, options.rounds ?? 10_000, version);
  const cipher = createCipheriv('aes-256-cbc', enc.masterKey, enc.masterIv);
  payload = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.from(`${[...lines, ...enc.lines].join('\n')}\n`), payload]);
}

/** The encryption lines of the header (`AES-256`, salts, rounds, IV, wrapped master key) and the master key itself. */
function encryptionHeader(password: string, rounds: number, version: number): { lines: string[]; masterKey: Buffer; masterIv: Buffer } {
  const userSalt = randomBytes(64);
  const checksumSalt = randomBytes(64);
  const userIv = randomBytes(16);
  const masterKey = randomBytes(32);
  const masterIv = randomBytes(16);
  const userKey = pbkdf2Sync(Buffer.from(password, 'utf8'), userSalt, rounds, 32, 'sha1');
  const checksum = pbkdf2Sync(version > 1 ? javaMangledKey(masterKey) : masterKey, checksumSalt, rounds, 32, 'sha1');
  const blobPlain = Buffer.concat([Buffer.from([16]), masterIv, Buffer.from([32]), masterKey, Buffer.from([32]), checksum]);
  const wrap = createCipheriv('aes-256-cbc', userKey, userIv);
  const blob = Buffer.concat([wrap.update(blobPlain), wrap.final()]);
  const hex = (b: Buffer) => b.toString('hex').toUpperCase();
  return { lines: ['AES-256', hex(userSalt), hex(checksumSalt), String(rounds), hex(userIv), hex(blob)], masterKey, masterIv };
}

export interface LargeBackupOptions extends Pick<AndroidBackupOptions, 'sms' | 'mms' | 'password' | 'rounds'> {
  /** Bytes of other apps' data (files of 1 MB that compress about 2:1, like app databases and caches) after the SMS. */
  readonly padBytes: number;
  readonly seed: number;
}

/**
 * A large `.ab` streamed straight to `path` (v5, compressed, optionally encrypted), for benchmarks: the telephony
 * backups first, then `padBytes` of other apps' files. Memory stays flat whatever the size.
 */
export async function writeLargeAndroidBackup(path: string, options: LargeBackupOptions): Promise<number> {
  const version = 5;
  const enc = options.password === undefined ? null : encryptionHeader(options.password, options.rounds ?? 10_000, version);
  const head = `${['ANDROID BACKUP', String(version), '1', ...(enc ? enc.lines : ['none'])].join('\n')}\n`;
  const rng = mulberry32(options.seed);
  function* tarBlocks(): Iterable<Buffer> {
    const first: AbMember[] = [];
    if (options.sms) first.push({ path: `${TELEPHONY_DIR}/000000_sms_backup`, data: telephonyBackupFile(options.sms) });
    if (options.mms) first.push({ path: `${TELEPHONY_DIR}/000001_mms_backup`, data: telephonyBackupFile(options.mms) });
    yield tarOf(first).subarray(0, -1024);
    const file = Buffer.alloc(1024 * 1024);
    for (let i = 0, done = 0; done < options.padBytes; i++, done += file.length) {
      // Half random bytes, half text: compresses about 2:1, so inflation and decryption both do real work.
      for (let at = 0; at < file.length; at += 4) file.writeUInt32LE(at % 8 < 4 ? Math.floor(rng.next() * 2 ** 32) : 0x61626364, at);
      yield tarHeader(`apps/com.example.app${i % 50}/f/cache-${i}.bin`, 'File', file.length);
      yield file;
    }
    yield Buffer.alloc(1024);
  }
  const out = createWriteStream(path);
  out.write(head);
  const deflate = createDeflate({ level: 1 });
  if (enc) await pipeline(Readable.from(tarBlocks()), deflate, createCipheriv('aes-256-cbc', enc.masterKey, enc.masterIv), out);
  else await pipeline(Readable.from(tarBlocks()), deflate, out);
  return statSync(path).size;
}

export interface SmsPlant {
  readonly url: string;
  /** `{url}` is replaced by the url. Default: a parcel-delivery lure. */
  readonly text?: string;
  readonly address?: string;
}

/**
 * Ordinary messages (some with links to popular sites), an SMS as the telephony provider writes it, plus the
 * planted ones. Dates are milliseconds as text; about a third are sent.
 */
export function ordinarySms(seed: number, count: number, plants: readonly SmsPlant[] = []): Record<string, unknown>[] {
  const rng = mulberry32(seed);
  const start = Date.UTC(2024, 0, 8, 8, 0, 0);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * 3_600_000 + rng.int(0, 3_000_000);
    const sent = rng.chance(0.33);
    const body = rng.chance(0.25) ? rng.pick(LINK_TEXTS).replace('{url}', siteUrl(rng)) : rng.pick(MESSAGE_TEXTS);
    out.push(sms(`+3460${rng.int(1_000_000, 9_999_999)}`, body, at, sent));
  }
  plants.forEach((p, i) => {
    const body = (p.text ?? 'Your parcel could not be delivered. Reschedule delivery: {url}').replace('{url}', p.url);
    out.push(sms(p.address ?? '+15550100666', body, start + (count + i) * 3_600_000, false));
  });
  return out;
}

function sms(address: string, body: string, at: number, sent: boolean): Record<string, unknown> {
  return { address, body, date: String(at), date_sent: sent ? String(at + 1200) : '0', status: '-1', type: sent ? '2' : '1', recipients: [address], read: '1' };
}

/** One MMS with a text part, in the provider's MMS shape (`mms_body`, `mms_addresses`). */
export function mmsWithText(text: string, at: number): Record<string, unknown> {
  return {
    date: String(Math.floor(at / 1000)), // MMS dates are seconds, as the provider stores them (MVT reads them as ms)
    date_sent: '0',
    m_type: '132',
    v: '18',
    msg_box: '1',
    recipients: ['+34600000001'],
    tr_id: 'T17d8e',
    read: '1',
    mms_addresses: [{ type: 137, address: '+34600000001', charset: 106 }],
    mms_charset: 106,
    mms_body: text,
  };
}

function siteUrl(rng: Random): string {
  const site = rng.pick(SITES);
  return rng.chance(0.3) ? `https://${site.host}/` : `https://${site.host}/${rng.pick(PATH_WORDS)}/${rng.int(2022, 2024)}/${rng.pick(PATH_WORDS)}-${rng.hex(6)}`;
}
