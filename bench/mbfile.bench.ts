/**
 * Decoding Manifest.db's MBFile archives (npm run bench:mbfile): the one-pass read a check uses
 * (mbfile-direct.ts), the read by reference of the usual shape, and un-archiving each one whole, side by side in
 * one run, over every row of a generated backup (the rows a check decodes once each).
 *
 *   npm run bench:mbfile                   a 100,000-row backup, 3 rounds
 *   npm run bench:mbfile -- --rows 20000   another size
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqlite } from '../src/evidence/sqlite.js';
import { decodeMbFileByUnarchiving, decodeMbFileShape } from '../src/formats/mbfile.js';
import { decodeMbFileDirect } from '../src/formats/mbfile-direct.js';
import { generateIosBackup } from '../src/synth/ios-backup.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const work = mkdtempSync(join(tmpdir(), 'th-bench-mbfile-'));
try {
  generateIosBackup(join(work, 'backup'), { seed: 1, manifestEntries: Number(values.rows), messages: 10, visits: 10, processes: 10 });
  const handle = openSqlite({ kind: 'buffer', data: readFileSync(join(work, 'backup', 'Manifest.db')) }, 'Manifest.db');
  const blobs = (handle.db.prepare('SELECT file FROM Files').all() as { file: Buffer }[]).map((r) => r.file);
  handle.close();
  const time = (decode: (b: Buffer) => unknown) => {
    const started = performance.now();
    for (const b of blobs) decode(b);
    return performance.now() - started;
  };
  console.log(`${blobs.length.toLocaleString('en')} MBFile archives`);
  console.log('| round | one pass | by reference | un-archiving | un-archiving / one pass |');
  console.log('|---|---|---|---|---|');
  for (let round = 1; round <= Number(values.rounds); round++) {
    const onePass = time(decodeMbFileDirect);
    const direct = time(decodeMbFileShape);
    const general = time(decodeMbFileByUnarchiving);
    console.log(`| ${round} | ${onePass.toFixed(0)} ms | ${direct.toFixed(0)} ms | ${general.toFixed(0)} ms | ${(general / onePass).toFixed(1)}× |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
