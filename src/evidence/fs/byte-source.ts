/**
 * Sequential bytes for the tar walker, from a descriptor (plain tar: data can be skipped by seeking) or
 * from a stream (tar.gz: skipping means decompressing and dropping). One walker serves both.
 */
import type { FileHandle } from 'node:fs/promises';

/**
 * A file read by position: a descriptor (`FileHandle` fits), or the decrypted plaintext of an age file
 * (age.ts). The zip reader and `readRange` need nothing more, so a zip inside an age file reads like one on disk.
 */
export interface PositionalFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** A Buffer read by position, as a descriptor is: a zip held in memory (one inside another container) reads like one on disk. */
export class BufferFile implements PositionalFile {
  constructor(private readonly data: Buffer) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const n = Math.max(0, Math.min(length, this.data.length - position));
    if (n > 0) this.data.copy(buffer, offset, position, position + n);
    return { bytesRead: n };
  }

  async close(): Promise<void> {}
}

export interface ByteSource {
  /** Bytes consumed so far (offset in the uncompressed tar). */
  readonly position: number;
  /** Up to `n` bytes; fewer only at the end. Reading in parts of a chunk avoids copies. */
  read(n: number): Promise<Buffer>;
  /** Skips up to `n` bytes; returns how many were skipped (fewer at the end). */
  skip(n: number): Promise<number>;
}

const READ_BYTES = 256 * 1024;

/**
 * Reads through a window of READ_BYTES so that walking small members costs one system call per window, not
 * one per header; a skip past the window just moves the position (the data of a large member is never read).
 */
export class HandleSource implements ByteSource {
  position = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly fileBytes: number,
  ) {}

  async read(n: number): Promise<Buffer> {
    const left = this.fileBytes - this.position;
    if (left <= 0 || n <= 0) return Buffer.alloc(0);
    let offset = this.position - this.windowStart;
    if (offset < 0 || offset >= this.window.length) {
      const want = Math.min(READ_BYTES, left);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await this.handle.read(buf, 0, want, this.position);
      this.window = buf.subarray(0, bytesRead);
      this.windowStart = this.position;
      offset = 0;
      if (bytesRead === 0) return Buffer.alloc(0);
    }
    const out = this.window.subarray(offset, offset + Math.min(n, left));
    this.position += out.length;
    return out;
  }

  async skip(n: number): Promise<number> {
    const skipped = Math.max(0, Math.min(n, this.fileBytes - this.position));
    this.position += skipped;
    return skipped;
  }
}

export class StreamSource implements ByteSource {
  position = 0;
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async read(n: number): Promise<Buffer> {
    if (this.pending.length === 0 && !(await this.fill())) return Buffer.alloc(0);
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(out.length);
    this.position += out.length;
    return out;
  }

  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      const part = await this.read(n - skipped);
      if (part.length === 0) break;
      skipped += part.length;
    }
    return skipped;
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.chunks.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.pending = next.value;
    return true;
  }
}

/** Exactly `n` bytes, or fewer only when the source ended. */
export async function readFully(source: ByteSource, n: number): Promise<Buffer> {
  const first = await source.read(n);
  if (first.length === n || first.length === 0) return first;
  const parts = [first];
  let got = first.length;
  while (got < n) {
    const part = await source.read(n - got);
    if (part.length === 0) break;
    parts.push(part);
    got += part.length;
  }
  return Buffer.concat(parts, got);
}

/** `length` bytes from `start`, by positional reads; stops early at the end of the file. */
/** Not `fs.createReadStream`: destroying one of those closes its descriptor even with `autoClose: false`, and this one is shared. */
export async function* readRange(handle: PositionalFile, start: number, length: number): AsyncIterable<Buffer> {
  let done = 0;
  while (done < length) {
    const want = Math.min(READ_BYTES, length - done);
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buf, 0, want, start + done);
    if (bytesRead === 0) return;
    done += bytesRead;
    yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
  }
}
