/**
 * Writes a result bundle: a zip of documented JSON (docs/bundle-format.md), a manifest of every member's
 * SHA-256, and with a key an SSHSIG over the manifest that `ssh-keygen -Y verify` checks. The zip is built in
 * memory (a bundle holds summaries, and records only on request) and put in place without replacing anything.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import yazl from 'yazl';
import { OutputError, errorMessage } from '../errors.js';
import type { Ed25519Pair } from '../signing/keys.js';
import { signMessage } from '../signing/sshsig.js';
import type { BundleContent } from './content.js';
import { MANIFEST_FORMAT, MEMBER, RECORDS_DIR, indicatorMember, type Manifest } from './layout.js';

export interface WrittenBundle {
  readonly path: string;
  readonly members: readonly string[];
  readonly signed: boolean;
}

/** The members of a bundle (without manifest and signature), in the order they are written. */
export function bundleMembers(content: BundleContent): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);
  members.set(MEMBER.provenance, json({ ...content.provenance, indicator_members: Object.fromEntries(content.indicatorFiles.map((f) => [f.sha256, { member: indicatorMember(f.sha256), name: f.name }])) }));
  members.set(MEMBER.findings, json(content.findings));
  members.set(MEMBER.coverage, json(content.coverage));
  members.set(MEMBER.observables, json(content.observables));
  for (const f of content.indicatorFiles) members.set(indicatorMember(f.sha256), f.content);
  if (content.reportHtml !== undefined) members.set(MEMBER.report, Buffer.from(content.reportHtml));
  for (const r of content.records ?? []) {
    if (!/^[A-Za-z0-9._-]+$/.test(r.name) || r.name.startsWith('.')) throw new OutputError(`records file name "${r.name.slice(0, 80)}" is not a plain file name`);
    members.set(`${RECORDS_DIR}${r.name}`, r.content);
  }
  return members;
}

export function manifestOf(members: ReadonlyMap<string, Buffer>): Manifest {
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const name of [...members.keys()].sort()) {
    const data = members.get(name) as Buffer;
    files[name] = { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
  }
  return { format: MANIFEST_FORMAT, version: 1, files };
}

export async function writeBundle(content: BundleContent, output: string, key?: Ed25519Pair): Promise<WrittenBundle> {
  const members = bundleMembers(content);
  const manifest = Buffer.from(`${JSON.stringify(manifestOf(members), null, 2)}\n`);
  members.set(MEMBER.manifest, manifest);
  if (key) members.set(MEMBER.signature, Buffer.from(signMessage(key, manifest)));

  // Every member gets the check's end time, so the same content always makes the same zip.
  const finished = new Date(content.provenance.finished_at);
  const mtime = Number.isNaN(finished.getTime()) ? new Date(0) : finished;
  const zip = new yazl.ZipFile();
  for (const [name, data] of members) zip.addBuffer(data, name, { mtime, mode: 0o100600 });
  zip.end();
  const bytes = await collect(zip.outputStream);

  // Written under a private name, then linked into place: link() fails if the output appeared meanwhile, so an
  // existing file is never replaced and no half-written bundle ever carries the final name.
  const scratch = join(dirname(output), `.${basename(output)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    // Results hold phone content (the records of findings): owner-only, as encrypted evidence's results are.
    writeFileSync(scratch, bytes, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new OutputError(`${output}: cannot write the bundle (${errorMessage(err)})`, { cause: err });
  }
  try {
    linkSync(scratch, output);
  } catch (err) {
    throw new OutputError(`${output}: cannot create (${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists; refusing to overwrite' : errorMessage(err)})`, { cause: err });
  } finally {
    unlinkSync(scratch);
  }
  return { path: output, members: [...members.keys()], signed: key !== undefined };
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
