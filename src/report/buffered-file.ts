/** A write-only file that batches small writes into large ones: one syscall per megabyte, not per record. */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT_CHARS = 1 << 20;

export class BufferedFile {
  private fd: number | null;
  private parts: string[] = [];
  private pending = 0;

  /** `mode` 0600 for results of encrypted evidence (they hold plaintext), 0644 otherwise. */
  constructor(
    readonly path: string,
    mode = 0o644,
  ) {
    this.fd = openSync(path, 'w', mode);
  }

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= FLUSH_AT_CHARS) this.flush();
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }
}
