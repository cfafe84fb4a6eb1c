/**
 * Every input file a run read, with its SHA-256, so that info.json lets a second lab verify that it
 * looked at the same bytes. Small files are hashed from the bytes already read, large ones by one
 * streamed pass, never by holding them whole.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

export interface InputRecord {
  readonly path: string;
  readonly label: string;
  readonly sha256: string;
  readonly bytes: number;
}

const CHUNK_BYTES = 4 * 1024 * 1024;

export class InputLog {
  private readonly byPath = new Map<string, InputRecord>();

  record(path: string, label: string, data: Buffer): void {
    if (this.byPath.has(path)) return;
    this.byPath.set(path, { path, label, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length });
  }

  readSync(path: string, label: string): Buffer {
    const data = readFileSync(path);
    this.record(path, label, data);
    return data;
  }

  hashFileSync(path: string, label: string): void {
    if (this.byPath.has(path)) return;
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytes = 0;
    const fd = openSync(path, 'r');
    try {
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
        hash.update(chunk.subarray(0, n));
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
    this.byPath.set(path, { path, label, sha256: hash.digest('hex'), bytes });
  }

  all(): InputRecord[] {
    return [...this.byPath.values()];
  }
}
