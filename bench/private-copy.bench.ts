/**
 * Copying a folder's database into the private temp folder and hashing it (npm run bench:private-copy): the one
 * pass a check and `ios decrypt` use (`copyOpenedHashing`: reads and writes on libuv's threads, this thread
 * hashing), hashing and then copying on this thread (as before), and the stream pipeline that decrypting copies
 * use (`copyOut` with a transform), side by side in rounds, each into a new folder as a run's copy is.
 *
 *   npm run bench:private-copy                 a 90 MB file (Manifest.db of the 100k bench backup is 88 MB), 4 rounds
 *   npm run bench:private-copy -- --mb 500     another size
 */
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import { copyOpened, copyOpenedHashing, eachChunk, openRegular } from '../src/evidence/contained.js';
import { InputLog } from '../src/evidence/input-log.js';
import { FolderFiles } from '../src/evidence/stored-files.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '90' }, rounds: { type: 'string', default: '4' } } });
const work = mkdtempSync(join(tmpdir(), 'th-bench-copy-'));
try {
  const evidence = join(work, 'evidence');
  const fd = openSync(join(work, 'evidence'), 'w');
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < Number(values.mb); i++) writeSync(fd, randomFillSync(block));
  closeSync(fd);

  const ways: Record<string, (dest: string) => Promise<void>> = {
    'one pass': async (dest) => {
      const opened = openRegular(evidence, 'evidence');
      try {
        await copyOpenedHashing(opened, dest, createHash('sha256'));
      } finally {
        closeSync(opened.fd);
      }
    },
    'hash, then copy': async (dest) => {
      const opened = openRegular(evidence, 'evidence');
      try {
        const hash = createHash('sha256');
        eachChunk(opened, (chunk) => hash.update(chunk));
        copyOpened(opened, dest);
      } finally {
        closeSync(opened.fd);
      }
    },
    'stream pipeline': async (dest) => {
      const identity = () => new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, chunk) });
      await new FolderFiles(work, 'no-links').copyOut('evidence', 'evidence', new InputLog(), 'evidence', dest, identity);
    },
  };
  console.log(`${values.mb} MB, each copy into a new folder`);
  console.log(`| round | ${Object.keys(ways).join(' | ')} |`);
  console.log(`|---|${Object.keys(ways).map(() => '---|').join('')}`);
  for (let round = 1; round <= Number(values.rounds); round++) {
    const names = Object.keys(ways);
    const times = new Map<string, string>();
    // Each round starts with another way: the first large write after a copy is deleted can be the slow one.
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const dir = mkdtempSync(join(work, 'copy-'));
      const started = performance.now();
      await ways[name]!(join(dir, 'evidence.db'));
      times.set(name, `${(performance.now() - started).toFixed(0)} ms`);
      rmSync(dir, { recursive: true });
    }
    console.log(`| ${round} | ${names.map((n) => times.get(n)).join(' | ')} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
