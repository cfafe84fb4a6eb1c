/**
 * A write-only file that batches small writes into large ones: one syscall per megabyte, not per record.
 *
 * Two stages, because the JSON writers hand over many tiny pieces (a key, `: `, a number): small pieces are first
 * joined as a short string (V8 concatenates cheaply), which is UTF-8 encoded into one reused buffer about every
 * ENCODE_AT_CHARS characters (one encode per ~16 K characters, not per piece); large pieces are encoded as they
 * come. The buffer goes to the file when it holds FLUSH_AT_BYTES. Joining everything as one string and encoding
 * it at the end (as before) costs several times more.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT_BYTES = 1 << 20;
const ENCODE_AT_CHARS = 1 << 14;
/** Pieces this long are encoded at once: joining them first would copy them for nothing. */
const ENCODE_DIRECTLY_CHARS = 1 << 10;
/** A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_CHAR = 3;

export class BufferedFile {
  private fd: number | null;
  private pending = '';
  private readonly bytes = Buffer.allocUnsafe(FLUSH_AT_BYTES + ENCODE_AT_CHARS * MAX_BYTES_PER_CHAR);
  private used = 0;

  /** `mode` 0600 for results of encrypted evidence (they hold plaintext), 0644 otherwise. */
  constructor(
    readonly path: string,
    mode = 0o644,
  ) {
    this.fd = openSync(path, 'w', mode);
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    if (text.length < ENCODE_DIRECTLY_CHARS) {
      this.pending += text;
      if (this.pending.length >= ENCODE_AT_CHARS) this.encodePending();
    } else {
      // A whole record's text: encoded as it is, not first copied into a joined string.
      this.encodePending();
      this.encode(text);
    }
  }

  /** Text already encoded as UTF-8 (rendered in a worker thread of the pool): copied in, never decoded. */
  writeEncoded(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    this.encodePending();
    if (this.used + bytes.length > this.bytes.length) this.flushBytes();
    if (bytes.length > this.bytes.length) {
      const fd = this.openFd();
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      return;
    }
    this.bytes.set(bytes, this.used);
    this.used += bytes.length;
    if (this.used >= FLUSH_AT_BYTES) this.flushBytes();
  }

  close(): void {
    if (this.fd === null) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private flush(): void {
    this.encodePending();
    this.flushBytes();
  }

  private encodePending(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    this.encode(text);
  }

  private encode(text: string): void {
    const worst = text.length * MAX_BYTES_PER_CHAR;
    if (this.used + worst > this.bytes.length) this.flushBytes();
    if (worst > this.bytes.length) {
      // One very large piece (a whole file's text): straight to the file, no copy into the buffer.
      writeSync(this.openFd(), text);
      return;
    }
    this.used += this.bytes.write(text, this.used, 'utf8');
    if (this.used >= FLUSH_AT_BYTES) this.flushBytes();
  }

  private flushBytes(): void {
    const fd = this.openFd();
    for (let done = 0; done < this.used; ) done += writeSync(fd, this.bytes, done, this.used - done);
    this.used = 0;
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    return this.fd;
  }
}
