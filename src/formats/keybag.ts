/**
 * The keybag of an encrypted iTunes/Finder backup (Manifest.plist `BackupKeyBag`, reference-spec §8.2 step 1):
 * a flat run of TLV blocks, each a 4-character ASCII tag, a big-endian uint32 length and the value. The
 * header blocks (VERS, TYPE, UUID, HMCK, WRAP, SALT, ITER, DPWT, DPIC, DPSL) come first; each later UUID
 * opens a class key (UUID, CLAS, WRAP, KTYP, WPKY) that lasts until the next UUID.
 *
 * Unlike the Python library MVT uses, which stops silently at a cut block and keeps whatever it had, every
 * structural problem here is a FormatError that names the offset: a keybag that does not parse cleanly would
 * otherwise surface later as a misleading "wrong password".
 */
import { FormatError } from '../errors.js';

export interface ClassKey {
  /** Protection class (1 = NSFileProtectionComplete … 11). */
  readonly clas: number;
  readonly uuid: Buffer;
  /** Bit 1 (value 2) = wrapped with the passcode-derived key; bit 0 (value 1) = wrapped with the device key. */
  readonly wrap: number;
  /** 0 = AES, 1 = Curve25519 (device keybags only). */
  readonly ktyp?: number;
  /** The wrapped key (RFC 3394, 40 bytes for a 32-byte key). */
  readonly wpky: Buffer;
}

export interface Keybag {
  readonly version?: number;
  /** 0 = system, 1 = backup, 2 = escrow, 3 = OTA. iTunes backups use 1. */
  readonly type: number;
  readonly uuid: Buffer;
  /** HMAC key of the keybag (40 bytes), kept so that a parsed keybag encodes back to the same bytes. */
  readonly hmck?: Buffer;
  readonly wrap?: number;
  /** Salt and iteration count of the PBKDF2-HMAC-SHA1 stage. */
  readonly salt: Buffer;
  readonly iter: number;
  readonly dpwt?: number;
  /** Iteration count and salt of the PBKDF2-HMAC-SHA256 stage (iOS ≥ 10.2). */
  readonly dpic?: number;
  readonly dpsl?: Buffer;
  readonly classKeys: ReadonlyMap<number, ClassKey>;
}

export const keybagLimits = Object.freeze({
  /**
   * PBKDF2 iteration counts (ITER, DPIC) run from 1 to 2^31 − 1: node:crypto throws a RangeError outside that
   * range, and a count of 0 derives nothing. iOS writes ITER 10,000 and DPIC 10,000,000.
   */
  maxIterations: 2 ** 31 - 1,
});

const WHAT = 'BackupKeyBag';
const HEADER_BYTES = 8;
/** Tags whose value is a big-endian uint32. */
const INTEGER_TAGS = new Set(['VERS', 'TYPE', 'WRAP', 'ITER', 'DPWT', 'DPIC', 'CLAS', 'KTYP']);

interface Block {
  readonly tag: string;
  readonly offset: number;
  readonly value: Buffer;
}

function* blocks(data: Buffer): Generator<Block> {
  let offset = 0;
  while (offset < data.length) {
    if (offset + HEADER_BYTES > data.length) {
      throw new FormatError(WHAT, `truncated block header at offset ${offset} (${data.length - offset} bytes left, a block header needs 8)`);
    }
    const tagBytes = data.subarray(offset, offset + 4);
    if (!/^[A-Z0-9]{4}$/.test(tagBytes.toString('latin1'))) {
      throw new FormatError(WHAT, `not a keybag tag (0x${tagBytes.toString('hex')}) at offset ${offset}`);
    }
    const tag = tagBytes.toString('latin1');
    const length = data.readUInt32BE(offset + 4);
    const start = offset + HEADER_BYTES;
    if (length > data.length - start) {
      throw new FormatError(WHAT, `${tag} at offset ${offset} declares ${length} bytes but only ${data.length - start} remain`);
    }
    yield { tag, offset, value: Buffer.from(data.subarray(start, start + length)) };
    offset = start + length;
  }
}

function integer(b: Block): number {
  if (b.value.length !== 4) throw new FormatError(WHAT, `${b.tag} at offset ${b.offset} has ${b.value.length} bytes (expected a 4-byte integer)`);
  return b.value.readUInt32BE(0);
}

/** An iteration count, checked here so that no caller hands PBKDF2 a count it rejects with a RangeError. */
function iterations(b: Block): number {
  const n = integer(b);
  checkIterationCount(b.tag, n);
  return n;
}

/**
 * ITER or DPIC of 0, negative, fractional or ≥ 2^31 is a FormatError naming the block. The decoder checks what it
 * reads; key derivation checks again, since a Keybag can also be built by hand (tests, library callers).
 */
export function checkIterationCount(tag: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > keybagLimits.maxIterations) {
    throw new FormatError(WHAT, `${tag} is ${n} (expected a PBKDF2 iteration count from 1 to ${keybagLimits.maxIterations})`);
  }
}

interface ClassKeyDraft {
  offset: number;
  uuid: Buffer;
  clas?: number;
  wrap?: number;
  ktyp?: number;
  wpky?: Buffer;
}

export function parseKeybag(data: Buffer): Keybag {
  const header: {
    version?: number;
    type?: number;
    uuid?: Buffer;
    hmck?: Buffer;
    wrap?: number;
    salt?: Buffer;
    iter?: number;
    dpwt?: number;
    dpic?: number;
    dpsl?: Buffer;
  } = {};
  const classKeys = new Map<number, ClassKey>();
  let current: ClassKeyDraft | null = null;

  const finish = (draft: ClassKeyDraft): void => {
    const at = `class key at offset ${draft.offset}`;
    if (draft.clas === undefined) throw new FormatError(WHAT, `${at} has no CLAS`);
    if (draft.wrap === undefined) throw new FormatError(WHAT, `${at} (class ${draft.clas}) has no WRAP`);
    if (draft.wpky === undefined) throw new FormatError(WHAT, `${at} (class ${draft.clas}) has no WPKY`);
    if (classKeys.has(draft.clas)) throw new FormatError(WHAT, `${at} repeats class ${draft.clas}`);
    classKeys.set(draft.clas, {
      clas: draft.clas,
      uuid: draft.uuid,
      wrap: draft.wrap,
      ...(draft.ktyp === undefined ? {} : { ktyp: draft.ktyp }),
      wpky: draft.wpky,
    });
  };

  for (const b of blocks(data)) {
    if (b.tag === 'UUID') {
      if (header.uuid === undefined) {
        header.uuid = b.value;
      } else {
        if (current) finish(current);
        current = { offset: b.offset, uuid: b.value };
      }
      continue;
    }
    if (current) {
      switch (b.tag) {
        case 'CLAS':
          current.clas = integer(b);
          break;
        case 'WRAP':
          current.wrap = integer(b);
          break;
        case 'KTYP':
          current.ktyp = integer(b);
          break;
        case 'WPKY':
          current.wpky = b.value;
          break;
        default:
          // PBKY (public keys of asymmetric classes) and unknown tags carry nothing a backup needs.
          if (INTEGER_TAGS.has(b.tag)) integer(b);
      }
      continue;
    }
    switch (b.tag) {
      case 'VERS':
        header.version = integer(b);
        break;
      case 'TYPE':
        header.type = integer(b);
        break;
      case 'HMCK':
        header.hmck = b.value;
        break;
      case 'WRAP':
        header.wrap = integer(b);
        break;
      case 'SALT':
        header.salt = b.value;
        break;
      case 'ITER':
        header.iter = iterations(b);
        break;
      case 'DPWT':
        header.dpwt = integer(b);
        break;
      case 'DPIC':
        header.dpic = iterations(b);
        break;
      case 'DPSL':
        header.dpsl = b.value;
        break;
      default:
        break;
    }
  }
  if (current) finish(current);

  if (data.length === 0) throw new FormatError(WHAT, 'empty keybag');
  if (header.type === undefined) throw new FormatError(WHAT, 'no TYPE block');
  if (header.uuid === undefined) throw new FormatError(WHAT, 'no UUID block');
  if (header.salt === undefined) throw new FormatError(WHAT, 'no SALT block (the PBKDF2 salt)');
  if (header.iter === undefined) throw new FormatError(WHAT, 'no ITER block (the PBKDF2 iteration count)');
  if ((header.dpic === undefined) !== (header.dpsl === undefined)) {
    throw new FormatError(WHAT, `${header.dpic === undefined ? 'DPSL without DPIC' : 'DPIC without DPSL'} (the SHA-256 stage needs both)`);
  }
  return {
    ...(header.version === undefined ? {} : { version: header.version }),
    type: header.type,
    uuid: header.uuid,
    ...(header.hmck === undefined ? {} : { hmck: header.hmck }),
    ...(header.wrap === undefined ? {} : { wrap: header.wrap }),
    salt: header.salt,
    iter: header.iter,
    ...(header.dpwt === undefined ? {} : { dpwt: header.dpwt }),
    ...(header.dpic === undefined ? {} : { dpic: header.dpic }),
    ...(header.dpsl === undefined ? {} : { dpsl: header.dpsl }),
    classKeys,
  };
}

/** Writes the blocks in the order iOS does, so that parse → encode gives back a real keybag's bytes. */
export function encodeKeybag(k: Keybag): Buffer {
  const parts: Buffer[] = [];
  const put = (tag: string, value: Buffer): void => {
    const head = Buffer.alloc(HEADER_BYTES);
    head.write(tag, 0, 4, 'latin1');
    head.writeUInt32BE(value.length, 4);
    parts.push(head, value);
  };
  const putInt = (tag: string, value: number | undefined): void => {
    if (value === undefined) return;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0, 0);
    put(tag, b);
  };
  putInt('VERS', k.version);
  putInt('TYPE', k.type);
  put('UUID', k.uuid);
  if (k.hmck) put('HMCK', k.hmck);
  putInt('WRAP', k.wrap);
  put('SALT', k.salt);
  putInt('ITER', k.iter);
  putInt('DPWT', k.dpwt);
  putInt('DPIC', k.dpic);
  if (k.dpsl) put('DPSL', k.dpsl);
  for (const c of k.classKeys.values()) {
    put('UUID', c.uuid);
    putInt('CLAS', c.clas);
    putInt('WRAP', c.wrap);
    putInt('KTYP', c.ktyp);
    put('WPKY', c.wpky);
  }
  return Buffer.concat(parts);
}
