/**
 * Shared pieces for serving content: a stream that holds a member to its declared size, a bounded
 * collect, and the one-line errors every file system gives for the same mistakes.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { FormatError } from '../../errors.js';
import type { FileEntry, FsEntry, OnFile } from './file-system.js';

/** "sms.db in /cases/dump.zip": the member first, then the container it is in. */
export function memberWhat(location: string, path: string): string {
  return `${path} in ${location}`;
}

/** Why `entry` (or its absence) cannot be read as a file, as a FormatError naming both. */
export function notAFile(location: string, path: string, entry: FsEntry | null): FormatError {
  const what = memberWhat(location, path);
  if (entry === null) return new FormatError(what, 'no such file');
  switch (entry.type) {
    case 'directory':
      return new FormatError(what, 'a folder, not a file');
    case 'symlink':
      return new FormatError(what, `a symbolic link (to ${JSON.stringify(entry.linkTarget)}): links are never followed`);
    default:
      return new FormatError(what, 'not a regular file: not read');
  }
}

export function asFile(location: string, path: string, entry: FsEntry | null): FileEntry {
  if (entry?.type !== 'file') throw notAFile(location, path, entry);
  return entry;
}

export function tooLarge(location: string, file: FileEntry, maxBytes: number): FormatError {
  return new FormatError(memberWhat(location, file.path), `${file.size} bytes, more than the ${maxBytes}-byte read limit`);
}

/**
 * Passes exactly `declared` bytes: more is cut with an error (a zip whose sizes lie, a zip bomb hiding behind a
 * small declared size), fewer ends with an error (a truncated member). Sizes come from the container, so this
 * is where a container's word about itself is enforced.
 */
export class ExactSize extends Transform {
  private seen = 0;
  private crc = 0;

  /** `crc32`: the checksum the container declares (a zip's), checked when the last byte has passed. */
  constructor(
    private readonly declared: number,
    private readonly what: string,
    private readonly crc32?: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const room = this.declared - this.seen;
    this.seen += chunk.length;
    if (chunk.length > room) {
      if (room > 0) this.push(chunk.subarray(0, room));
      done(new FormatError(this.what, `more bytes than the declared ${this.declared}: cut there (the archive's sizes lie)`));
      return;
    }
    if (this.crc32 !== undefined) this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen < this.declared) {
      done(new FormatError(this.what, `truncated: ${this.seen} of the declared ${this.declared} bytes`));
      return;
    }
    if (this.crc32 !== undefined && this.crc !== this.crc32) {
      done(new FormatError(this.what, `damaged: its CRC-32 is ${hex(this.crc)}, the archive declares ${hex(this.crc32)}`));
      return;
    }
    done();
  }
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** The whole stream, failing (and destroying it) as soon as it passes `maxBytes`. */
export async function collectBounded(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new FormatError(what, `more than the ${maxBytes}-byte read limit`);
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** Requested paths in a stable order, each once. */
export function uniqueSorted(paths: Iterable<string>): string[] {
  return [...new Set(paths)].sort();
}

/** Hands one file to a `readMany` callback; whatever it leaves unread is released, even when it throws. */
export async function serveFile(onFile: OnFile, file: FileEntry, content: Readable): Promise<void> {
  try {
    await onFile(file, content);
  } finally {
    content.destroy();
  }
}
