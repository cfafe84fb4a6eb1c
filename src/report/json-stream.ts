/** Writes a JSON array one element at a time, so outputs never hold all records in memory. */
import { BufferedFile } from './buffered-file.js';

export class JsonArrayWriter {
  private readonly file: BufferedFile;
  private count = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly format: (value: unknown) => string,
    private readonly separator = ',\n',
    private readonly open = '[\n',
    private readonly end = '\n]\n',
    mode = 0o644,
  ) {
    this.file = new BufferedFile(path, mode);
  }

  write(value: unknown): void {
    if (this.closed) throw new Error(`${this.path}: already closed`);
    this.file.write((this.count++ === 0 ? this.open : this.separator) + this.format(value));
  }

  get written(): number {
    return this.count;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // An empty array is written as `[]`, the way JSON.stringify and Python's json.dump write it.
    this.file.write(this.count === 0 ? `[]${this.end.slice(this.end.indexOf(']') + 1)}` : this.end);
    this.file.close();
  }
}
