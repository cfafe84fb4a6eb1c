import { availableParallelism } from 'node:os';
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
  /** `--jobs N`: worker threads for the artifacts; default the available parallelism. */
  jobs?: number;
  quiet?: true;
  json?: true;
  /** Add this acquisition to the case in this folder (created when new), as one more sink. */
  case?: string;
  device?: string;
  person?: string;
  org?: string;
  /** Aborted by Ctrl-C/SIGTERM (the CLI's interrupt handling). */
  signal?: AbortSignal;
}

export async function runCheck(path: string, flags: CheckFlags): Promise<number> {
  // A bad key file is reported before anything else happens, whether or not the backup turns out encrypted.
  if (flags.keyFile) readKeyFile(flags.keyFile);
  // Likewise the age identity files: read and checked now, used only if the input is age-encrypted.
  const ageCredentials = ageCredentialProvider(flags);
  if (!flags.case && (flags.device !== undefined || flags.person !== undefined || flags.org !== undefined)) {
    throw new UserError('usage', '--device, --person and --org name the acquisition in a case: use them with --case DIR');
  }
  // Imported only when asked for: a check without --case runs exactly as before.
  const caseTarget = flags.case
    ? (await import('../app/case-check.js')).openCaseForCheck(
        {
          dir: flags.case,
          ...(flags.device !== undefined ? { device: flags.device } : {}),
          ...(flags.person !== undefined ? { person: flags.person } : {}),
          ...(flags.org !== undefined ? { organisation: flags.org } : {}),
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
      jobs: flags.jobs ?? availableParallelism(),
      ...(flags.signal ? { signal: flags.signal } : {}),
      sinks: caseTarget ? [progress, caseTarget.sink] : [progress],
      onEvent: (e) => {
        if (e.type === 'source-opened') warnUnusedCredentials(flags, e.acquisition);
        if (!flags.quiet && !flags.json) notice(e);
      },
    });
  } finally {
    progress.stop();
    caseTarget?.close();
  }
  if (caseTarget && !flags.quiet && !flags.json) process.stderr.write(`added to the case ${caseTarget.store.dir} (acquisition ${caseTarget.acquisitionId()})\n`);
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
