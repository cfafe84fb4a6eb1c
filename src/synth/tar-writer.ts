/**
 * Writes a tar (or tar.gz) member by member straight to a file, for generators whose archives are too large to
 * stage on disk first (a 500,000-file dump, a 200 MB sysdiagnose). node-tar encodes each header (ustar, with a
 * pax header when a path is too long or a size too large for it); writing waits for the stream to drain, so
 * memory stays flat whatever the archive's size.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { Header, Pax } from 'tar';

const BLOCK = 512;
const ZEROS = Buffer.alloc(BLOCK * 2);

export interface TarMember {
  readonly path: string;
  readonly mtime: Date;
  readonly mode?: number;
}

export class TarWriter {
  private readonly out: Writable;
  private readonly sink: WriteStream;
  private bytes = 0;

  private constructor(file: WriteStream, gzip: Gzip | null) {
    this.sink = file;
    this.out = gzip ?? file;
    if (gzip) gzip.pipe(file);
  }

  /** `gzip`: compress as written (a `.tar.gz`). The file is created or replaced. */
  static create(path: string, options: { gzip: boolean }): TarWriter {
    return new TarWriter(createWriteStream(path), options.gzip ? createGzip({ level: 6 }) : null);
  }

  /** Bytes of tar written so far (before compression). */
  get size(): number {
    return this.bytes;
  }

  async directory(member: TarMember): Promise<void> {
    await this.header({ ...member, path: `${member.path}/` }, 'Directory', 0, 0o755);
  }

  async file(member: TarMember, data: Buffer): Promise<void> {
    await this.header(member, 'File', data.length, 0o644);
    if (data.length === 0) return;
    await this.write(data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) await this.write(ZEROS.subarray(0, pad));
  }

  async symlink(member: TarMember, target: string): Promise<void> {
    await this.header(member, 'SymbolicLink', 0, 0o755, target);
  }

  /** Writes the end-of-archive blocks and waits until the file is closed. */
  async finish(): Promise<void> {
    await this.write(ZEROS);
    this.out.end();
    await once(this.sink, 'close');
  }

  private async header(member: TarMember, type: 'File' | 'Directory' | 'SymbolicLink', size: number, mode: number, linkpath?: string): Promise<void> {
    const fields = { path: member.path, mode: member.mode ?? mode, size, mtime: member.mtime, type, uid: 501, gid: 501, uname: 'mobile', gname: 'mobile', ...(linkpath ? { linkpath } : {}) };
    const header = new Header(fields);
    if (header.encode()) await this.write(new Pax({ ...fields, atime: undefined, ctime: undefined }).encode());
    await this.write(header.block!);
  }

  private async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
