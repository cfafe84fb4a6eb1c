/**
 * Opens a result bundle for checking. A bundle comes from another lab and is hostile input: it is read through
 * the project's zip layer (src/evidence/fs/zip.ts: names normalised or refused, duplicates refused, sizes
 * enforced, zip bombs refused), with tighter bounds of our own, and every problem is one line.
 */
import { createHash } from 'node:crypto';
import type { FileSystem } from '../evidence/fs/file-system.js';
import { openZipFileSystem } from '../evidence/fs/zip.js';
import { errorMessage } from '../errors.js';

/** A bundle holds a few summaries, its indicator files and (optionally) one records file per artifact. */
export const BUNDLE_LIMITS = {
  maxMembers: 10_000,
  /** Bytes hashed over all members (records of a large dump are hundreds of MB). */
  maxTotalBytes: 16 * 1024 ** 3,
  /** A JSON member parsed in memory (provenance, findings, manifest, an indicator file). */
  maxParsedBytes: 512 * 1024 * 1024,
};

/** A bundle that cannot be trusted as it stands: `verify` exits 1 with `message` as its one line. */
export class BundleProblem extends Error {
  override readonly name = 'BundleProblem';
}

export interface MemberDigest {
  readonly sha256: string;
  readonly bytes: number;
}

export interface OpenedBundle {
  readonly path: string;
  /** Every file member with its SHA-256, in the zip's order. */
  readonly digests: ReadonlyMap<string, MemberDigest>;
  read(name: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openBundle(path: string): Promise<OpenedBundle> {
  let fs: FileSystem;
  try {
    fs = await openZipFileSystem(path);
  } catch (err) {
    throw new BundleProblem(`${path}: not a readable bundle (${errorMessage(err)})`, { cause: err });
  }
  try {
    if (fs.damage) throw new BundleProblem(`${path}: damaged zip (${fs.damage})`);
    const refused = fs.refused[0];
    if (refused) throw new BundleProblem(`${path}: member "${refused.name.slice(0, 120)}" refused (${refused.reason})`);
    const digests = new Map<string, MemberDigest>();
    let total = 0;
    let count = 0;
    for await (const entry of fs.entries()) {
      // The zip layer lists the parent folders of members itself; folders hold no content to sign.
      if (entry.type === 'directory') continue;
      if (++count > BUNDLE_LIMITS.maxMembers) throw new BundleProblem(`${path}: more than ${BUNDLE_LIMITS.maxMembers} members (not a bundle)`);
      if (entry.type !== 'file') throw new BundleProblem(`${path}: member "${entry.path}" is a ${entry.type}, not a file`);
      total += entry.size;
      if (total > BUNDLE_LIMITS.maxTotalBytes) throw new BundleProblem(`${path}: members larger than ${BUNDLE_LIMITS.maxTotalBytes} bytes in total (not a bundle)`);
      digests.set(entry.path, await digest(fs, entry.path));
    }
    return {
      path,
      digests,
      read: async (name) => {
        const d = digests.get(name);
        if (!d) throw new BundleProblem(`${path}: no member "${name}"`);
        if (d.bytes > BUNDLE_LIMITS.maxParsedBytes) throw new BundleProblem(`${path}: member "${name}" is ${d.bytes} bytes (at most ${BUNDLE_LIMITS.maxParsedBytes} expected)`);
        try {
          return await fs.read(name, { maxBytes: BUNDLE_LIMITS.maxParsedBytes });
        } catch (err) {
          throw new BundleProblem(`${path}: member "${name}" cannot be read (${errorMessage(err)})`, { cause: err });
        }
      },
      close: () => fs.close(),
    };
  } catch (err) {
    await fs.close();
    throw err;
  }
}

async function digest(fs: FileSystem, name: string): Promise<MemberDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of await fs.openStream(name)) {
      const b = chunk as Buffer;
      bytes += b.length;
      hash.update(b);
    }
  } catch (err) {
    throw new BundleProblem(`member "${name}" cannot be read (${errorMessage(err)})`, { cause: err });
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function parseJsonMember(bundle: OpenedBundle, name: string, data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch (err) {
    throw new BundleProblem(`${bundle.path}: member "${name}" is not JSON (${errorMessage(err)})`, { cause: err });
  }
}
