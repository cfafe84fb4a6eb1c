/**
 * How a case keeps its records compact (schema version 2). A record's row holds only integers: its
 * acquisition, its source (artifact and evidence file, stored once per acquisition in `record_sources`) and its
 * place in a block. What the record said and where in the file it was read (its locator) are kept in
 * `record_blocks`: a few hundred consecutive records of one acquisition, one line of JSON each, deflated
 * together. Records of one artifact repeat the same keys and much of the same text (domains, folders, dates),
 * which deflate removes across a block but not within one small record: about 6× smaller than the JSON alone,
 * where one record at a time only gives 1.6×.
 *
 * Observables name their kind, field and role by an id in `observable_fields` (a phone has a dozen of these
 * combinations, not one per observable).
 */
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import type { Locator, Observable } from '../artifacts/artifact.js';
import { refKey, type EvidenceRef } from '../evidence/source.js';
import type { CaseDb, Statement } from './db.js';
import { objectFromJson, toJson } from './json.js';

/** The one block encoding so far: deflate (raw) of one line per record, `[locator, data]` as JSON. */
export const BLOCK_ENCODING = 'deflate-jsonl';

/**
 * A block is closed at this many records or this much JSON, whichever comes first. Reading one record inflates
 * its whole block: 64 KB costs about half a millisecond and deflates within 3% of 128 KB (which costs twice
 * that); deflate's window is 32 KB, so bigger blocks gain little.
 */
export const BLOCK_RECORDS = 256;
const BLOCK_BYTES = 64 * 1024;
/**
 * A block never inflates beyond this (a record is closed into a block of its own when it alone exceeds
 * BLOCK_BYTES, so only a huge record comes near it): a damaged or hostile case cannot make a reader allocate
 * without bound.
 */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/** A record's line in its block, from its locator and data already as JSON text. */
export const recordLine = (locatorJson: string, dataJson: string | null): string => `[${locatorJson},${dataJson ?? 'null'}]`;

export const encodeBlock = (lines: readonly string[]): Buffer => deflateRawSync(Buffer.from(lines.join('\n'), 'utf8'));

export interface StoredRecord {
  readonly id: number;
  readonly acquisitionId: number;
  readonly artifact: string;
  readonly evidenceFile: string;
  readonly ref: EvidenceRef;
  readonly at: Locator;
  /** The record as the artifact read it (JSON), null when the case keeps no record data or the block is damaged. */
  readonly data: unknown;
}

/** Writes the records of one acquisition (inside the caller's transaction). `flush` closes the open block. */
export interface RecordWriter {
  add(artifact: string, ref: EvidenceRef, at: Locator, data: unknown, keepData: boolean): number;
  flush(): void;
}

export function createRecordWriter(db: CaseDb, acquisitionId: number): RecordWriter {
  const findSource = db.prepare('SELECT id FROM record_sources WHERE acquisition_id = ? AND artifact = ? AND evidence_ref = ?');
  const addSource = db.prepare('INSERT INTO record_sources (acquisition_id, artifact, evidence_file, evidence_ref) VALUES (?, ?, ?, ?)');
  const openBlock = db.prepare('INSERT INTO record_blocks (acquisition_id, encoding, records, content) VALUES (?, ?, 0, NULL)');
  const closeBlock = db.prepare('UPDATE record_blocks SET records = ?, content = ? WHERE id = ?');
  const addRecord = db.prepare('INSERT INTO records (acquisition_id, source_id, block_id, block_index) VALUES (?, ?, ?, ?)');
  const sources = new Map<string, number>();
  let blockId = 0;
  let lines: string[] = [];
  let bytes = 0;

  const sourceOf = (artifact: string, ref: EvidenceRef): number => {
    const refJson = toJson(ref);
    const memo = `${artifact}\u0000${refJson}`;
    let id = sources.get(memo);
    if (id !== undefined) return id;
    const row = findSource.get(acquisitionId, artifact, refJson);
    id = row !== undefined ? Number(row.id) : Number(addSource.run(acquisitionId, artifact, refKey(ref), refJson).lastInsertRowid);
    sources.set(memo, id);
    return id;
  };
  const flush = (): void => {
    if (blockId === 0) return;
    closeBlock.run(lines.length, encodeBlock(lines), blockId);
    blockId = 0;
    lines = [];
    bytes = 0;
  };
  return {
    add(artifact, ref, at, data, keepData) {
      const line = recordLine(toJson(at), keepData ? toJson(data) : null);
      if (blockId !== 0 && (lines.length >= BLOCK_RECORDS || bytes + line.length > BLOCK_BYTES)) flush();
      // The block's row exists before its records refer to it; its content is written when it closes.
      if (blockId === 0) blockId = Number(openBlock.run(acquisitionId, BLOCK_ENCODING).lastInsertRowid);
      lines.push(line);
      bytes += line.length;
      return Number(addRecord.run(acquisitionId, sourceOf(artifact, ref), blockId, lines.length - 1).lastInsertRowid);
    },
    flush,
  };
}

/**
 * Reads records by id. The blocks last inflated are kept (a recheck asks for records in id order, so the
 * records of one block come one after the other); a block that does not inflate or parse gives its records no
 * data and no locator rather than stopping a report.
 */
export function createRecordReader(db: CaseDb): (recordId: number) => StoredRecord | undefined {
  const read = db.prepare(
    `SELECT r.id, r.acquisition_id, r.block_index, r.block_id, s.artifact, s.evidence_file, s.evidence_ref
     FROM records r JOIN record_sources s ON s.id = r.source_id WHERE r.id = ?`,
  );
  const block = db.prepare('SELECT encoding, content FROM record_blocks WHERE id = ?');
  const cache = new Map<number, Lines>();
  const linesOf = (blockId: number): Lines => {
    let lines = cache.get(blockId);
    if (lines !== undefined) return lines;
    lines = decodeBlock(block, blockId);
    if (cache.size >= 8) cache.delete(cache.keys().next().value!);
    cache.set(blockId, lines);
    return lines;
  };
  return (recordId) => {
    const r = read.get(recordId);
    if (r === undefined) return undefined;
    const [at, data] = parseLine(lineOf(linesOf(Number(r.block_id)), Number(r.block_index)));
    return {
      id: Number(r.id),
      acquisitionId: Number(r.acquisition_id),
      artifact: String(r.artifact),
      evidenceFile: String(r.evidence_file),
      ref: objectFromJson(r.evidence_ref) as unknown as EvidenceRef,
      at: at as unknown as Locator,
      data,
    };
  };
}

/** An inflated block and where each of its lines starts (only the line asked for is decoded to text). */
interface Lines {
  readonly text: Buffer;
  readonly starts: readonly number[];
}

const NO_LINES: Lines = { text: Buffer.alloc(0), starts: [] };

function decodeBlock(block: Statement, blockId: number): Lines {
  const row = block.get(blockId);
  if (row === undefined || row.encoding !== BLOCK_ENCODING || !Buffer.isBuffer(row.content)) return NO_LINES;
  let text: Buffer;
  try {
    text = inflateRawSync(row.content, { maxOutputLength: MAX_BLOCK_BYTES });
  } catch {
    return NO_LINES;
  }
  const starts = [0];
  for (let nl = text.indexOf(10); nl !== -1; nl = text.indexOf(10, nl + 1)) starts.push(nl + 1);
  return { text, starts };
}

function lineOf(lines: Lines, index: number): string | undefined {
  const start = lines.starts[index];
  if (start === undefined) return undefined;
  const next = lines.starts[index + 1];
  return lines.text.toString('utf8', start, next === undefined ? lines.text.length : next - 1);
}

function parseLine(line: string | undefined): [Record<string, unknown>, unknown] {
  if (line === undefined) return [{}, null];
  try {
    const v = JSON.parse(line) as unknown;
    if (!Array.isArray(v)) return [{}, null];
    const at = typeof v[0] === 'object' && v[0] !== null && !Array.isArray(v[0]) ? (v[0] as Record<string, unknown>) : {};
    return [at, v[1] ?? null];
  } catch {
    return [{}, null];
  }
}

/** Ids of the (kind, field, role) combinations of observables, created on first use. */
export function createFieldIds(db: CaseDb): (o: Observable) => number {
  const find = db.prepare('SELECT id FROM observable_fields WHERE kind = ? AND field = ? AND role = ?');
  const add = db.prepare('INSERT INTO observable_fields (kind, field, role) VALUES (?, ?, ?)');
  const memo = new Map<string, number>();
  return (o) => {
    const role = o.role ?? '';
    const key = `${o.kind}\u0000${o.field}\u0000${role}`;
    let id = memo.get(key);
    if (id !== undefined) return id;
    const row = find.get(o.kind, o.field, role);
    id = row !== undefined ? Number(row.id) : Number(add.run(o.kind, o.field, role).lastInsertRowid);
    memo.set(key, id);
    return id;
  };
}

/** The observables of one record, in the order they were stored. */
export function createObservableReader(db: CaseDb): (recordId: number) => Observable[] {
  const read = db.prepare('SELECT f.kind, f.field, f.role, o.value FROM observables o JOIN observable_fields f ON f.id = o.field_id WHERE o.record_id = ? ORDER BY o.id');
  return (recordId) =>
    read.all(recordId).map((r) => ({
      kind: String(r.kind) as Observable['kind'],
      value: String(r.value),
      field: String(r.field),
      ...(r.role === null || r.role === '' ? {} : { role: String(r.role) as NonNullable<Observable['role']> }),
    }));
}
