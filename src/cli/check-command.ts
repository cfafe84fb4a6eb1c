import { SingleBar } from 'cli-progress';
import { check, type CheckEvent, type CheckResult, type OutputFormat } from '../app/check.js';
import type { AcquisitionInfo, SourceKind } from '../evidence/source.js';
import { UserError } from '../errors.js';
import { levelRank, type Level } from '../findings/finding.js';
import { findingJson } from '../report/native.js';
import { assessCompleteness } from '../report/completeness.js';
import type { Sink } from '../report/output.js';
import { renderSummary } from '../report/terminal.js';
import { readKeyFile } from '../evidence/ios-backup-keys.js';
import { checkedTimeZone } from '../evidence/device-zone.js';
import { ageCredentialProvider, credentialProvider } from './credentials.js';
import { EXIT } from './exit-codes.js';
import { paintFor } from './paint.js';

export interface CheckFlags {
  iocs: string[];
  output?: string;
  format: OutputFormat;
  failOn: Level;
  type?: SourceKind;
  only?: string;
  defaultIocs: boolean;
  keyFile?: string;
  password?: string;
  /** `--age-identity FILE`, repeatable: identities of an age-encrypted acquisition. */
  ageIdentity?: string[];
  /**
   * `--jobs N`: threads for the artifacts. Default `auto`: one, and one more per 80 MiB of files to read, at most
   * one per core (check.ts, `poolLimits`; bench/README.md).
   */
  jobs?: number;
  /** `--device-time-zone ZONE`: an IANA name, checked before anything else (an unknown one is a usage error, exit 2). */
  deviceTimeZone?: string;
  quiet?: true;
  json?: true;
  /** Add this acquisition to the case in this folder (created when new), as one more sink. */
  case?: string;
  device?: string;
  person?: string;
  org?: string;
  /** With --case: encrypt a new case (passphrase from TRACEHOUND_CASE_PASSPHRASE or the prompt). */
  encrypt?: true;
  /** With --case: encrypt a new case to these age recipients (implies --encrypt). */
  recipient?: string[];
  recipientsFile?: string;
  /** With --case: identity files of a case encrypted to recipients. */
  caseIdentity?: string[];
  /** With an encrypted case: keep the acquisition in it, sealed with the case's key (case/keep-acquisition.ts). */
  keepAcquisition?: true;
  /** Aborted by Ctrl-C/SIGTERM (the CLI's interrupt handling). */
  signal?: AbortSignal;
}

export async function runCheck(path: string, flags: CheckFlags): Promise<number> {
  // Checked here, not by the option's parser: main.ts loads no more than it needs to start (startup.test.ts).
  const deviceTimeZone = flags.deviceTimeZone === undefined ? undefined : checkedTimeZone(flags.deviceTimeZone);
  // A bad key file is reported before anything else happens, whether or not the backup turns out encrypted.
  if (flags.keyFile) readKeyFile(flags.keyFile);
  // Likewise the age identity files: read and checked now, used only if the input is age-encrypted.
  const ageCredentials = ageCredentialProvider(flags);
  if (!flags.case && (flags.device !== undefined || flags.person !== undefined || flags.org !== undefined)) {
    throw new UserError('usage', '--device, --person and --org name the acquisition in a case: use them with --case DIR');
  }
  if (!flags.case && (flags.encrypt || (flags.recipient ?? []).length > 0 || flags.recipientsFile !== undefined || (flags.caseIdentity ?? []).length > 0)) {
    throw new UserError('usage', '--encrypt, --recipient, --recipients-file and --case-identity are about the case: use them with --case DIR');
  }
  if (flags.keepAcquisition && !flags.case) throw new UserError('usage', '--keep-acquisition keeps the acquisition in a case: use it with --case DIR');
  // A case folder inside the evidence is refused before a passphrase is asked for (openCaseForCheck checks again).
  if (flags.case && !(await import('../case/keep-acquisition.js')).isKeptCopyOf(flags.case, path)) {
    (await import('../app/output-target.js')).refuseEvidenceOverlap(flags.case, { flag: '--case', evidence: [path] });
  }
  // The case's key before any evidence is read: a wrong passphrase costs nothing.
  const seal = flags.case
    ? await (await import('./case-key.js')).checkSeal(
        flags.case,
        {
          ...(flags.caseIdentity ? { identity: flags.caseIdentity } : {}),
          ...(flags.recipient ? { recipient: flags.recipient } : {}),
          ...(flags.recipientsFile !== undefined ? { recipientsFile: flags.recipientsFile } : {}),
          ...(flags.encrypt ? { encrypt: true } : {}),
        },
        (line) => void process.stderr.write(`${line}\n`),
      )
    : undefined;
  if (flags.keepAcquisition && seal === undefined) {
    throw new UserError('usage', `--keep-acquisition: the case ${flags.case} is not encrypted; an acquisition is kept only sealed with the case's key (--encrypt or --recipient when the case is made, or \`tracehound case lock\`)`);
  }
  // Imported only when asked for: a check without --case runs exactly as before.
  const caseTarget = flags.case
    ? (await import('../app/case-check.js')).openCaseForCheck(
        {
          dir: flags.case,
          ...(flags.device !== undefined ? { device: flags.device } : {}),
          ...(flags.person !== undefined ? { person: flags.person } : {}),
          ...(flags.org !== undefined ? { organisation: flags.org } : {}),
          ...(seal ? { seal } : {}),
        },
        path,
      )
    : null;
  const progress = createProgress(!flags.quiet && !flags.json && process.stderr.isTTY === true);
  let result: CheckResult;
  try {
    result = await check({
      target: path,
      ...(flags.type ? { type: flags.type } : {}),
      iocs: flags.iocs,
      ...(flags.defaultIocs && process.env.TRACEHOUND_IOCS ? { envIocs: process.env.TRACEHOUND_IOCS } : {}),
      ...(flags.defaultIocs ? {} : { userIocDir: null }),
      ...(flags.output ? { output: flags.output } : {}),
      format: flags.format,
      ...(flags.only ? { only: parseOnly(flags.only) } : {}),
      credentials: credentialProvider(flags),
      ageCredentials,
      jobs: flags.jobs ?? 'auto',
      ...(deviceTimeZone !== undefined ? { deviceTimeZone } : {}),
      ...(flags.signal ? { signal: flags.signal } : {}),
      sinks: caseTarget ? [progress, caseTarget.sink] : [progress],
      // An encrypted case must not leave the phone's plaintext in the temp folder either.
      ...(caseTarget?.store.encrypted ? { sealedScratch: true } : {}),
      onEvent: (e) => {
        if (e.type === 'source-opened') warnUnusedCredentials(flags, e.acquisition);
        if (!flags.quiet && !flags.json) notice(e);
      },
    });
    if (caseTarget && seal && flags.keepAcquisition) {
      const { keepAcquisition, keptPath } = await import('../case/keep-acquisition.js');
      const kept = await keepAcquisition(path, keptPath(caseTarget.store.dir, caseTarget.acquisitionId()), seal, flags.signal);
      if (!flags.quiet && !flags.json) {
        process.stderr.write(`kept the acquisition sealed with the case's key: ${kept.path} (${kept.files > 0 ? `${kept.files} files, ` : ''}${kept.bytes} bytes)\n`);
        for (const line of kept.skipped) process.stderr.write(`  not kept: ${line}\n`);
      }
    }
  } finally {
    progress.stop();
    caseTarget?.close();
  }
  if (caseTarget && !flags.quiet && !flags.json) process.stderr.write(`added to the ${caseTarget.store.encrypted ? 'encrypted ' : ''}case ${caseTarget.store.dir} (acquisition ${caseTarget.acquisitionId()})\n`);
  const failing = result.findings.filter((f) => levelRank(f.level) >= levelRank(flags.failOn));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(jsonSummary(result), null, 2)}\n`);
  } else if (!flags.quiet) {
    process.stdout.write(
      `${renderSummary(
        {
          target: result.acquisition.root,
          findings: result.findings,
          coverage: result.coverage,
          containerNotes: result.containerNotes,
          indicatorCount: result.indicators.total,
          indicatorFiles: result.indicators.files.length,
          ...(flags.output ? { outputDir: flags.output } : {}),
        },
        paintFor(process.stdout),
      )}\n`,
    );
  }
  if (failing.length > 0) return EXIT.findings;
  return assessCompleteness(result.coverage, result.containerNotes).complete ? EXIT.ok : EXIT.incomplete;
}

/** A credential for a backup that needs none is ignored, but never silently (always on stderr, even with --quiet). */
function warnUnusedCredentials(flags: CheckFlags, acquisition: AcquisitionInfo): void {
  const aged = acquisition.container?.encryption === 'age';
  const given = [flags.keyFile ? '--key-file' : null, flags.password !== undefined ? '--password' : null].filter(Boolean);
  if (given.length > 0 && (!acquisition.encrypted || aged)) process.stderr.write(`warning: ${given.join(' and ')} ignored: this backup is not encrypted\n`);
  if ((flags.ageIdentity ?? []).length > 0 && !aged) process.stderr.write('warning: --age-identity ignored: this acquisition is not age-encrypted\n');
}

function parseOnly(text: string): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new UserError('usage', '--only: expected comma-separated artifact ids');
  return ids;
}

function notice(e: CheckEvent): void {
  if (e.type === 'source-opened' && e.note) process.stderr.write(`${e.note}\n`);
  if (e.type === 'indicators-loaded') {
    for (const r of e.indicators.rejected) process.stderr.write(`warning: ${r.reason}\n`);
  }
}

function jsonSummary(r: CheckResult) {
  const completeness = assessCompleteness(r.coverage, r.containerNotes);
  const counts: Record<Level, number> = { informational: 0, low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of r.findings) counts[f.level]++;
  return {
    target: r.acquisition.root,
    acquisition: r.acquisition,
    counts,
    complete: completeness.complete,
    failed_artifacts: completeness.failedArtifacts,
    missing_files: completeness.missingFiles,
    container_notes: r.containerNotes,
    findings: r.findings.map(findingJson),
    coverage: r.coverage.map((c) => ({ artifact: c.artifact, state: c.state, records: c.records, ...(c.reason ? { reason: c.reason } : {}) })),
    indicators: { total: r.indicators.total, files: r.indicators.files.length, rejected: r.indicators.rejected },
    output_files: r.outputFiles,
    ...(r.decrypted ? { decrypted: { files: r.decrypted.filesDecrypted, bytes: r.decrypted.bytesDecrypted } } : {}),
    // How many threads ran the artifacts (`--jobs`, by default sized to the acquisition), and why one when so.
    threads: { workers: r.threads.workers, ...(r.threads.oneThreadBecause ? { one_thread_because: r.threads.oneThreadBecause } : {}) },
  };
}

/** A bar over artifacts on a TTY, fed as a sink; nothing otherwise (cli-progress drops buffered logs when not a TTY). */
function createProgress(enabled: boolean): Sink & { stop(): void } {
  const bar = enabled ? new SingleBar({ format: ' {bar} {value}/{total} {artifact}', stream: process.stderr, clearOnComplete: true, hideCursor: true }) : null;
  let started = false;
  return {
    artifactStarted(artifact, { index, total }) {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0, { artifact: artifact.title });
        started = true;
      }
      bar.update(index, { artifact: artifact.title });
    },
    artifactFinished: () => bar?.increment(),
    stop() {
      if (bar && started) bar.stop();
    },
  };
}
