/** `tracehound export` and `tracehound verify`: result bundles for peer review (src/bundle/). */
import { existsSync } from 'node:fs';
import { bundleContentFromNativeOutput, type BundleContent } from '../bundle/content.js';
import { bundleContentFromCase } from '../bundle/from-case.js';
import { BundleProblem, openBundle } from '../bundle/read.js';
import { reproduce } from '../app/reproduce-bundle.js';
import { verifyBundle } from '../bundle/verify.js';
import { writeBundle } from '../bundle/write.js';
import { UserError } from '../errors.js';
import { privateKeyFileIsEncrypted, readPrivateKeyFile, readPublicKeyFile } from '../signing/key-files.js';
import { refuseInsideEncryptedCase } from '../case/store.js';
import { openingSeal } from './case-key.js';
import { credentialProvider } from './credentials.js';
import { EXIT } from './exit-codes.js';
import { keyPassphrase } from './key-passphrase.js';

export interface ExportFlags {
  device?: string;
  fromOutput?: string;
  output: string;
  sign?: string;
  includeRecords?: true;
  quiet?: true;
  /** Identity files of a case encrypted to recipients. */
  identity?: string[];
}

export async function runExport(caseDir: string | undefined, flags: ExportFlags): Promise<number> {
  if ((caseDir === undefined) === (flags.fromOutput === undefined)) {
    throw new UserError('usage', 'export: give a case folder with --device NAME, or --from-output DIR (the folder of `tracehound check --output DIR`), not both');
  }
  if (caseDir !== undefined && flags.device === undefined) throw new UserError('usage', `export ${caseDir}: --device NAME is required (\`tracehound case list ${caseDir}\` lists the devices)`);
  if (caseDir !== undefined && flags.includeRecords) {
    throw new UserError('usage', 'export: --include-records works with --from-output only (a case keeps only the records that findings and matching need; each finding in the bundle carries its record)');
  }
  // The key first: a wrong key path should cost nothing.
  const key = flags.sign ? readPrivateKeyFile(flags.sign, privateKeyFileIsEncrypted(flags.sign) ? await keyPassphrase(flags.sign, false) : undefined) : undefined;
  let content: BundleContent;
  let note = '';
  if (caseDir !== undefined) {
    refuseInsideEncryptedCase(caseDir, flags.output, 'bundle');
    const made = bundleContentFromCase(caseDir, flags.device as string, await openingSeal(caseDir, flags));
    content = made.content;
    note = ` (acquisition ${made.acquisition.id}: ${made.acquisition.target}${made.acquisitionsOfDevice > 1 ? `, the latest of ${made.acquisitionsOfDevice} of this device` : ''})`;
  } else {
    content = bundleContentFromNativeOutput(flags.fromOutput as string, { includeRecords: flags.includeRecords === true });
  }
  const written = await writeBundle(content, flags.output, key);
  if (!flags.quiet) {
    process.stdout.write(`${written.path}: ${content.findings.length} findings${note}, ${written.members.length} files${written.signed ? ', signed' : ' (not signed: pass --sign KEY so a reviewer can verify it)'}\n`);
  }
  return EXIT.ok;
}

export interface VerifyFlags {
  key: string;
  acquisition?: string;
  keyFile?: string;
  password?: string;
  quiet?: true;
  signal?: AbortSignal;
}

export async function runVerify(path: string, flags: VerifyFlags): Promise<number> {
  const key = readPublicKeyFile(flags.key);
  if (!existsSync(path)) throw new UserError('not-found', `${path}: no such bundle`);
  if (flags.acquisition !== undefined && !existsSync(flags.acquisition)) throw new UserError('not-found', `${flags.acquisition}: no such acquisition`);
  const out = (line: string) => {
    if (!flags.quiet) process.stdout.write(`${line}\n`);
  };
  let bundle;
  try {
    bundle = await openBundle(path);
  } catch (err) {
    return failed(err);
  }
  try {
    const verified = await verifyBundle(bundle, key);
    out(`${path}: signature good (${key.comment || 'the given key'}), ${verified.files} files unchanged`);
    if (flags.acquisition === undefined) return EXIT.ok;
    const r = await reproduce(bundle, flags.acquisition, {
      credentials: credentialProvider(flags),
      ...(flags.signal ? { signal: flags.signal } : {}),
    });
    for (const label of r.changedInputs) out(`note: input ${label} differs from the one the bundle was made from`);
    if (r.differences.length === 0) {
      out(`${flags.acquisition}: re-check gives the same ${r.rerunFindings} findings`);
      return EXIT.ok;
    }
    process.stdout.write(`${flags.acquisition}: re-check differs from the bundle (${r.bundleFindings} findings in the bundle, ${r.rerunFindings} now):\n`);
    for (const d of r.differences) process.stdout.write(`  ${d.side === 'only-in-bundle' ? 'only in the bundle:' : 'only in the re-check:'} ${d.summary}\n`);
    return EXIT.findings;
  } catch (err) {
    return failed(err);
  } finally {
    await bundle.close();
  }
}

/** A bundle that does not verify: one line, exit 1 (exit 2 stays for usage and input errors). */
function failed(err: unknown): number {
  if (!(err instanceof BundleProblem)) throw err;
  process.stderr.write(`tracehound: verification failed: ${err.message}\n`);
  return EXIT.findings;
}
