/**
 * Fuzzing the MBFile decoder of Manifest.db rows with MVT's real archives mutated byte by byte: it returns or
 * refuses with a one-line FormatError within the time bound, and whenever both the direct read and the whole
 * un-archiving read a mutated archive, they give the same fields; and wherever the one-pass read answers, the
 * checked decoders give exactly its answer (it declines everything else, damage included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { openSqlite } from '../../src/evidence/sqlite.js';
import { decodeMbFile, decodeMbFileByUnarchiving, decodeMbFileShape, type MbFile } from '../../src/formats/mbfile.js';
import { decodeMbFileDirect } from '../../src/formats/mbfile-direct.js';
import { mvtIosBackup } from '../helpers/data.js';
import { checkBounded, fuzz, fuzzRuns, mutate, mutations, same, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(400, 3);
const TIMEOUT = timeoutFor(RUNS);

const handle = openSqlite({ kind: 'buffer', data: readFileSync(join(mvtIosBackup(), 'Manifest.db')) }, 'Manifest.db');
const samples = (handle.db.prepare('SELECT file FROM Files ORDER BY rowid LIMIT 64').all() as { file: Buffer }[]).map((r) => r.file);
handle.close();

const orRefused = (decode: () => MbFile | undefined): MbFile | undefined | 'refused' => {
  try {
    return decode();
  } catch (err) {
    if (err instanceof FormatError) return 'refused';
    throw err;
  }
};

describe('MBFile decoder fuzzing', () => {
  it('real archives mutated: decoded or refused in one line, in time', { timeout: TIMEOUT }, () => {
    const input = fc.tuple(fc.constantFrom(...samples), mutations);
    const s = fuzz('mbfile mutated', input, ([blob, m]) => checkBounded(() => decodeMbFile(mutate(blob, m))), RUNS);
    expect(s.returned).toBeGreaterThan(0);
  });

  it('the direct read agrees with un-archiving wherever both read a mutated archive', { timeout: TIMEOUT }, () => {
    const input = fc.tuple(fc.constantFrom(...samples), mutations);
    fuzz(
      'mbfile agreement',
      input,
      ([blob, m]) => {
        const mutated = mutate(blob, m);
        const direct = orRefused(() => decodeMbFileShape(mutated));
        const general = orRefused(() => decodeMbFileByUnarchiving(mutated));
        if (direct !== undefined && direct !== 'refused' && general !== 'refused') same(direct, general);
        return 'returned';
      },
      RUNS,
    );
  });

  it('the one-pass read answers only where the checked decoders give the same fields', { timeout: TIMEOUT }, () => {
    const input = fc.tuple(fc.constantFrom(...samples), mutations);
    const s = fuzz(
      'mbfile one-pass',
      input,
      ([blob, m]) => {
        const mutated = mutate(blob, m);
        // In time, and it never throws (no error is allowed): what it cannot read is left to the checked decoders.
        checkBounded(() => decodeMbFileDirect(mutated), () => false);
        const direct = decodeMbFileDirect(mutated);
        if (direct === undefined) return 'refused';
        same(orRefused(() => decodeMbFileShape(mutated) ?? decodeMbFileByUnarchiving(mutated)), direct);
        return 'returned';
      },
      RUNS,
    );
    expect(s.returned).toBeGreaterThan(0);
  });
});
