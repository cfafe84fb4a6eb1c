/**
 * Fuzzing the case's record blocks (src/case/record-store.ts): a case is data a reader may be handed from
 * elsewhere, so a block whose bytes are damaged must cost its records their data, never throw, hang or
 * allocate without bound; and whatever JSON a record holds comes back as written.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordReader, createRecordWriter } from '../../src/case/record-store.js';
import { openCase, type OpenCase } from '../../src/case/store.js';
import { checkIntoCase } from '../case/_case.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';
import { checkBounded, fuzz, fuzzRuns, must, mutate, mutations, same, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(200, 2);
const TIMEOUT = timeoutFor(RUNS, 10);

let store: OpenCase;
let blocks: { id: number; content: Buffer; records: number }[] = [];

beforeAll(async () => {
  const dir = join(tempDir('fuzz-blocks'), 'case');
  await checkIntoCase(mvtIosBackup(), { dir }, [mvtTestStix()]);
  store = openCase(dir);
  blocks = store.db
    .prepare('SELECT id, content, records FROM record_blocks ORDER BY id')
    .all()
    .map((r) => ({ id: Number(r.id), content: r.content as Buffer, records: Number(r.records) }));
}, 60_000);

afterAll(() => store.close());

describe('case record blocks fuzzing', () => {
  it('the real blocks of the MVT test backup, mutated: every record of the block reads, with or without its data, in time', { timeout: TIMEOUT }, () => {
    expect(blocks.length).toBeGreaterThan(10);
    const { db } = store;
    const setContent = db.prepare('UPDATE record_blocks SET content = ? WHERE id = ?');
    const idsOf = db.prepare('SELECT id FROM records WHERE block_id = ? ORDER BY id');
    let damaged = 0;
    const s = fuzz(
      'case block mutated',
      fc.tuple(fc.constantFrom(...blocks), mutations),
      ([block, m]) => {
        setContent.run(mutate(block.content, m), block.id);
        const read = createRecordReader(db);
        const outcome = checkBounded(() => {
          for (const r of idsOf.all(block.id)) {
            const rec = read(Number(r.id));
            must(rec !== undefined && typeof rec.artifact === 'string' && typeof rec.at === 'object', `record ${String(r.id)} unreadable`);
            if (rec!.data === null) damaged++;
          }
        }, () => false);
        setContent.run(block.content, block.id);
        return outcome;
      },
      RUNS,
    );
    expect(s.returned).toBe(RUNS);
    // The mutations reach the decoder: some blocks no longer inflate, and their records lose their data.
    expect(damaged).toBeGreaterThan(0);
  });

  it('gives back any JSON record and locator as written, across block boundaries', { timeout: TIMEOUT }, () => {
    const { db } = store;
    const acquisition = Number(db.prepare('SELECT max(id) AS id FROM acquisitions').get()!.id);
    const record = fc.tuple(fc.jsonValue(), fc.oneof(fc.record({ table: fc.string(), rowid: fc.oneof(fc.nat(), fc.constant(null)) }), fc.record({ line: fc.nat() })));
    fuzz(
      'case block round trip',
      fc.array(record, { minLength: 1, maxLength: 300 }),
      (records) => {
        db.begin();
        try {
          const write = createRecordWriter(db, acquisition);
          const ids = records.map(([data, at]) => write.add('fuzz', { root: '/x', storedPath: 'f' }, at, data, true));
          write.flush();
          const read = createRecordReader(db);
          ids.forEach((id, i) => {
            const [data, at] = records[i]!;
            same(read(id)?.data, JSON.parse(JSON.stringify(data)) as unknown);
            same(read(id)?.at, JSON.parse(JSON.stringify(at)) as unknown);
          });
        } finally {
          db.rollback();
        }
        return 'returned';
      },
      Math.ceil(RUNS / 3),
    );
  });
});
