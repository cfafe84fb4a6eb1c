/**
 * A streaming RFC 4180 reader for the native timeline.csv (quoted fields may hold commas, quotes and line
 * breaks, which is why a line reader will not do). Bounded: a field longer than `maxFieldChars` or a row
 * with more than `maxFields` fields is a FormatError naming the row, so a hostile file cannot make it hold
 * an unbounded string.
 */
import { createReadStream } from 'node:fs';
import { FormatError } from '../../errors.js';

export interface CsvLimits {
  readonly maxFieldChars: number;
  readonly maxFields: number;
}

export const CSV_LIMITS: CsvLimits = { maxFieldChars: 1_000_000, maxFields: 64 };

/** A push parser: feed it text chunks, it calls `onRow` for each complete row. */
export class CsvParser {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** Just saw a quote inside a quoted field: either the end of the field or the first half of `""`. */
  private quoteSeen = false;
  private atFieldStart = true;
  private rowNumber = 1;

  constructor(
    private readonly onRow: (row: string[], rowNumber: number) => void,
    private readonly limits: CsvLimits = CSV_LIMITS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            start = i + 1;
            continue;
          }
          this.quoted = false;
          // fall through: c is the character after the closing quote
        } else {
          if (c === '"') {
            this.append(chunk, start, i);
            this.quoteSeen = true;
            start = i + 1;
          }
          continue;
        }
      }
      if (c === '"' && this.atFieldStart) {
        this.quoted = true;
        this.atFieldStart = false;
        start = i + 1;
        continue;
      }
      if (c === ',' || c === '\n' || c === '\r') {
        this.append(chunk, start, i);
        start = i + 1;
        if (c === '\r') continue; // CRLF: the \n ends the row
        this.endField();
        if (c === '\n') this.endRow();
        continue;
      }
      this.atFieldStart = false;
    }
    if (this.quoted && this.quoteSeen) return;
    this.append(chunk, start, chunk.length);
  }

  /** The end of input: a last row without a newline still counts; an open quote is an error. */
  end(): void {
    if (this.quoted && !this.quoteSeen) throw new FormatError('CSV', `row ${this.rowNumber}: unterminated quoted field at the end of the file`);
    if (this.field !== '' || this.row.length > 0) {
      this.endField();
      this.endRow();
    }
  }

  private append(chunk: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.field.length + (to - from) > this.limits.maxFieldChars) throw new FormatError('CSV', `row ${this.rowNumber}: a field longer than ${this.limits.maxFieldChars} characters`);
    this.field += chunk.slice(from, to);
  }

  private endField(): void {
    if (this.row.length >= this.limits.maxFields) throw new FormatError('CSV', `row ${this.rowNumber}: more than ${this.limits.maxFields} fields`);
    this.row.push(this.field);
    this.field = '';
    this.quoted = false;
    this.quoteSeen = false;
    this.atFieldStart = true;
  }

  private endRow(): void {
    const row = this.row;
    this.row = [];
    // A blank line is a row with one empty field: skipped.
    if (!(row.length === 1 && row[0] === '')) this.onRow(row, this.rowNumber);
    this.rowNumber++;
  }
}

/** Parses a file chunk by chunk; memory stays at one chunk and one row. */
export async function readCsvFile(path: string, onRow: (row: string[], rowNumber: number) => void, limits: CsvLimits = CSV_LIMITS): Promise<void> {
  const parser = new CsvParser(onRow, limits);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 });
  for await (const chunk of stream) parser.push(chunk as string);
  parser.end();
}
