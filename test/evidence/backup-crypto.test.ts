import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import {
  createDecryptStream,
  decryptWithKey,
  deriveBackupKey,
  deriveBackupKeySync,
  encryptWithKey,
  fileKey,
  manifestDbKey,
  unlockClassKeys,
  unwrapKey,
  WrongKeyError,
  wrapKey,
} from '../../src/evidence/backup-crypto.js';
import { decodeFileMeta } from '../../src/evidence/ios-backup.js';
import { openSqlite } from '../../src/evidence/sqlite.js';
import type { ClassKey, Keybag } from '../../src/formats/keybag.js';
import { mulberry32 } from '../../src/synth/random.js';
import { mvtIosBackup } from '../helpers/data.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const bytes = (n: number, from: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));
/** Arbitrary but repeatable content. */
const noise = (n: number, seed: number): Buffer => {
  const rng = mulberry32(seed);
  return Buffer.from(Array.from({ length: n }, () => rng.int(0, 255)));
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

// Known answers below were computed independently with Python (hashlib.pbkdf2_hmac; the `cryptography`
// package's aes_key_wrap and AES-CBC with PKCS7) when the tests were written.
const PASSWORD = 'correct horse battery staple';
const DERIVED = hex('f043e934bf4db26584391530119e3101561076552053d970794bca81b7cda6d8');

const keybagBase: Omit<Keybag, 'classKeys'> = { type: 1, uuid: bytes(16, 0), salt: bytes(20, 100), iter: 10, dpwt: 1, dpic: 1000, dpsl: bytes(20, 0) };

describe('RFC 3394 key wrap (node:crypto id-aes256-wrap)', () => {
  // RFC 3394 §4.6: wrap 256 bits of key data with a 256-bit KEK.
  const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
  const keyData = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
  const wrapped = hex('28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21');

  it('wraps and unwraps the §4.6 test vector', () => {
    expect(wrapKey(kek, keyData).equals(wrapped)).toBe(true);
    expect(unwrapKey(kek, wrapped).equals(keyData)).toBe(true);
  });

  it('handles the §4.1 vector (128-bit KEK, 128-bit key) too', () => {
    const kek128 = hex('000102030405060708090A0B0C0D0E0F');
    const wrapped128 = hex('1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5');
    expect(wrapKey(kek128, hex('00112233445566778899AABBCCDDEEFF')).equals(wrapped128)).toBe(true);
    expect(unwrapKey(kek128, wrapped128).toString('hex')).toBe('00112233445566778899aabbccddeeff');
  });

  it('a wrong KEK fails the integrity check with WrongKeyError', () => {
    const wrongKek = Buffer.from(kek);
    wrongKek.writeUInt8(wrongKek.readUInt8(31) ^ 1, 31);
    const err = thrown(() => unwrapKey(wrongKek, wrapped));
    expect(err).toBeInstanceOf(WrongKeyError);
    expect((err as Error).message).toBe('key unwrap integrity check failed (RFC 3394): the unwrapping key is wrong');
  });

  it('a damaged wrapped key also fails the integrity check', () => {
    const damaged = Buffer.from(wrapped);
    damaged.writeUInt8(damaged.readUInt8(20) ^ 0x80, 20);
    expect(thrown(() => unwrapKey(kek, damaged))).toBeInstanceOf(WrongKeyError);
  });

  it.each([
    ['too short', 16, 'wrapped key: 16 bytes (expected a multiple of 8, at least 24)'],
    ['not a multiple of 8', 39, 'wrapped key: 39 bytes (expected a multiple of 8, at least 24)'],
  ])('a wrapped key %s is a FormatError', (_name, length, message) => {
    const err = thrown(() => unwrapKey(kek, wrapped.subarray(0, length)));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe(message);
  });

  it('a KEK of the wrong size is a FormatError', () => {
    expect((thrown(() => unwrapKey(Buffer.alloc(20), wrapped)) as Error).message).toBe('key-encryption key: 20 bytes (expected 16, 24 or 32)');
  });
});

describe('deriveBackupKey', () => {
  it('iOS ≥ 10.2: PBKDF2-HMAC-SHA256 over DPSL/DPIC, then PBKDF2-HMAC-SHA1 over SALT/ITER', async () => {
    const key = await deriveBackupKey(PASSWORD, { ...keybagBase, classKeys: new Map() });
    expect(key.toString('hex')).toBe(DERIVED.toString('hex'));
  });

  it('before iOS 10.2 (no DPSL/DPIC): PBKDF2-HMAC-SHA1 of the password only', async () => {
    const { dpic: _dpic, dpsl: _dpsl, dpwt: _dpwt, ...old } = keybagBase;
    const key = await deriveBackupKey(PASSWORD, { ...old, classKeys: new Map() });
    expect(key.toString('hex')).toBe('45c4c2ce3322dd47668b9e82ca5f1fa03c4ca4b674cd2ba9ed47803e31165e41');
  });

  it('takes the password as UTF-8', async () => {
    const key = await deriveBackupKey('pässwörd🔑', { ...keybagBase, classKeys: new Map() });
    expect(key.toString('hex')).toBe('ab6af58ae716c36b325b995b48ef1bc689b672a92ae0fe4f2b1ca8c802bc0f55');
  });

  it('the synchronous variant (for the generator) gives the same key', () => {
    expect(deriveBackupKeySync(PASSWORD, { ...keybagBase, classKeys: new Map() }).equals(DERIVED)).toBe(true);
  });

  it('runs off the main thread: timers keep firing during the derivation', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await deriveBackupKey(PASSWORD, { ...keybagBase, dpic: 600_000, classKeys: new Map() });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });
});

/** A keybag whose class keys 1–11 are `bytes(32, 10·class)`, wrapped with `derived` (WRAP 3); class 11 device-only (WRAP 1). */
function keybagFor(derived: Buffer): { keybag: Keybag; keys: Map<number, Buffer> } {
  const keys = new Map<number, Buffer>();
  const classKeys = new Map<number, ClassKey>();
  for (let clas = 1; clas <= 11; clas++) {
    const key = bytes(32, clas * 10);
    const wrap = clas === 11 ? 1 : 3;
    if (wrap & 2) keys.set(clas, key);
    classKeys.set(clas, { clas, uuid: bytes(16, clas), wrap, ktyp: 0, wpky: wrapKey(derived, key) });
  }
  return { keybag: { ...keybagBase, classKeys }, keys };
}

describe('unlockClassKeys', () => {
  it('unwraps every class key wrapped with the passcode key, and only those', () => {
    const { keybag, keys } = keybagFor(DERIVED);
    const unlocked = unlockClassKeys(keybag, DERIVED);
    expect([...unlocked.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(unlocked).toEqual(keys);
    expect(unlocked.get(3)!.toString('hex')).toBe(bytes(32, 30).toString('hex'));
  });

  it('matches an independent wrap: class key bytes(32, 32) wrapped with the derived key', () => {
    const wpky = hex('9be49fac16425c481b0c555aee438be98c00d6f1aaf12fa7e74962311aab98b9e8a70193c1d3c8b0');
    const keybag: Keybag = { ...keybagBase, classKeys: new Map([[1, { clas: 1, uuid: bytes(16, 0), wrap: 3, wpky }]]) };
    expect(unlockClassKeys(keybag, DERIVED).get(1)!.equals(bytes(32, 32))).toBe(true);
  });

  it('a key derived from the wrong password is a WrongKeyError naming the first class', async () => {
    const { keybag } = keybagFor(DERIVED);
    const wrong = await deriveBackupKey('Tr0ub4dor&3', keybag);
    const err = thrown(() => unlockClassKeys(keybag, wrong));
    expect(err).toBeInstanceOf(WrongKeyError);
    expect((err as Error).message).toBe('the key does not unwrap class key 1 (wrong password or key)');
  });

  it('a derived key that is not 32 bytes (a bad key file) is a FormatError', () => {
    const { keybag } = keybagFor(DERIVED);
    expect((thrown(() => unlockClassKeys(keybag, DERIVED.subarray(0, 16))) as Error).message).toBe('backup key: 16 bytes (expected 32)');
  });

  it('a class key whose WPKY has a bad length is a FormatError naming the class', () => {
    const { keybag } = keybagFor(DERIVED);
    const classKeys = new Map(keybag.classKeys);
    classKeys.set(2, { ...classKeys.get(2)!, wpky: Buffer.alloc(12) });
    const err = thrown(() => unlockClassKeys({ ...keybag, classKeys }, DERIVED));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('BackupKeyBag: class key 2: wrapped key: 12 bytes (expected a multiple of 8, at least 24)');
  });
});

describe('manifestDbKey and fileKey', () => {
  const { keys } = keybagFor(DERIVED);
  const manifestKey = bytes(32, 200);
  const classPrefixed = (clas: number, wrapped: Buffer): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(clas, 0);
    return Buffer.concat([b, wrapped]);
  };

  it('ManifestKey: the little-endian class in the first 4 bytes picks the class key that unwraps the rest', () => {
    const stored = classPrefixed(4, wrapKey(keys.get(4)!, manifestKey));
    expect(stored.subarray(0, 4).toString('hex')).toBe('04000000');
    expect(manifestDbKey(stored, keys).equals(manifestKey)).toBe(true);
  });

  it('ManifestKey of the wrong length, for a missing class, or damaged → FormatError', () => {
    const good = classPrefixed(4, wrapKey(keys.get(4)!, manifestKey));
    expect((thrown(() => manifestDbKey(good.subarray(0, 40), keys)) as Error).message).toBe(
      'ManifestKey: 40 bytes (expected 44: a 4-byte protection class and a 40-byte wrapped key)',
    );
    expect((thrown(() => manifestDbKey(classPrefixed(11, good.subarray(4)), keys)) as Error).message).toBe(
      'ManifestKey: no unlocked key for protection class 11 (the keybag does not provide it)',
    );
    const damaged = Buffer.from(good);
    damaged.writeUInt8(damaged.readUInt8(10) ^ 1, 10);
    const err = thrown(() => manifestDbKey(damaged, keys));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('ManifestKey: the wrapped key does not unwrap with the protection class 4 key (damaged metadata)');
  });

  it('EncryptionKey: the class comes from ProtectionClass, not from the 4-byte copy', () => {
    const perFile = bytes(32, 77);
    const stored = classPrefixed(9, wrapKey(keys.get(3)!, perFile)); // a stale class copy must not matter
    expect(fileKey(stored, 3, keys).equals(perFile)).toBe(true);
  });

  it('EncryptionKey for a class the keybag does not unlock names the class', () => {
    const stored = classPrefixed(11, wrapKey(bytes(32, 110), bytes(32, 1)));
    const err = thrown(() => fileKey(stored, 11, keys));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('EncryptionKey: no unlocked key for protection class 11 (the keybag does not provide it)');
  });
});

describe('decryptWithKey / encryptWithKey (AES-256-CBC, zero IV)', () => {
  const key = bytes(32, 0);
  const plaintext = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.from('tracehound')]); // 26 bytes
  const ciphertext = hex('46a118800793b92cb787b9122925db2e410ce7b3483dce9fd613e98ef6d1fe5d');

  it('encrypts as iOS does (PKCS#7 padding) and decrypts to the MBFile Size', () => {
    expect(encryptWithKey(key, plaintext).equals(ciphertext)).toBe(true);
    expect(decryptWithKey(key, ciphertext, 26).equals(plaintext)).toBe(true);
  });

  it('without a size the padding stays (no padding removal, as the reference does)', () => {
    const raw = decryptWithKey(key, ciphertext);
    expect(raw).toHaveLength(32);
    expect(raw.subarray(26).equals(Buffer.alloc(6, 6))).toBe(true);
  });

  it.each([0, 1, 15, 16, 17, 4096, 100_003])('round-trips %i bytes; a multiple of 16 gains a whole padding block', (n) => {
    const data = noise(n, n);
    const enc = encryptWithKey(key, data);
    expect(enc.length).toBe((Math.floor(n / 16) + 1) * 16);
    expect(decryptWithKey(key, enc, n).equals(data)).toBe(true);
  });

  it('a ciphertext cut mid-block is a FormatError naming both lengths', () => {
    const err = thrown(() => decryptWithKey(key, ciphertext.subarray(0, 20), 26, 'sms.db (HomeDomain/Library/SMS/sms.db)'));
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('sms.db (HomeDomain/Library/SMS/sms.db): truncated ciphertext: 20 bytes for a file of 26 bytes');
  });

  it('a ciphertext cut at a block boundary but shorter than the file is a FormatError', () => {
    expect((thrown(() => decryptWithKey(key, ciphertext.subarray(0, 16), 26)) as Error).message).toBe(
      'encrypted file: truncated ciphertext: 16 bytes for a file of 26 bytes',
    );
  });

  it('without a size, a length that is not whole blocks is a FormatError', () => {
    expect((thrown(() => decryptWithKey(key, ciphertext.subarray(0, 31))) as Error).message).toBe(
      'encrypted file: truncated ciphertext: 31 bytes for a multiple of the 16-byte AES block',
    );
  });
});

describe('createDecryptStream', () => {
  const key = bytes(32, 5);
  const data = noise(1_000_037, 1);
  const enc = encryptWithKey(key, data);

  async function decryptChunked(cipher: Buffer, size: number, chunkSizes: () => number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for (let at = 0; at < cipher.length; ) {
      const n = Math.min(chunkSizes(), cipher.length - at);
      chunks.push(cipher.subarray(at, at + n));
      at += n;
    }
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks), createDecryptStream(key, size), async (source: AsyncIterable<Buffer>) => {
      for await (const c of source) out.push(c);
    });
    return Buffer.concat(out);
  }

  it.each([
    ['64 KiB chunks', () => 65_536],
    ['odd 7-byte chunks', () => 7],
    ['random chunk sizes', ((rng) => () => rng.int(1, 50_000))(mulberry32(3))],
  ])('gives the same bytes as decryptWithKey with %s', async (_name, sizes) => {
    const plain = await decryptChunked(enc, data.length, sizes);
    expect(plain.length).toBe(data.length);
    expect(plain.equals(data)).toBe(true);
  });

  it('fails with the truncated-ciphertext FormatError when the stream ends early', async () => {
    const err = await decryptChunked(enc.subarray(0, 500_000), data.length, () => 65_536).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toBe('encrypted file: truncated ciphertext: 500000 bytes for a file of 1000037 bytes');
  });

  it('fails when the stream length is not whole blocks', async () => {
    const err = await decryptChunked(enc.subarray(0, enc.length - 3), data.length, () => 65_536).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`encrypted file: truncated ciphertext: ${enc.length - 3} bytes for a file of 1000037 bytes`);
  });
});

describe('MBFile metadata of an encrypted backup (decodeFileMeta)', () => {
  it('gives the 44-byte EncryptionKey and the ProtectionClass of a row of the MVT test backup', () => {
    // The MVT test backup is a decrypted copy of an encrypted one: its Manifest.db still holds every file's key.
    const handle = openSqlite({ kind: 'buffer', data: readFileSync(join(mvtIosBackup(), 'Manifest.db')) }, 'Manifest.db');
    try {
      const row = handle.db.prepare("SELECT file FROM Files WHERE fileID = 'e79835db903d8fd76a82abf9dda1294ec027e317'").get() as { file: Buffer };
      const meta = decodeFileMeta(row.file);
      expect(meta.protectionClass).toBe(3);
      expect(meta.size).toBe(0);
      expect(meta.encryptionKey!.toString('hex')).toBe('03000000ce407b1da34422e4b1b27b6eef7792e68cc6e5986431071a15fe7c50006afce2354974bedaa69321');
      const counts = handle.db.prepare('SELECT flags, file FROM Files').all() as { flags: number; file: Buffer }[];
      const withKey = counts.filter((r) => decodeFileMeta(r.file).encryptionKey?.length === 44);
      // Every file row (flags 1) carries a key; folders and symlinks do not.
      expect(withKey.every((r) => r.flags === 1)).toBe(true);
      expect(withKey.length).toBe(counts.filter((r) => r.flags === 1).length);
      expect(withKey.length).toBe(1089);
    } finally {
      handle.close();
    }
  });

  it('gives no key for an unencrypted backup entry', () => {
    expect(decodeFileMeta(null)).toEqual({});
  });
});
