/**
 * Sealed scratch: what a run puts in the private temp folder (temp.ts) is ciphertext, never the evidence's
 * plaintext (issue #12: a seized laptop's /tmp, or a disk image of it, reveals nothing of the phone).
 *
 * Two parts, one job each:
 * - **The policy.** `check({ sealedScratch: true })` holds it for the run: while any run holds it, evidence that
 *   only works as a file on disk (a SQLite database above the in-memory limit, the decrypted plaintext of an
 *   encrypted backup's large database) is opened from memory instead (sqlite.ts `keepInMemory`), up to a larger,
 *   named bound, and refused with one line past it. Held like `holdPrivateTemp`: two runs in one process never
 *   drop it from under each other, and a plain run beside a sealed one is sealed too (the safe side).
 * - **The sealer.** Scratch that has to spill (timeline runs, a tar.gz's members too large for memory) goes
 *   through a `ScratchSealer`: a fresh AES-256-GCM key from `randomBytes`, held only in this object (never
 *   written, never logged), so the file is ciphertext and becomes noise once the process ends. This is the
 *   default for every spill, sealed run or not: it costs little (docs/dev/file-systems.md, "Sealed scratch").
 *
 * A sealed file is a sequence of frames, each `u32 BE plaintext length | 12-byte IV | ciphertext | 16-byte tag`,
 * at most FRAME_BYTES of plaintext each, so a reader holds one frame at a time and every byte it hands out is
 * authenticated first. The additional data binds a frame to its position and marks the last one: frames cannot
 * be reordered, and a file cut short fails instead of reading as a shorter one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';

let sealedHolders = 0;

/** Marks the process as running a sealed-scratch run until the returned release is called. */
export function holdSealedScratch(): () => void {
  sealedHolders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    sealedHolders--;
  };
}

/** True while a sealed-scratch run is going: evidence plaintext may not be written to temp, even sealed databases. */
export function scratchIsSealed(): boolean {
  return sealedHolders > 0;
}

/** Plaintext bytes per frame: what a reader holds at once. */
export const FRAME_BYTES = 64 * 1024;
const LENGTH_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = LENGTH_BYTES + IV_BYTES;
const ALGORITHM = 'aes-256-gcm';

function frameAad(index: number, last: boolean): Buffer {
  const aad = Buffer.alloc(9);
  aad.writeBigUInt64BE(BigInt(index));
  aad[8] = last ? 1 : 0;
  return aad;
}

/** Writes a file of sealed frames; `close()` seals the last (possibly empty) frame. */
export interface SealedWriter {
  write(data: Buffer | string): void;
  close(): void;
  /** Closes without the last frame: what was written can never read as a whole file. */
  abort(): void;
}

/** Reads a sealed file frame by frame; `next()` gives the next frame's plaintext, or null at the end. */
export interface SealedReader {
  next(): Buffer | null;
  close(): void;
}

export class ScratchSealer {
  /** The run's ephemeral key: in this object only. */
  readonly #key = randomBytes(32);

  /** Creates `path` (0600, never through a link, never over an existing file) and seals what is written to it. */
  writer(path: string): SealedWriter {
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    const key = this.#key;
    const frame = Buffer.allocUnsafe(FRAME_BYTES);
    let used = 0;
    let index = 0;
    let open = true;
    const emit = (last: boolean): void => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv);
      cipher.setAAD(frameAad(index++, last));
      const head = Buffer.allocUnsafe(HEADER_BYTES);
      head.writeUInt32BE(used, 0);
      iv.copy(head, LENGTH_BYTES);
      const body = Buffer.concat([head, cipher.update(frame.subarray(0, used)), cipher.final(), cipher.getAuthTag()]);
      // The frame's plaintext is overwritten by the next one; the last is wiped before the buffer goes.
      used = 0;
      for (let off = 0; off < body.length; ) off += writeSync(fd, body, off, body.length - off);
    };
    const put = (bytes: Buffer): void => {
      for (let off = 0; off < bytes.length; ) {
        if (used === FRAME_BYTES) emit(false);
        const n = bytes.copy(frame, used, off, Math.min(bytes.length, off + FRAME_BYTES - used));
        used += n;
        off += n;
      }
    };
    return {
      write(data) {
        if (!open) throw new Error(`${path}: sealed scratch file already closed`);
        put(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      },
      close() {
        if (!open) return;
        open = false;
        try {
          emit(true);
        } finally {
          frame.fill(0);
          closeSync(fd);
        }
      },
      abort() {
        if (!open) return;
        open = false;
        frame.fill(0);
        closeSync(fd);
      },
    };
  }

  /** Reads back a file this sealer wrote; a frame that fails authentication, or a file cut short, throws. */
  reader(path: string): SealedReader {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const size = fstatSync(fd).size;
    const key = this.#key;
    const head = Buffer.allocUnsafe(HEADER_BYTES);
    const body = Buffer.allocUnsafe(FRAME_BYTES + TAG_BYTES);
    let position = 0;
    let index = 0;
    let done = false;
    let closed = false;
    const readExactly = (into: Buffer, length: number): number => {
      let got = 0;
      while (got < length) {
        const n = readSync(fd, into, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      position += got;
      return got;
    };
    const broken = (why: string) => new Error(`${path}: sealed scratch file ${why} (frame ${index})`);
    const reader: SealedReader = {
      next() {
        if (done) return null;
        if (closed) throw new Error(`${path}: sealed scratch file already closed`);
        const got = readExactly(head, HEADER_BYTES);
        if (got === 0) throw broken('cut short: no last frame');
        if (got < HEADER_BYTES) throw broken('cut short inside a frame header');
        const length = head.readUInt32BE(0);
        if (length > FRAME_BYTES) throw broken(`damaged: a frame of ${length} bytes, above ${FRAME_BYTES}`);
        if (readExactly(body, length + TAG_BYTES) < length + TAG_BYTES) throw broken('cut short inside a frame');
        const decipher = createDecipheriv(ALGORITHM, key, head.subarray(LENGTH_BYTES, HEADER_BYTES));
        decipher.setAuthTag(body.subarray(length, length + TAG_BYTES));
        // The writer flags its last frame: one that is not at the end of the file (or a file cut after a frame) fails.
        const last = position === size;
        decipher.setAAD(frameAad(index, last));
        let plain: Buffer;
        try {
          plain = Buffer.concat([decipher.update(body.subarray(0, length)), decipher.final()]);
        } catch {
          throw broken('damaged or not ours: authentication failed');
        }
        index++;
        if (last) {
          done = true;
          reader.close();
        }
        return plain;
      },
      close() {
        if (closed) return;
        closed = true;
        closeSync(fd);
      },
    };
    return reader;
  }

  /** Seals a whole buffer into a new file. */
  writeFile(path: string, data: Buffer): void {
    const w = this.writer(path);
    try {
      w.write(data);
    } finally {
      w.close();
    }
  }

  /** A sealed file's whole plaintext. */
  readFile(path: string): Buffer {
    const r = this.reader(path);
    const parts: Buffer[] = [];
    try {
      for (let part = r.next(); part !== null; part = r.next()) parts.push(part);
    } finally {
      r.close();
    }
    return Buffer.concat(parts);
  }

  /** A stream that seals what is piped into it into a new file. */
  writeStream(path: string): Writable {
    const w = this.writer(path);
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          w.write(chunk);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      final(done) {
        try {
          w.close();
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      destroy(err, done) {
        // Ended early (the source failed): a file without its last frame, which no reader takes for a whole one.
        w.abort();
        done(err);
      },
    });
  }

  /** A stream of a sealed file's plaintext, one authenticated frame at a time. */
  readStream(path: string): Readable {
    let r: SealedReader | null = null;
    const open = () => this.reader(path);
    return new Readable({
      read() {
        try {
          r ??= open();
          this.push(r.next());
        } catch (err) {
          this.destroy(err as Error);
        }
      },
      destroy(err, done) {
        try {
          r?.close();
        } finally {
          done(err);
        }
      },
    });
  }
}
