/**
 * Keeping an acquisition with its case (`check --case DIR --keep-acquisition`): the acquisition packed into a
 * zip and age-encrypted as one stream under the case's own age header (case/sealed.ts), so it opens with the
 * case's passphrase or identity, and in recipient mode is written without any private key; written under a
 * hidden name in the case folder and renamed into place.
 * Nothing of it is ever written in plaintext: the zip exists only as the encrypter's input, a chunk at a time.
 * The kept copy is an ordinary `.zip.age` (the format androidqf writes), so `tracehound check` reads it later
 * straight from the encrypted file, by random access, with the case's passphrase or identity.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, lstatSync, mkdirSync, createWriteStream, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { InterruptedError, OutputError, UserError, errorMessage, interruption } from '../errors.js';
import { ageFlavour } from '../evidence/fs/age.js';
import { openFileSystem } from '../evidence/fs/open.js';
import { sealingStream, type CaseSeal } from './sealed.js';

export interface KeptAcquisition {
  /** The `.zip.age` in the case folder. */
  readonly path: string;
  /** Files packed (0 when an age-encrypted input was kept as it came). */
  readonly files: number;
  /** Members of the acquisition not packed (links, special files, names the archive layer refused), one line each. */
  readonly skipped: readonly string[];
  readonly bytes: number;
  /** SHA-256 of the encrypted file, for the case's records. */
  readonly sha256: string;
}

export const KEPT_FOLDER = 'acquisitions';

/** Where an acquisition's kept copy lives in a case folder. */
export function keptPath(caseDir: string, acquisitionId: number): string {
  return join(caseDir, KEPT_FOLDER, `${acquisitionId}.zip.age`);
}

/**
 * Whether `evidence` is one of this case's kept copies (a regular file directly in its `acquisitions/`): it may
 * be checked into its own case, since the case writes only its database, never beside or through the copy.
 */
export function isKeptCopyOf(caseDir: string, evidence: string): boolean {
  const file = resolve(evidence);
  if (dirname(file) !== join(resolve(caseDir), KEPT_FOLDER) || !file.endsWith('.zip.age')) return false;
  try {
    return lstatSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Packs `target` (a folder, zip, tar or tar.gz: what the archive layer opens, with its rules on links and
 * hostile names) into `destination`, sealed. An input that is already age-encrypted is copied as it came (it
 * opens with the identity it was made for). `destination` must not exist.
 */
export async function keepAcquisition(target: string, destination: string, seal: CaseSeal, signal?: AbortSignal): Promise<KeptAcquisition> {
  if (signal?.aborted) throw interruption(signal);
  if (existsSync(destination)) throw new OutputError(`${destination}: already exists; a kept acquisition is never replaced`);
  const scratch = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    // The case's `acquisitions/` folder, made on first use (0700 like the case folder); never a deeper path.
    mkdirSync(dirname(destination), { mode: 0o700, recursive: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(`${destination}: cannot keep the acquisition ${target} (${errorMessage(err)})`, { cause: err });
  }
  try {
    const result = isAgeFile(target) ? await copyAsIs(target, scratch, signal) : await packSealed(target, scratch, seal, signal);
    const fd = openSync(scratch, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(scratch, destination);
    const bytes = statSync(destination).size;
    return { path: destination, ...result, bytes };
  } catch (err) {
    rmSync(scratch, { force: true });
    if (signal?.aborted) throw interruption(signal);
    if (err instanceof UserError || err instanceof OutputError || err instanceof InterruptedError) throw err;
    throw new OutputError(`${destination}: cannot keep the acquisition ${target} (${errorMessage(err)})`, { cause: err });
  }
}

async function packSealed(target: string, scratch: string, seal: CaseSeal, signal: AbortSignal | undefined): Promise<Pick<KeptAcquisition, 'files' | 'skipped' | 'sha256'>> {
  const fs = await openFileSystem(target);
  try {
    const files: string[] = [];
    const skipped: string[] = [];
    for await (const entry of fs.entries()) {
      if (entry.type === 'file') files.push(entry.path);
      else if (entry.type !== 'directory') skipped.push(`${entry.path}: a ${entry.type}, not kept`);
    }
    // A folder lists what it refuses while it is walked, an archive when opened: read after the walk.
    skipped.push(...fs.refused.map((r) => `${r.name}: ${r.reason}`));

    const zip = new yazl.ZipFile();
    const sealed = (zip.outputStream as Readable).pipe(sealingStream(seal));
    // A failed write (disk full, Ctrl-C) must also stop the reading side, which otherwise waits on a zip nobody drains.
    let reading: Readable | null = null;
    const write: { error: Error | null } = { error: null };
    const digest = hashing();
    const written = pipeline(sealed, digest.stream, createWriteStream(scratch, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {}).catch((err: unknown) => {
      write.error = err instanceof Error ? err : new Error(String(err));
      reading?.destroy(write.error);
    });
    let unserved: string[];
    try {
      // Members are added one at a time, each once the previous has been read: a tar.gz is read in one pass.
      unserved = await fs.readMany(files, async (file, content) => {
        if (write.error !== null) throw write.error;
        reading = content;
        zip.addReadStream(content, file.path, { mtime: new Date(file.mtimeMs ?? 0), mode: 0o100600, size: file.size });
        await finished(content);
        reading = null;
      });
      zip.end();
    } catch (err) {
      sealed.destroy(err instanceof Error ? err : new Error(String(err)));
      await written;
      throw write.error ?? err;
    }
    await written;
    if (write.error !== null) throw write.error;
    return { files: files.length - unserved.length, skipped: [...skipped, ...unserved.map((p) => `${p}: could not be read`)], sha256: digest.hex() };
  } finally {
    await fs.close();
  }
}

async function copyAsIs(target: string, scratch: string, signal: AbortSignal | undefined): Promise<Pick<KeptAcquisition, 'files' | 'skipped' | 'sha256'>> {
  const digest = hashing();
  await pipeline(createReadStream(target), digest.stream, createWriteStream(scratch, { flags: 'wx', mode: 0o600 }), signal ? { signal } : {});
  return { files: 0, skipped: [], sha256: digest.hex() };
}

/** SHA-256 of what passes through, taken on the way to the file rather than by reading it back. */
function hashing(): { stream: Transform; hex: () => string } {
  const hash = createHash('sha256');
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, hex: () => hash.digest('hex') };
}

function isAgeFile(path: string): boolean {
  let head: Buffer;
  try {
    if (!statSync(path).isFile()) return false;
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(64);
      head = head.subarray(0, readSync(fd, head, 0, 64, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return ageFlavour(head) !== null;
}
