/**
 * Checks a signed bundle: the SSHSIG over manifest.json against the reviewer's trusted key, then every
 * member against the manifest: a changed byte, a missing or an extra member fails, with one line naming it.
 */
import { FormatError } from '../errors.js';
import { verifyMessage } from '../signing/sshsig.js';
import type { Ed25519Public } from '../signing/keys.js';
import { asRecord } from './content.js';
import { MANIFEST_FORMAT, MEMBER } from './layout.js';
import { BundleProblem, parseJsonMember, type OpenedBundle } from './read.js';

export interface VerifiedBundle {
  /** Members covered by the manifest (every member but the manifest and its signature). */
  readonly files: number;
}

/** Resolves when everything checks; otherwise throws a BundleProblem naming the first thing that failed. */
export async function verifyBundle(bundle: OpenedBundle, key: Ed25519Public): Promise<VerifiedBundle> {
  const where = bundle.path;
  if (!bundle.digests.has(MEMBER.signature)) throw new BundleProblem(`${where}: not signed (no ${MEMBER.signature})`);
  if (!bundle.digests.has(MEMBER.manifest)) throw new BundleProblem(`${where}: no ${MEMBER.manifest}`);
  const manifestBytes = await bundle.read(MEMBER.manifest);
  const signature = (await bundle.read(MEMBER.signature)).toString('utf8');
  let check;
  try {
    check = verifyMessage(signature, manifestBytes, key.key, undefined, `${where}: ${MEMBER.signature}`);
  } catch (err) {
    if (err instanceof FormatError) throw new BundleProblem(err.message, { cause: err });
    throw err;
  }
  if (!check.ok) throw new BundleProblem(`${where}: ${MEMBER.signature}: ${check.reason}`);

  // The manifest is now known to be the signer's; from here on, its content is trusted, the rest is not.
  const manifest = asRecord(parseJsonMember(bundle, MEMBER.manifest, manifestBytes));
  const files = asRecord(manifest?.files);
  if (!manifest || manifest.format !== MANIFEST_FORMAT || !files) throw new BundleProblem(`${where}: ${MEMBER.manifest} is not a Tracehound bundle manifest`);
  for (const [name, expected] of Object.entries(files)) {
    const want = asRecord(expected);
    const got = bundle.digests.get(name);
    if (!got) throw new BundleProblem(`${where}: member "${name}" listed in the manifest is missing`);
    if (got.sha256 !== want?.sha256 || got.bytes !== want.bytes) throw new BundleProblem(`${where}: member "${name}" was changed (SHA-256 ${got.sha256}, the manifest says ${String(want?.sha256)})`);
  }
  for (const name of bundle.digests.keys()) {
    if (name === MEMBER.manifest || name === MEMBER.signature) continue;
    if (!Object.hasOwn(files, name)) throw new BundleProblem(`${where}: member "${name}" is not in the manifest (added after signing)`);
  }
  return { files: Object.keys(files).length };
}
