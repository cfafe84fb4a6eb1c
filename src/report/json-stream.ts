/** Writes a JSON array one element at a time, so outputs never hold all records in memory. */
import { closeSync, openSync, writeSync } from 'node:fs';

export class JsonArrayWriter {
  private fd: number | null;
  private count = 0;

  constructor(
    readonly path: string,
    private readonly format: (value: unknown) => string,
    private readonly separator = ',\n',
    private readonly open = '[\n',
    private readonly close_ = '\n]\n',
  ) {
    this.fd = openSync(path, 'w', 0o644);
    writeSync(this.fd, this.open);
  }

  write(value: unknown): void {
    if (this.fd === null) throw new Error(`${this.path}: already closed`);
    writeSync(this.fd, (this.count++ === 0 ? '' : this.separator) + this.format(value));
  }

  get written(): number {
    return this.count;
  }

  close(): void {
    if (this.fd === null) return;
    writeSync(this.fd, this.count === 0 ? this.open.trimEnd() + this.close_.trimStart() : this.close_);
    closeSync(this.fd);
    this.fd = null;
  }
}
