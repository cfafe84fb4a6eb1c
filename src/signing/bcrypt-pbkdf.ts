/**
 * bcrypt_pbkdf, the key derivation OpenSSH uses for passphrase-protected private keys (OpenBSD
 * lib/libutil/bcrypt_pbkdf.c): SHA-512 of the passphrase and salt, each round an "expensive key schedule"
 * Blowfish (bcrypt's EksBlowfish with 64 rounds) that encrypts "OxychromaticBlowfishSwatDynamite", output
 * bytes spread across the key with a stride. node:crypto has no Blowfish key schedule, so it is written here;
 * test/signing/bcrypt-pbkdf.test.ts checks it against keys ssh-keygen encrypted.
 */
import { createHash } from 'node:crypto';
import { PI_HEX } from './blowfish-pi.js';

const INITIAL = Uint32Array.from({ length: 18 + 1024 }, (_, i) => parseInt(PI_HEX.slice(i * 8, i * 8 + 8), 16));
const MAGIC = Buffer.from('OxychromaticBlowfishSwatDynamite', 'latin1');
/** Each round costs about 2^6 key schedules; OpenSSH writes 16 by default. A hostile key file asking for 2^32 would hang. */
export const MAX_ROUNDS = 1024;

class Blowfish {
  /** P-array (0..17) then S-boxes (18 + 256 * box + byte). */
  readonly s = Uint32Array.from(INITIAL);
  private l = 0;
  private r = 0;

  /** Encrypts (this.l, this.r) in place. */
  private encipher(): void {
    const s = this.s;
    let xl = this.l ^ s[0]!;
    let xr = this.r;
    for (let i = 1; i <= 16; i += 2) {
      xr ^= (((((s[18 + (xl >>> 24)]! + s[274 + ((xl >>> 16) & 0xff)]!) | 0) ^ s[530 + ((xl >>> 8) & 0xff)]!) + s[786 + (xl & 0xff)]!) | 0) ^ s[i]!;
      xl ^= (((((s[18 + (xr >>> 24)]! + s[274 + ((xr >>> 16) & 0xff)]!) | 0) ^ s[530 + ((xr >>> 8) & 0xff)]!) + s[786 + (xr & 0xff)]!) | 0) ^ s[i + 1]!;
    }
    this.l = (xr ^ s[17]!) >>> 0;
    this.r = xl >>> 0;
  }

  /** Blowfish_expandstate (with data) or Blowfish_expand0state (data null). */
  expand(key: Buffer, data: Buffer | null): void {
    const s = this.s;
    let kj = 0;
    for (let i = 0; i < 18; i++) {
      s[i] = s[i]! ^ word(key, kj);
      kj = (kj + 4) % key.length;
    }
    this.l = 0;
    this.r = 0;
    let dj = 0;
    for (let i = 0; i < 18 + 1024; i += 2) {
      if (data) {
        this.l ^= word(data, dj);
        dj = (dj + 4) % data.length;
        this.r ^= word(data, dj);
        dj = (dj + 4) % data.length;
      }
      this.encipher();
      s[i] = this.l;
      s[i + 1] = this.r;
    }
  }

  encryptBlocks(words: Uint32Array): void {
    for (let i = 0; i < words.length; i += 2) {
      this.l = words[i]!;
      this.r = words[i + 1]!;
      this.encipher();
      words[i] = this.l;
      words[i + 1] = this.r;
    }
  }
}

/** Four bytes, big-endian, wrapping around the end of `data` (OpenBSD's Blowfish_stream2word). */
function word(data: Buffer, at: number): number {
  const n = data.length;
  return ((data[at % n]! << 24) | (data[(at + 1) % n]! << 16) | (data[(at + 2) % n]! << 8) | data[(at + 3) % n]!) >>> 0;
}

function bcryptHash(sha2pass: Buffer, sha2salt: Buffer): Buffer {
  const bf = new Blowfish();
  bf.expand(sha2pass, sha2salt);
  for (let i = 0; i < 64; i++) {
    bf.expand(sha2salt, null);
    bf.expand(sha2pass, null);
  }
  const cdata = new Uint32Array(8);
  for (let i = 0; i < 8; i++) cdata[i] = MAGIC.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) bf.encryptBlocks(cdata);
  // Written out little-endian, as OpenBSD does.
  const out = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) out.writeUInt32LE(cdata[i]!, i * 4);
  return out;
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest();

export function bcryptPbkdf(passphrase: Buffer, salt: Buffer, keyBytes: number, rounds: number): Buffer {
  if (rounds < 1 || rounds > MAX_ROUNDS || keyBytes < 1 || keyBytes > 32 * 32 || salt.length === 0) throw new RangeError(`bcrypt_pbkdf: rounds ${rounds}, key ${keyBytes} bytes, salt ${salt.length} bytes out of range`);
  const stride = Math.ceil(keyBytes / 32);
  const amount = Math.ceil(keyBytes / stride);
  const key = Buffer.alloc(keyBytes);
  const sha2pass = sha512(passphrase);
  const count = Buffer.alloc(4);
  let left = keyBytes;
  for (let block = 1; left > 0; block++) {
    count.writeUInt32BE(block);
    let tmp = bcryptHash(sha2pass, sha512(Buffer.concat([salt, count])));
    const out = Buffer.from(tmp);
    for (let i = 1; i < rounds; i++) {
      tmp = bcryptHash(sha2pass, sha512(tmp));
      for (let j = 0; j < 32; j++) out[j]! ^= tmp[j]!;
    }
    const take = Math.min(amount, left);
    let i = 0;
    for (; i < take; i++) {
      const dest = i * stride + (block - 1);
      if (dest >= keyBytes) break;
      key[dest] = out[i]!;
    }
    left -= i;
  }
  return key;
}
