/**
 * Writes a zip member by member straight to a file, each member's content streamed through deflate, for
 * generators whose members are too large to hold (a 100 MB dumpstate). Sizes and CRC follow each member in a
 * data descriptor, as `adb bugreport`'s zips do; times are DOS times (the packing machine's wall clock: here
 * the UTC fields of the given Date, so a listing is the same on every machine) plus the extended-timestamp
 * field with the exact instant. No zip64: members and archive stay under 4 GiB.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';

interface Written {
  readonly name: Buffer;
  readonly offset: number;
  readonly crc: number;
  readonly compressed: number;
  readonly size: number;
  readonly dosTime: number;
  readonly dosDate: number;
  readonly extra: Buffer;
}

const LIMIT = 0xffff_ffff;

function dosDateTime(d: Date): { dosTime: number; dosDate: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    dosTime: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    dosDate: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** The Info-ZIP extended timestamp (0x5455) with the modification time only. */
function extendedTime(d: Date): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4);
  b.writeUInt32LE(Math.floor(d.getTime() / 1000) >>> 0, 5);
  return b;
}

export class ZipWriter {
  private readonly members: Written[] = [];
  private offset = 0;

  private constructor(private readonly out: WriteStream) {}

  /** The file is created or replaced. */
  static create(path: string): ZipWriter {
    return new ZipWriter(createWriteStream(path));
  }

  private async write(data: Buffer): Promise<void> {
    this.offset += data.length;
    if (!this.out.write(data)) await once(this.out, 'drain');
  }

  /** Adds a member whose content is the concatenation of `chunks` (strings are UTF-8), deflated as it comes. */
  async add(path: string, chunks: Iterable<Buffer | string> | AsyncIterable<Buffer | string>, mtime: Date): Promise<number> {
    const name = Buffer.from(path, 'utf8');
    const { dosTime, dosDate } = dosDateTime(mtime);
    const extra = extendedTime(mtime);
    const offset = this.offset;
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0808, 6); // data descriptor follows; UTF-8 names
    header.writeUInt16LE(8, 8); // deflate
    header.writeUInt16LE(dosTime, 10);
    header.writeUInt16LE(dosDate, 12);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(extra.length, 28);
    await this.write(Buffer.concat([header, name, extra]));

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 6 });
    const pump = (async () => {
      for await (const out of deflate) {
        compressed += (out as Buffer).length;
        await this.write(out as Buffer);
      }
    })();
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      crc = crc32(buf, crc);
      size += buf.length;
      if (!deflate.write(buf)) await once(deflate, 'drain');
    }
    deflate.end();
    await pump;
    if (size > LIMIT || compressed > LIMIT || this.offset > LIMIT) throw new Error(`${path}: zip64 sizes are not written by this generator`);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await this.write(descriptor);
    this.members.push({ name, offset, crc: crc >>> 0, compressed, size, dosTime, dosDate, extra });
    return size;
  }

  /** Writes the central directory and closes the file. */
  async close(): Promise<void> {
    const start = this.offset;
    for (const m of this.members) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(8, 10);
      h.writeUInt16LE(m.dosTime, 12);
      h.writeUInt16LE(m.dosDate, 14);
      h.writeUInt32LE(m.crc, 16);
      h.writeUInt32LE(m.compressed, 20);
      h.writeUInt32LE(m.size, 24);
      h.writeUInt16LE(m.name.length, 28);
      h.writeUInt16LE(m.extra.length, 30);
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      h.writeUInt32LE(m.offset, 42);
      await this.write(Buffer.concat([h, m.name, m.extra]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.members.length, 8);
    end.writeUInt16LE(this.members.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    this.out.end();
    await once(this.out, 'close');
  }
}
