/**
 * Sealed scratch (issue #12), the parts: a sealed file is ciphertext under a key only its sealer holds, reads
 * back exactly, and fails with one line when cut, changed or not its own; while a sealed-scratch run holds the
 * policy, SQLite evidence of any size up to its bound is opened from memory, never copied to the temp folder,
 * and SQLite keeps its own temporary data in memory. The whole-run test (a child process whose temp folder is
 * watched) is sealed-scratch-check.test.ts.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { check } from '../../src/app/check.js';
import { FormatError } from '../../src/errors.js';
import { FRAME_BYTES, ScratchSealer, holdSealedScratch, scratchIsSealed } from '../../src/evidence/sealed-scratch.js';
import { keepInMemory, openSqlite, sqliteLimits } from '../../src/evidence/sqlite.js';
import { privateTempDir, privateTempRoot } from '../../src/evidence/temp.js';
import { noiseBytes } from '../fixtures/archives.js';
import { buildBackup, sqliteBytes, sqliteWithWal, tempDir } from '../fixtures/ios-backup.js';

const FRAME_OVERHEAD = 4 + 12 + 16;
const defaults = { ...sqliteLimits };
afterEach(() => Object.assign(sqliteLimits, defaults));

/** Text that would stand out in a file: a phone number and a message, many times over. */
const plaintext = (bytes: number): Buffer => Buffer.from('+41 79 555 01 23 see you at the café '.repeat(Math.ceil(bytes / 36)), 'utf8').subarray(0, bytes);

describe('a sealed scratch file', () => {
  it.each([0, 1, FRAME_BYTES - 1, FRAME_BYTES, FRAME_BYTES + 1, 3 * FRAME_BYTES + 17])('of %i bytes reads back exactly and holds none of its plaintext', (size) => {
    const sealer = new ScratchSealer();
    const path = join(tempDir('sealed'), 'blob');
    const data = plaintext(size);
    sealer.writeFile(path, data);
    const stored = readFileSync(path);
    // One frame per FRAME_BYTES (at least one, the last, even when empty), each 32 bytes longer than its plaintext.
    expect(stored.length).toBe(size + Math.max(1, Math.ceil(size / FRAME_BYTES)) * FRAME_OVERHEAD);
    if (size >= 16) expect(stored.includes(data.subarray(0, 16))).toBe(false);
    expect(stored.includes('+41 79')).toBe(false);
    expect(stored.includes('café')).toBe(false);
    expect(sealer.readFile(path).equals(data)).toBe(true);
  });

  it('is the same whether written at once, in small pieces or as a stream, and streams back', async () => {
    const sealer = new ScratchSealer();
    const dir = tempDir('sealed');
    const data = noiseBytes(2 * FRAME_BYTES + 1000);
    const pieces = sealer.writer(join(dir, 'pieces'));
    for (let off = 0; off < data.length; off += 777) pieces.write(data.subarray(off, off + 777));
    pieces.close();
    await pipeline(Readable.from([data.subarray(0, 5), data.subarray(5)]), sealer.writeStream(join(dir, 'stream')));
    for (const name of ['pieces', 'stream']) {
      expect(sealer.readFile(join(dir, name)).equals(data)).toBe(true);
      const chunks: Buffer[] = [];
      for await (const chunk of sealer.readStream(join(dir, name))) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      expect(Math.max(...chunks.map((c) => c.length))).toBe(FRAME_BYTES);
    }
  });

  it('left unfinished (a stream whose source failed) never reads as a whole file', async () => {
    const sealer = new ScratchSealer();
    const path = join(tempDir('sealed'), 'unfinished');
    const failing = Readable.from((function* () {
      yield noiseBytes(FRAME_BYTES + 5);
      throw new Error('member cut short');
    })());
    await expect(pipeline(failing, sealer.writeStream(path))).rejects.toThrow('member cut short');
    // The one full frame written is not flagged as the last: read as the file's end, it fails to authenticate.
    expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 0)`);
  });

  it('is owner-only, and never written through a link or over an existing file', () => {
    const sealer = new ScratchSealer();
    const dir = tempDir('sealed');
    sealer.writeFile(join(dir, 'a'), Buffer.from('x'));
    expect(readdirSync(dir)).toEqual(['a']);
    expect(() => sealer.writeFile(join(dir, 'a'), Buffer.from('y'))).toThrow(/EEXIST/);
    writeFileSync(join(dir, 'target'), 'untouched');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect(() => sealer.writeFile(join(dir, 'link'), Buffer.from('y'))).toThrow(/EEXIST/);
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('untouched');
  });

  describe('fails with one line naming the file, never with wrong bytes', () => {
    const sealed = (size: number) => {
      const sealer = new ScratchSealer();
      const path = join(tempDir('sealed'), 'blob');
      sealer.writeFile(path, plaintext(size));
      return { sealer, path };
    };

    it('read with another run\'s key (each sealer has its own)', () => {
      const { path } = sealed(100);
      expect(() => new ScratchSealer().readFile(path)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 0)`);
    });

    it('with one bit changed', () => {
      const { sealer, path } = sealed(FRAME_BYTES + 10);
      const bytes = readFileSync(path);
      bytes[FRAME_OVERHEAD + FRAME_BYTES + 20] = bytes[FRAME_OVERHEAD + FRAME_BYTES + 20]! ^ 0x80; // in the second frame's ciphertext
      writeFileSync(path, bytes);
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 1)`);
    });

    it('cut after a whole frame (the last frame is flagged as such)', () => {
      const { sealer, path } = sealed(2 * FRAME_BYTES + 10);
      truncateSync(path, FRAME_BYTES + FRAME_OVERHEAD);
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 0)`);
    });

    it('cut inside a frame, or empty', () => {
      const { sealer, path } = sealed(FRAME_BYTES + 10);
      truncateSync(path, FRAME_BYTES + FRAME_OVERHEAD + 20);
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file cut short inside a frame (frame 1)`);
      truncateSync(path, 0);
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file cut short: no last frame (frame 0)`);
    });

    it('with frames swapped', () => {
      const { sealer, path } = sealed(3 * FRAME_BYTES);
      const bytes = readFileSync(path);
      const size = FRAME_BYTES + FRAME_OVERHEAD;
      writeFileSync(path, Buffer.concat([bytes.subarray(size, 2 * size), bytes.subarray(0, size), bytes.subarray(2 * size)]));
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file damaged or not ours: authentication failed (frame 0)`);
    });

    it('whichever byte is changed, or wherever the file is cut (generated)', () => {
      const { sealer, path } = sealed(2 * FRAME_BYTES + 100);
      const pristine = readFileSync(path);
      fc.assert(
        fc.property(fc.nat(pristine.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, xor, cut) => {
          const bytes = Buffer.from(pristine);
          bytes[at] = bytes[at]! ^ xor;
          writeFileSync(path, cut ? pristine.subarray(0, at) : bytes);
          expect(() => sealer.readFile(path)).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sealed scratch file (damaged|cut short)`));
        }),
        { numRuns: 200 },
      );
    });

    it('with a frame length above the frame size (nothing that large is allocated)', () => {
      const { sealer, path } = sealed(10);
      const bytes = readFileSync(path);
      bytes.writeUInt32BE(0xffffffff, 0);
      writeFileSync(path, bytes);
      expect(() => sealer.readFile(path)).toThrow(`${path}: sealed scratch file damaged: a frame of 4294967295 bytes, above ${FRAME_BYTES} (frame 0)`);
    });
  });
});

describe('the sealed-scratch policy', () => {
  it('is held while any run holds it; a release counts once', () => {
    expect(scratchIsSealed()).toBe(false);
    const a = holdSealedScratch();
    const b = holdSealedScratch();
    a();
    a();
    expect(scratchIsSealed()).toBe(true);
    b();
    expect(scratchIsSealed()).toBe(false);
  });

  it('keeps every database up to its own bound in memory, and refuses a larger one with one line', () => {
    sqliteLimits.maxInMemoryBytes = 1000;
    sqliteLimits.maxSealedInMemoryBytes = 5000;
    expect(keepInMemory(1000, 'sms.db')).toBe(true);
    expect(keepInMemory(1001, 'sms.db')).toBe(false);
    const release = holdSealedScratch();
    try {
      expect(keepInMemory(1001, 'sms.db')).toBe(true);
      expect(keepInMemory(5000, 'sms.db')).toBe(true);
      expect(() => keepInMemory(5001, 'sms.db')).toThrow(FormatError);
      expect(() => keepInMemory(5001, 'sms.db')).toThrow('sms.db: 5001 bytes: larger than the 5000 bytes a sealed-scratch run opens in memory (its plaintext is never written to temp): not read');
    } finally {
      release();
    }
  });
});

describe('SQLite evidence in a sealed-scratch run', () => {
  const messages = () =>
    sqliteWithWal(
      'CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)',
      (d) => d.prepare("INSERT INTO message (text) VALUES ('checkpointed')").run(),
      (d) => d.prepare("INSERT INTO message (text) VALUES ('only in the wal')").run(),
    );
  /** What the run's private temp area holds (names below it, recursively). */
  const tempListing = (): string[] => readdirSync(privateTempRoot(), { recursive: true }).map(String).sort();

  it('opens an image above the in-memory limit from memory (a plain run copies it to temp), -wal replayed there', () => {
    const { db, wal } = messages();
    sqliteLimits.maxInMemoryBytes = 1024;
    privateTempDir('keep-root'); // the temp root exists for the whole file
    const before = tempListing();
    const plain = openSqlite({ kind: 'buffer', data: db, wal }, 'sms.db');
    expect(tempListing().filter((p) => !before.includes(p)).some((p) => p.endsWith('evidence.db'))).toBe(true);
    plain.close();
    const release = holdSealedScratch();
    try {
      const h = openSqlite({ kind: 'buffer', data: db, wal }, 'sms.db');
      expect(tempListing()).toEqual(before);
      expect(h.walApplied).toBe(true);
      expect(h.db.prepare('SELECT text FROM message ORDER BY ROWID').pluck().all()).toEqual(['checkpointed', 'only in the wal']);
      expect([...h.walOnlyRowids('message')]).toEqual([2]);
      h.close();
    } finally {
      release();
    }
  });

  it('reads a folder database and its -wal into memory instead of copying them', () => {
    const dir = tempDir('evidence');
    const path = join(dir, 'History.db');
    const live = new Database(path);
    live.pragma('journal_mode = WAL');
    live.pragma('wal_autocheckpoint = 0');
    live.exec('CREATE TABLE t (a)');
    live.prepare("INSERT INTO t VALUES ('https://evil.example/x')").run();
    privateTempDir('keep-root');
    const before = tempListing();
    const release = holdSealedScratch();
    try {
      const h = openSqlite({ kind: 'file', path, wal: `${path}-wal`, shm: `${path}-shm` }, 'History.db');
      expect(tempListing()).toEqual(before);
      expect(h.walApplied).toBe(true);
      expect(h.db.prepare('SELECT a FROM t').pluck().all()).toEqual(['https://evil.example/x']);
      h.close();
    } finally {
      release();
      live.close();
    }
  });

  it('keeps SQLite\'s own temporary tables and sorts in memory (they go to unnamed files in TMPDIR otherwise)', () => {
    const data = sqliteBytes('CREATE TABLE t (a TEXT)', (d) => d.prepare("INSERT INTO t VALUES ('x')").run());
    const plain = openSqlite({ kind: 'buffer', data }, 't.db');
    expect(plain.db.pragma('temp_store', { simple: true })).toBe(0); // the build's default: files
    plain.close();
    const release = holdSealedScratch();
    try {
      const h = openSqlite({ kind: 'buffer', data }, 't.db');
      expect(h.db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
      h.close();
    } finally {
      release();
    }
  });

  it('refuses a database written to temp by a caller (a bug: every source reads into memory when sealed)', () => {
    const dir = privateTempDir('sqlite');
    const path = join(dir, 'evidence.db');
    writeFileSync(path, sqliteBytes('CREATE TABLE t (a)', () => {}));
    const release = holdSealedScratch();
    try {
      expect(() => openSqlite({ kind: 'private-file', dir, path, hasWal: false }, 'x.db')).toThrow('x.db: a database was written to temp during a sealed-scratch run');
      expect(readdirSync(privateTempRoot())).not.toContain(dir.split('/').pop());
    } finally {
      release();
    }
  });
});

describe('a check with sealedScratch', () => {
  it('does not read a database past the sealed bound: one coverage line naming it, and the run goes on', async () => {
    const big = sqliteBytes('CREATE TABLE message (ROWID INTEGER PRIMARY KEY, text TEXT)', (d) => {
      const insert = d.prepare('INSERT INTO message (text) VALUES (?)');
      for (let i = 0; i < 400; i++) insert.run(`message ${i} ${'x'.repeat(400)}`);
    });
    expect(big.length).toBeGreaterThan(128 * 1024);
    const dir = buildBackup([
      { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: big },
      { domain: 'HomeDomain', relativePath: 'Library/Preferences/com.apple.example.plist', data: Buffer.from('<plist/>') },
    ]);
    sqliteLimits.maxInMemoryBytes = 16 * 1024;
    sqliteLimits.maxSealedInMemoryBytes = 128 * 1024;
    const result = await check({ target: dir, userIocDir: null, sealedScratch: true, only: ['ios.manifest', 'ios.sms'] });
    const sms = result.coverage.find((c) => c.artifact === 'ios.sms')!;
    expect(sms.state).toBe('failed');
    expect(sms.reason).toBe(`sms.db (HomeDomain/Library/SMS/sms.db, 3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28): ${big.length} bytes: larger than the 131072 bytes a sealed-scratch run opens in memory (its plaintext is never written to temp): not read`);
    expect(result.coverage.find((c) => c.artifact === 'ios.manifest')).toMatchObject({ state: 'parsed', records: expect.any(Number) as number });
    expect(scratchIsSealed()).toBe(false); // released with the run
  });
});
