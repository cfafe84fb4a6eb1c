import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { encodeKeybag, keybagLimits, parseKeybag, type ClassKey, type Keybag } from '../../src/formats/keybag.js';

const bytes = (n: number, from: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

function classKey(clas: number): ClassKey {
  return { clas, uuid: bytes(16, clas * 16), wrap: 3, ktyp: 0, wpky: bytes(40, clas) };
}

/** A keybag shaped like an iOS ≥ 10.2 backup keybag: header blocks, then class keys 1–11. */
const sample: Keybag = {
  version: 5,
  type: 1,
  uuid: bytes(16, 0xa0),
  hmck: bytes(40, 0x40),
  wrap: 0,
  salt: bytes(20, 100),
  iter: 10_000,
  dpwt: 1,
  dpic: 10_000_000,
  dpsl: bytes(20, 0),
  classKeys: new Map(Array.from({ length: 11 }, (_, i) => [i + 1, classKey(i + 1)] as const)),
};

/** One TLV block, for hand-built keybags. */
function tlv(tag: string, value: Buffer | number): Buffer {
  const v = typeof value === 'number' ? Buffer.from([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]) : value;
  const head = Buffer.alloc(8);
  head.write(tag, 0, 'latin1');
  head.writeUInt32BE(v.length, 4);
  return Buffer.concat([head, v]);
}

function formatErrorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error('expected a FormatError');
}

describe('parseKeybag / encodeKeybag', () => {
  it('round-trips a backup keybag: every header field and all eleven class keys', () => {
    const encoded = encodeKeybag(sample);
    const parsed = parseKeybag(encoded);
    expect(parsed).toEqual(sample);
    expect([...parsed.classKeys.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(parsed.classKeys.get(4)).toEqual({ clas: 4, uuid: bytes(16, 64), wrap: 3, ktyp: 0, wpky: bytes(40, 4) });
    // Same bytes back: encode(parse(x)) = x.
    expect(encodeKeybag(parsed).equals(encoded)).toBe(true);
  });

  it('writes the blocks in iOS order with big-endian lengths and integers', () => {
    const encoded = encodeKeybag(sample);
    const tags: string[] = [];
    for (let at = 0; at < encoded.length; at += 8 + encoded.readUInt32BE(at + 4)) tags.push(encoded.toString('latin1', at, at + 4));
    expect(tags.slice(0, 14)).toEqual(['VERS', 'TYPE', 'UUID', 'HMCK', 'WRAP', 'SALT', 'ITER', 'DPWT', 'DPIC', 'DPSL', 'UUID', 'CLAS', 'WRAP', 'KTYP']);
    expect(tags).toHaveLength(10 + 11 * 5);
    // VERS: tag, length 4, value 5.
    expect(encoded.subarray(0, 12).toString('hex')).toBe('56455253' + '00000004' + '00000005');
    // DPIC 10,000,000 = 0x00989680.
    const dpic = encoded.indexOf('DPIC', 0, 'latin1');
    expect(encoded.subarray(dpic + 8, dpic + 12).toString('hex')).toBe('00989680');
  });

  it('reads a keybag from before iOS 10.2: no DPWT/DPIC/DPSL, no VERS', () => {
    const old = Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('WRAP', 0), tlv('SALT', bytes(20, 2)), tlv('ITER', 10_000), tlv('UUID', bytes(16, 3)), tlv('CLAS', 3), tlv('WRAP', 2), tlv('WPKY', bytes(40, 4))]);
    const k = parseKeybag(old);
    expect(k).toEqual({
      type: 1,
      uuid: bytes(16, 1),
      wrap: 0,
      salt: bytes(20, 2),
      iter: 10_000,
      classKeys: new Map([[3, { clas: 3, uuid: bytes(16, 3), wrap: 2, wpky: bytes(40, 4) }]]),
    });
  });

  it('skips the public key (PBKY) of an asymmetric class and unknown blocks', () => {
    const bag = Buffer.concat([
      tlv('TYPE', 1),
      tlv('UUID', bytes(16, 1)),
      tlv('SALT', bytes(20, 2)),
      tlv('ITER', 10),
      tlv('XTRA', bytes(3, 0)),
      tlv('UUID', bytes(16, 3)),
      tlv('CLAS', 2),
      tlv('WRAP', 3),
      tlv('KTYP', 1),
      tlv('WPKY', bytes(40, 4)),
      tlv('PBKY', bytes(32, 5)),
    ]);
    expect(parseKeybag(bag).classKeys.get(2)).toEqual({ clas: 2, uuid: bytes(16, 3), wrap: 3, ktyp: 1, wpky: bytes(40, 4) });
  });
});

describe('parseKeybag on damaged input', () => {
  const good = encodeKeybag(sample);

  it('a keybag cut in the middle of a block header names the offset', () => {
    // VERS (12) + TYPE (12) + 5 bytes of the UUID block header.
    const err = formatErrorOf(() => parseKeybag(good.subarray(0, 29)));
    expect(err.message).toBe('BackupKeyBag: truncated block header at offset 24 (5 bytes left, a block header needs 8)');
    expect(err.what).toBe('BackupKeyBag');
  });

  it('a keybag cut in the middle of a value says how many bytes were declared and how many remain', () => {
    // UUID header at 24, value 16 bytes: cut after 10 of them.
    const err = formatErrorOf(() => parseKeybag(good.subarray(0, 24 + 8 + 10)));
    expect(err.message).toBe('BackupKeyBag: UUID at offset 24 declares 16 bytes but only 10 remain');
  });

  it('a block length far past the end is refused, not read', () => {
    const bag = Buffer.from(good);
    bag.writeUInt32BE(0xfffffff0, 4); // VERS claims ~4 GB
    expect(good.length).toBe(200 + 11 * 108); // header blocks + eleven 108-byte class keys
    expect(formatErrorOf(() => parseKeybag(bag)).message).toBe('BackupKeyBag: VERS at offset 0 declares 4294967280 bytes but only 1380 remain');
  });

  it('bytes that are not a tag are refused with their offset', () => {
    const bag = Buffer.concat([good.subarray(0, 12), Buffer.from([0, 1, 2, 3, 0, 0, 0, 0])]);
    expect(formatErrorOf(() => parseKeybag(bag)).message).toBe('BackupKeyBag: not a keybag tag (0x00010203) at offset 12');
  });

  it('an integer block that is not 4 bytes long is refused', () => {
    const bag = Buffer.concat([tlv('TYPE', Buffer.from([0, 1])), tlv('UUID', bytes(16, 1))]);
    expect(formatErrorOf(() => parseKeybag(bag)).message).toBe('BackupKeyBag: TYPE at offset 0 has 2 bytes (expected a 4-byte integer)');
  });

  it.each([
    ['empty', Buffer.alloc(0), 'BackupKeyBag: empty keybag'],
    ['no SALT', Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('ITER', 10)]), 'BackupKeyBag: no SALT block (the PBKDF2 salt)'],
    ['no ITER', Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('SALT', bytes(20, 1))]), 'BackupKeyBag: no ITER block (the PBKDF2 iteration count)'],
    ['DPIC without DPSL', Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('SALT', bytes(20, 1)), tlv('ITER', 10), tlv('DPIC', 10)]), 'BackupKeyBag: DPIC without DPSL (the SHA-256 stage needs both)'],
    [
      'a class key without WPKY',
      Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('SALT', bytes(20, 1)), tlv('ITER', 10), tlv('UUID', bytes(16, 2)), tlv('CLAS', 3), tlv('WRAP', 2)]),
      'BackupKeyBag: class key at offset 76 (class 3) has no WPKY',
    ],
    [
      'a repeated class',
      Buffer.concat([
        tlv('TYPE', 1),
        tlv('UUID', bytes(16, 1)),
        tlv('SALT', bytes(20, 1)),
        tlv('ITER', 10),
        ...[0, 1].flatMap((i) => [tlv('UUID', bytes(16, i)), tlv('CLAS', 3), tlv('WRAP', 2), tlv('WPKY', bytes(40, 0))]),
      ]),
      'BackupKeyBag: class key at offset 172 repeats class 3',
    ],
  ])('%s → FormatError', (_name, bag, message) => {
    expect(formatErrorOf(() => parseKeybag(bag)).message).toBe(message);
  });
});

describe('keybagLimits: PBKDF2 iteration counts', () => {
  const withCounts = (iter: number, dpic: number): Buffer =>
    Buffer.concat([tlv('TYPE', 1), tlv('UUID', bytes(16, 1)), tlv('SALT', bytes(20, 1)), tlv('ITER', iter), tlv('DPIC', dpic), tlv('DPSL', bytes(20, 2))]);

  it('is 2^31 − 1 at most, what node:crypto accepts', () => {
    expect(keybagLimits.maxIterations).toBe(2147483647);
  });

  it('accepts the counts at both ends of the range', () => {
    expect(parseKeybag(withCounts(1, 2147483647))).toMatchObject({ iter: 1, dpic: 2147483647 });
    expect(parseKeybag(withCounts(2147483647, 1))).toMatchObject({ iter: 2147483647, dpic: 1 });
  });

  it.each([
    ['ITER 0', withCounts(0, 10), 'BackupKeyBag: ITER is 0 (expected a PBKDF2 iteration count from 1 to 2147483647)'],
    ['ITER 2^31', withCounts(2 ** 31, 10), 'BackupKeyBag: ITER is 2147483648 (expected a PBKDF2 iteration count from 1 to 2147483647)'],
    ['DPIC 0', withCounts(10, 0), 'BackupKeyBag: DPIC is 0 (expected a PBKDF2 iteration count from 1 to 2147483647)'],
    ['DPIC 2^32 − 1', withCounts(10, 2 ** 32 - 1), 'BackupKeyBag: DPIC is 4294967295 (expected a PBKDF2 iteration count from 1 to 2147483647)'],
  ])('refuses %s', (_name, bag, message) => {
    expect(formatErrorOf(() => parseKeybag(bag)).message).toBe(message);
  });
});
