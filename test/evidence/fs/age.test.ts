/**
 * The age layer: an age-encrypted file read by position, a 64 KiB chunk at a time, every chunk authenticated;
 * wrong credentials, cut and altered files are one line naming the file. Files are encrypted here with typage.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, UserError } from '../../../src/errors.js';
import { ageLimits, openAgePayload, readAgeIdentityFile, type AgeCredential, type AgeCredentialProvider, type AgeHeaderInfo } from '../../../src/evidence/fs/age.js';
import { openFileSystem } from '../../../src/evidence/fs/open.js';
import { ageEncrypt, newAgeKeys, type AgeKeys } from '../../fixtures/age.js';
import { noiseBytes, rawTar, rawZip } from '../../fixtures/archives.js';

const CHUNK = 64 * 1024;
const SEALED = CHUNK + 16;
/** Five chunks, the last one partial. */
const PLAIN = noiseBytes(4 * CHUNK + 12_345, 7);

let base: string;
let keys: AgeKeys;
let other: AgeKeys;
let sealed: Buffer;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'th-fs-age-'));
  keys = await newAgeKeys();
  other = await newAgeKeys();
  sealed = await ageEncrypt(PLAIN, { recipient: keys.recipient });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const path = join(base, name);
  writeFileSync(path, bytes);
  return path;
}

/** A provider that records what it was asked and answers `credential`. */
function giving(credential: AgeCredential): AgeCredentialProvider & { asked: AgeHeaderInfo[] } {
  const asked: AgeHeaderInfo[] = [];
  return Object.assign(async (_file: string, header: AgeHeaderInfo) => {
    asked.push(header);
    return credential;
  }, { asked });
}

/** Where the payload starts: the header (up to the MAC line's end) and the 16-byte nonce. */
function payloadStart(bytes: Buffer): number {
  return bytes.indexOf('\n', bytes.indexOf('\n--- ') + 1) + 1 + 16;
}

async function refusal(run: () => Promise<unknown>): Promise<Error> {
  return run().then(
    () => {
      throw new Error('did not fail');
    },
    (err: unknown) => err as Error,
  );
}

describe('age layer: reading by position', () => {
  it('gives the plaintext at any position, across chunk boundaries, and fewer bytes only past the end', async () => {
    const path = file('noise.age', sealed);
    const payload = await openAgePayload(path, giving({ identities: [keys.identity] }));
    try {
      expect(payload.size).toBe(PLAIN.length);
      for (const [position, length] of [[0, 10], [CHUNK - 5, 10], [CHUNK, CHUNK], [3 * CHUNK - 1, 2 * CHUNK], [100, 300_000], [PLAIN.length - 3, 3]] as const) {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await payload.read(buf, 0, length, position);
        expect(bytesRead).toBe(Math.min(length, PLAIN.length - position));
        expect(buf.subarray(0, bytesRead).equals(PLAIN.subarray(position, position + bytesRead))).toBe(true);
      }
      const tail = Buffer.alloc(100);
      expect((await payload.read(tail, 0, 100, PLAIN.length - 40)).bytesRead).toBe(40);
      expect((await payload.read(tail, 0, 100, PLAIN.length)).bytesRead).toBe(0);
    } finally {
      await payload.close();
    }
  });

  it('keeps at most the cache bound of chunks, and decrypts a chunk once while it stays cached', async () => {
    const payload = await openAgePayload(file('cache.age', sealed), giving({ identities: [keys.identity] }));
    try {
      const buf = Buffer.alloc(10);
      await payload.read(buf, 0, 10, 0);
      await payload.read(buf, 0, 10, 20);
      expect(payload.bytesDecrypted).toBe(CHUNK);
      const all = Buffer.alloc(PLAIN.length);
      await payload.read(all, 0, PLAIN.length, 0);
      expect(payload.bytesDecrypted).toBe(PLAIN.length);
      expect(ageLimits.cacheChunks * CHUNK).toBeLessThanOrEqual(2 * 1024 * 1024);
    } finally {
      await payload.close();
    }
  });

  it('reads an empty plaintext and one of exactly one chunk', async () => {
    for (const plain of [Buffer.alloc(0), noiseBytes(CHUNK, 3), noiseBytes(2 * CHUNK, 4)]) {
      const payload = await openAgePayload(file(`exact-${plain.length}.age`, await ageEncrypt(plain, { recipient: keys.recipient })), giving({ identities: [keys.identity] }));
      const buf = Buffer.alloc(plain.length + 10);
      const { bytesRead } = await payload.read(buf, 0, buf.length, 0);
      expect([payload.size, bytesRead]).toEqual([plain.length, plain.length]);
      expect(buf.subarray(0, bytesRead).equals(plain)).toBe(true);
      await payload.close();
    }
  });

  it('opens a passphrase file, asking with the header\'s recipient type', async () => {
    const path = file('pass.age', await ageEncrypt(PLAIN.subarray(0, 1000), { passphrase: 'correct horse battery staple' }));
    const provider = giving({ identities: [], passphrase: 'correct horse battery staple' });
    const payload = await openAgePayload(path, provider);
    expect(provider.asked).toEqual([{ recipientTypes: ['scrypt'] }]);
    const buf = Buffer.alloc(1000);
    await payload.read(buf, 0, 1000, 0);
    expect(buf.equals(PLAIN.subarray(0, 1000))).toBe(true);
    await payload.close();
  });
});

describe('age layer: wrong credentials and damage are one line naming the file', () => {
  it('a wrong identity', async () => {
    const path = file('wrong-id.age', sealed);
    const err = await refusal(() => openAgePayload(path, giving({ identities: [other.identity] })));
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('wrong-password');
    expect(err.message).toBe(`${path}: 1 age identity cannot open this age file (wrong identity or passphrase; it is encrypted to: X25519)`);
  });

  it('a wrong passphrase', async () => {
    const path = file('wrong-pass.age', await ageEncrypt(Buffer.from('x'), { passphrase: 'right' }));
    const err = await refusal(() => openAgePayload(path, giving({ identities: [], passphrase: 'wrong' })));
    expect([(err as UserError).code, err.message]).toEqual(['wrong-password', `${path}: the passphrase cannot open this age file (wrong identity or passphrase; it is encrypted to: scrypt)`]);
  });

  it('an altered header fails its MAC', async () => {
    const bytes = Buffer.from(sealed);
    const mac = bytes.indexOf('\n--- ') + 6;
    bytes[mac] = bytes[mac] === 0x41 ? 0x42 : 0x41;
    const path = file('mac.age', bytes);
    const err = await refusal(() => openAgePayload(path, giving({ identities: [keys.identity] })));
    expect(err.message).toBe(`${path}: the age header's MAC does not match (the header was altered or damaged)`);
  });

  it('a flipped bit in a chunk: that chunk is refused, the others still read', async () => {
    const bytes = Buffer.from(sealed);
    const start = payloadStart(bytes);
    bytes[start + SEALED + 100]! ^= 0x01; // inside chunk 1
    const path = file('flipped.age', bytes);
    const payload = await openAgePayload(path, giving({ identities: [keys.identity] }));
    const buf = Buffer.alloc(CHUNK);
    await expect(payload.read(buf, 0, 10, CHUNK + 5)).rejects.toThrow(
      new FormatError(path, `age chunk 1 of 5 (bytes ${start + SEALED}-${start + 2 * SEALED - 1}) fails authentication: the file is damaged or altered`),
    );
    await payload.read(buf, 0, CHUNK, 0);
    expect(buf.equals(PLAIN.subarray(0, CHUNK))).toBe(true);
    // A read running into the damaged chunk is short, as a disk's before a bad sector; the next one fails.
    const wide = Buffer.alloc(3 * CHUNK);
    expect((await payload.read(wide, 0, 3 * CHUNK, 100)).bytesRead).toBe(CHUNK - 100);
    await payload.read(buf, 0, 100, 3 * CHUNK);
    expect(buf.subarray(0, 100).equals(PLAIN.subarray(3 * CHUNK, 3 * CHUNK + 100))).toBe(true);
    await payload.close();
  });

  it('a file cut at a chunk boundary or inside a chunk: the last chunk is refused', async () => {
    const start = payloadStart(sealed);
    for (const cut of [start + 3 * SEALED, start + 3 * SEALED + 500]) {
      const path = file(`cut-${cut}.age`, sealed.subarray(0, cut));
      const payload = await openAgePayload(path, giving({ identities: [keys.identity] }));
      const buf = Buffer.alloc(10);
      await expect(payload.read(buf, 0, 10, payload.size - 10)).rejects.toThrow(/fails authentication: the file is damaged, altered or truncated$/);
      await payload.close();
    }
  });

  it('a file cut inside its header, or right after it, or a few bytes into a chunk', async () => {
    const start = payloadStart(sealed);
    const cases: [number, RegExp][] = [
      [40, /: age header without its MAC line \(the file ends inside it \(truncated\?\)\)$/],
      [start - 16, /: age file truncated after its header \(no payload nonce\)$/],
      [start + 8, /: age payload truncated \(8 bytes, less than one sealed chunk\)$/],
      [start + SEALED + 10, /: age payload of 65562 bytes cannot be whole chunks \(truncated or padded\)$/],
    ];
    for (const [cut, expected] of cases) {
      const path = file(`short-${cut}.age`, sealed.subarray(0, cut));
      const err = await refusal(() => openAgePayload(path, giving({ identities: [keys.identity] })));
      expect(err).toBeInstanceOf(UserError);
      expect(err.message.startsWith(`${path}: `)).toBe(true);
      expect(err.message).toMatch(expected);
    }
  });

  it('refuses armoured files, too many stanzas and a passphrase work factor above 2^18 before asking for anything', async () => {
    const scrypt = await ageEncrypt(Buffer.from('x'), { passphrase: 'p' });
    const heavy = Buffer.from(scrypt.toString('latin1').replace(/^(-> scrypt \S+) 10$/m, '$1 19'), 'latin1');
    const stanzas = `age-encryption.org/v1\n${'-> X25519 AAAA\nAAAA\n'.repeat(ageLimits.maxStanzas + 1)}--- AAAA\n`;
    const cases: [string, Buffer | string, string][] = [
      ['armor.age', '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n', 'an ASCII-armoured age file; not supported'],
      ['stanzas.age', stanzas, `age header with ${ageLimits.maxStanzas + 1} recipient stanzas, above the limit of ${ageLimits.maxStanzas}`],
      ['heavy.age', heavy, 'age passphrase work factor 2^19 above the limit of 2^18 (256 MiB of memory)'],
    ];
    for (const [name, bytes, expected] of cases) {
      const path = file(name, bytes);
      const provider = giving({ identities: [keys.identity], passphrase: 'p' });
      const err = await refusal(() => openAgePayload(path, provider));
      expect(err.message).toContain(`${path}: ${expected}`);
      expect(provider.asked).toEqual([]);
    }
  });
});

describe('age identity files', () => {
  it('reads keys among comments and blank lines, as age-keygen writes them', () => {
    const path = file('keys.txt', `# created: 2024-05-01T10:00:00Z\n# public key: ${keys.recipient}\n${keys.identity}\n\n${other.identity}\r\n`);
    expect(readAgeIdentityFile(path)).toEqual([keys.identity, other.identity]);
  });

  it('names the file and the line, never the content', () => {
    const secret = `${keys.identity.slice(0, -3)}QQQ`;
    const cases: [string, string][] = [
      ['# only a comment\n', 'no identity in it'],
      ['# key\nnot a key at all\n', 'line 2 is not an age identity'],
      [`${secret}\n`, 'line 1 is not a valid age identity'],
    ];
    for (const [i, [text, expected]] of cases.entries()) {
      const path = file(`bad-keys-${i}.txt`, text);
      expect(() => readAgeIdentityFile(path)).toThrow(`${path}: ${expected}`);
      try {
        readAgeIdentityFile(path);
      } catch (err) {
        expect((err as Error).message).not.toContain('not a key at all');
        expect((err as Error).message).not.toContain(secret);
      }
    }
    expect(() => readAgeIdentityFile(join(base, 'absent.txt'))).toThrow(`${join(base, 'absent.txt')}: no such age identity file`);
  });
});

describe('a zip inside an age file, as a file system', () => {
  it('lists and reads the same members as the zip itself, with the age layer named', async () => {
    const zip = await rawZip([
      { name: 'a.txt', data: 'alpha\n' },
      { name: 'dir/big.bin', data: noiseBytes(3 * CHUNK + 7, 9) },
    ]);
    const path = file('members.zip.age', await ageEncrypt(zip, { recipient: keys.recipient }));
    const fs = await openFileSystem(path, { age: giving({ identities: [keys.identity] }) });
    try {
      expect([fs.kind, fs.encryption, fs.location, fs.damage]).toEqual(['zip', 'age', path, null]);
      const listed: string[] = [];
      for await (const e of fs.entries()) listed.push(`${e.type} ${e.path}`);
      expect(listed).toEqual(['file a.txt', 'file dir/big.bin', 'directory dir']);
      expect((await fs.read('a.txt', { maxBytes: 100 })).toString()).toBe('alpha\n');
      expect((await fs.read('dir/big.bin', { maxBytes: 1e6 })).equals(noiseBytes(3 * CHUNK + 7, 9))).toBe(true);
    } finally {
      await fs.close();
    }
  });

  it('without a credential provider, with something else than a zip inside, or damaged at its end: one line', async () => {
    const zip = await rawZip([{ name: 'a.txt', data: 'alpha\n' }]);
    const aged = file('plain.zip.age', await ageEncrypt(zip, { recipient: keys.recipient }));
    expect((await refusal(() => openFileSystem(aged))).message).toBe(`${aged}: age-encrypted; give its identity file (--age-identity) or its passphrase (TRACEHOUND_AGE_PASSPHRASE)`);

    const tar = file('tar.age', await ageEncrypt(rawTar([{ name: 'a.txt', data: 'x' }]), { recipient: keys.recipient }));
    expect((await refusal(() => openFileSystem(tar, { age: giving({ identities: [keys.identity] }) }))).message).toBe(
      `${tar}: age-encrypted, but not a zip inside (it starts with bytes 61 2e 74 78; expected a zip, as androidqf encrypts)`,
    );

    const flipped = Buffer.from(readFileSync(aged));
    flipped[flipped.length - 5]! ^= 0x80;
    const bad = file('flipped.zip.age', flipped);
    const err = await refusal(() => openFileSystem(bad, { age: giving({ identities: [keys.identity] }) }));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: age chunk 0 of 1 \\(bytes \\d+-\\d+\\) fails authentication: the file is damaged, altered or truncated$`));
  });
});
