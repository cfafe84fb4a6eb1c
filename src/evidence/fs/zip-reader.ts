/**
 * The bytes yauzl reads, from one descriptor (or an age file's plaintext, age.ts). yauzl's own file reader makes two small reads per central
 * directory record (70,000 members: 140,000 trips through the thread pool); this one serves those from a
 * window of WINDOW_BYTES, so listing costs one read per window. Member data is streamed by positional reads
 * (not `fs.createReadStream`, which closes a shared descriptor when destroyed).
 */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { readRange, type PositionalFile } from './byte-source.js';

const WINDOW_BYTES = 1024 * 1024;

export class WindowedReader extends yauzl.RandomAccessReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(private readonly handle: PositionalFile) {
    super();
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readAsync(buffer, offset, length, position).then(
      () => callback(null),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(readRange(this.handle, start, end - start));
  }

  override close(callback: (err: Error | null) => void): void {
    this.handle.close().then(
      () => callback(null),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async readAsync(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    if (length > WINDOW_BYTES) {
      const { bytesRead } = await this.handle.read(buffer, offset, length, position);
      if (bytesRead < length) throw new Error('unexpected EOF');
      return;
    }
    const inWindow = position >= this.windowStart && position + length <= this.windowStart + this.window.length;
    if (!inWindow) {
      const buf = Buffer.allocUnsafe(WINDOW_BYTES);
      const { bytesRead } = await this.handle.read(buf, 0, WINDOW_BYTES, position);
      this.window = buf.subarray(0, bytesRead);
      this.windowStart = position;
      if (bytesRead < length) throw new Error('unexpected EOF');
    }
    this.window.copy(buffer, offset, position - this.windowStart, position - this.windowStart + length);
  }
}
