/**
 * The `tracehound` command line: parses arguments, draws progress and the summary, maps outcomes to
 * exit codes (see exit-codes.ts: 0 complete and clean, 1 findings, 2 usage, input or output error,
 * 3 incomplete check, 130/143 interrupted). All work is in app/.
 *
 * Startup stays light: this module imports only commander and the few small modules every run needs.
 * Each command's module (and through it the parsers, SQLite, the indicator loader...) is imported when
 * that command runs, so `--version`, `--help` and usage errors answer at once. Keep it so: a static
 * import of a command module here undoes it (test/cli/startup.test.ts watches for that).
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { toolVersion } from '../version.js';
import { InterruptedError, UserError, errorMessage } from '../errors.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { exitCodeFor, handleInterrupts, interruptedLine } from './interrupt.js';
import { sourceKinds } from '../evidence/kinds.js';

export { EXIT } from './exit-codes.js';

function buildProgram(setExit: (code: number) => void, signal: AbortSignal) {
  const program = new Command('tracehound')
    .description('Find the traces mercenary spyware leaves on phones.')
    .version(toolVersion)
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', exitCodesHelp);

  program
    .command('check')
    .description('check an acquisition (iOS backup, filesystem dump or sysdiagnose; androidqf, bugreport, Android backup or intrusion logs) against indicators and heuristics')
    .argument('<path>', 'the acquisition: a folder, or a file (zip, tar, tar.gz, .zip.age, bugreport zip, dumpstate, .ab)')
    .option('-i, --iocs <path>', 'STIX 2 indicator file or folder (repeatable)', collect, [] as string[])
    .option('-o, --output <dir>', 'write results (JSON per artifact, timeline.csv, alerts.json, info.json) to this new or empty folder, or replace a previous run of the same acquisition')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['native', 'mvt'] as const).default('native' as const))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level (exit 3: incomplete check, see below)').choices(['informational', 'low', 'medium', 'high', 'critical'] as const).default('medium' as const))
    .addOption(new Option('-t, --type <kind>', 'force the acquisition type instead of detecting it').choices(sourceKinds))
    .option('--only <ids>', 'comma-separated artifact ids to run (see `tracehound artifacts`)')
    .option('--no-default-iocs', 'do not load indicators from the user data folder or TRACEHOUND_IOCS')
    .option('-k, --key-file <path>', 'encrypted backup: the key saved by `tracehound ios extract-key` (instead of the password)')
    .option('-p, --password <password>', 'encrypted backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .option('--age-identity <file>', 'age-encrypted acquisition (.zip.age): an identity file with AGE-SECRET-KEY-1… lines (repeatable); a passphrase comes from TRACEHOUND_AGE_PASSPHRASE or the prompt', collect, [] as string[])
    .option('--device-time-zone <zone>', "the phone's time zone (IANA name, e.g. Europe/Paris) when the acquisition names none (MVT's check-intrusion-logs -t): device-local times get UTC, intrusion-log times the phone's wall clock; the acquisition's own persist.sys.timezone wins")
    .option('-j, --jobs <n>', 'threads that run the artifacts (default: one, and one more per 80 MiB of files to read, at most one per core); the results are the same bytes whatever N', parseJobs)
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--case <dir>', 'add this acquisition to the case in this folder (created when new or empty)')
    .option('--device <name>', 'with --case: the device it is of (default: the name the acquisition gives the phone)')
    .option('--person <name>', 'with --case: whose device it is')
    .option('--org <name>', 'with --case: the organisation of the device')
    .option('--encrypt', 'with --case: a new case is encrypted at rest (case.db.age), to a passphrase (TRACEHOUND_CASE_PASSPHRASE or the prompt) or to --recipient keys; an encrypted case stays so')
    .option('--recipient <age1…>', 'with --case: encrypt a new case to this age public key (repeatable; implies --encrypt)', collect, [] as string[])
    .option('--recipients-file <file>', 'with --case: encrypt a new case to the age public keys in this file (implies --encrypt)')
    .option('--case-identity <file>', 'with --case: the age identity file that opens a case encrypted to recipients (repeatable)', collect, [] as string[])
    .option('--keep-acquisition', "with an encrypted case: keep the acquisition in it (CASE/acquisitions/N.zip.age, sealed with the case's key; checked later straight from that file)")
    .addHelpText('after', exitCodesHelp)
    .action(async (path, opts) => {
      const { runCheck } = await import('./check-command.js');
      setExit(await runCheck(path, { ...opts, signal }));
    });

  const iocs = program.command('iocs').description('indicator files');
  iocs
    .command('list')
    .description('load indicator files and show what each contributes')
    .option('-i, --iocs <path>', 'STIX 2 file or folder (repeatable)', collect, [] as string[])
    .option('--no-default-iocs', 'do not load indicators from the user data folder or TRACEHOUND_IOCS')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { runIocsList } = await import('./iocs-command.js');
      setExit(await runIocsList(opts));
    });

  iocs
    .command('update')
    .description('download the public indicator feeds into the user data folder, where check loads them (the only command that uses the network)')
    .option('--index <url>', 'feed index (default: https://raw.githubusercontent.com/mvt-project/mvt-indicators/main/indicators.yaml)')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { runIocsUpdate } = await import('./iocs-update-command.js');
      setExit(await runIocsUpdate({ ...opts, signal }));
    });

  const caseCmd = program.command('case').description('cases: many acquisitions of many devices in one folder (`check --case DIR` adds one)');
  caseCmd
    .command('list')
    .description('devices, acquisitions, runs and finding counts by level')
    .argument('<dir>', 'case folder')
    .option('--json', 'machine-readable output')
    .option('--identity <file>', 'encrypted case: an age identity file that opens it (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .action(async (dir, opts) => {
      const { runCaseList } = await import('./case-command.js');
      setExit(await runCaseList(dir, opts));
    });
  caseCmd
    .command('show')
    .description('current findings by severity, and what each check could and could not read')
    .argument('<dir>', 'case folder')
    .option('--device <name>', 'only this device')
    .option('--json', 'machine-readable output')
    .option('--identity <file>', 'encrypted case: an age identity file that opens it (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .action(async (dir, opts) => {
      const { runCaseShow } = await import('./case-command.js');
      setExit(await runCaseShow(dir, opts));
    });
  caseCmd
    .command('lock')
    .description('encrypt a plain case at rest (case.db.age), to a new passphrase or to age recipients; the plaintext case.db is overwritten and removed')
    .argument('<dir>', 'case folder')
    .option('--recipient <age1…>', 'encrypt to this age public key instead of a passphrase (repeatable)', collect, [] as string[])
    .option('--recipients-file <file>', 'encrypt to the age public keys in this file')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (dir, opts) => {
      const { runCaseLock } = await import('./case-command.js');
      setExit(await runCaseLock(dir, opts));
    });
  caseCmd
    .command('unlock')
    .description('decrypt an encrypted case back to a plain case.db (its content is plaintext on disk from then on)')
    .argument('<dir>', 'case folder')
    .option('--identity <file>', 'an age identity file that opens the case (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (dir, opts) => {
      const { runCaseUnlock } = await import('./case-command.js');
      setExit(await runCaseUnlock(dir, opts));
    });

  program
    .command('recheck')
    .description('re-match the stored observables of every acquisition in the cases against the current indicators (no evidence is read): what is new, what is gone')
    .argument('<cases...>', 'case folders')
    .option('-i, --iocs <path>', 'STIX 2 indicator file or folder (repeatable)', collect, [] as string[])
    .option('--no-default-iocs', 'do not load indicators from the user data folder or TRACEHOUND_IOCS')
    .option('--json', 'print {"new": [...], "gone": [...]} on stdout')
    .option('--identity <file>', 'encrypted cases: an age identity file that opens them (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .action(async (cases, opts) => {
      const { runRecheck } = await import('./case-command.js');
      setExit(await runRecheck(cases, opts));
    });

  const ios = program.command('ios').description('iOS backup tools (check does not need them)');
  ios
    .command('extract-key')
    .description('derive the key of an encrypted backup and save it, so the password need not be typed again')
    .argument('<backup>', 'encrypted backup folder')
    .requiredOption('-o, --output <keyfile>', 'where to write the key (a new file, mode 0600)')
    .option('--force', 'replace an existing key file (never evidence, a link or a folder)')
    .option('-p, --password <password>', 'backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .action(async (backup, opts) => {
      const { runExtractKey } = await import('./ios-command.js');
      setExit(await runExtractKey(backup, opts));
    });
  ios
    .command('decrypt')
    .description('write a full decrypted copy of an encrypted backup, for tools that need one (plaintext on disk!)')
    .argument('<backup>', 'encrypted backup folder')
    .requiredOption('-o, --output <dir>', 'new or empty folder for the decrypted backup (not inside the source)')
    .option('-k, --key-file <path>', 'the key saved by `tracehound ios extract-key`')
    .option('-p, --password <password>', 'backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (backup, opts) => {
      const { runDecrypt } = await import('./ios-command.js');
      setExit(await runDecrypt(backup, { ...opts, signal }));
    });

  const keys = program.command('keys').description('signing keys for result bundles (OpenSSH Ed25519)');
  keys
    .command('new')
    .description('create an Ed25519 key pair: KEY (OpenSSH private key, mode 0600) and KEY.pub')
    .requiredOption('-o, --output <key>', 'where to write the private key (a new file; the public key goes to KEY.pub)')
    .option('-c, --comment <text>', 'comment of the public key (default: user@host)')
    .option('--passphrase', 'encrypt the private key (asked at a prompt, or TRACEHOUND_KEY_PASSPHRASE)')
    .action(async (opts) => {
      const { runKeysNew } = await import('./keys-command.js');
      setExit(await runKeysNew(opts));
    });

  program
    .command('export')
    .description('write a result bundle (findings, coverage, matched observables, provenance) for peer review, optionally signed')
    .argument('[case]', 'a case folder (with --device): the device\'s latest acquisition and its current findings')
    .option('-d, --device <name>', 'with a case: the device to export')
    .option('--from-output <dir>', 'instead of a case: the results folder of `tracehound check --output DIR`')
    .requiredOption('-o, --output <bundle.zip>', 'the bundle to write (a new file)')
    .option('-s, --sign <key>', 'sign with this OpenSSH Ed25519 private key (`tracehound keys new`; a passphrase is asked, or read from TRACEHOUND_KEY_PASSPHRASE)')
    .option('--include-records', "also include every parsed record and the timeline (the phone's content)")
    .option('--identity <file>', 'an encrypted case: an age identity file that opens it (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (caseDir: string | undefined, opts) => {
      const { runExport } = await import('./bundle-command.js');
      setExit(await runExport(caseDir, opts));
    });

  program
    .command('verify')
    .description("check a signed bundle's signature and every file in it; with --acquisition, re-run the check and compare findings")
    .argument('<bundle>', 'bundle made by `tracehound export --sign`')
    .requiredOption('--key <pub>', "the signer's public key (KEY.pub, `ssh-ed25519 AAAA…`), obtained from them by a trusted channel")
    .option('-a, --acquisition <path>', 'the acquisition the bundle was made from: re-check it with the indicator files in the bundle')
    .option('-k, --key-file <path>', 'encrypted backup: the key saved by `tracehound ios extract-key`')
    .option('-p, --password <password>', 'encrypted backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .option('-q, --quiet', 'print only differences and errors')
    .addHelpText('after', '\nExit codes: 0 verified (and the same findings), 1 verification failed or findings differ, 2 usage or input error')
    .action(async (bundle, opts) => {
      const { runVerify } = await import('./bundle-command.js');
      setExit(await runVerify(bundle, { ...opts, signal }));
    });

  program
    .command('artifacts')
    .description('list the artifacts Tracehound reads')
    .action(async () => {
      const { allArtifacts } = await import('../app/check.js');
      for (const a of allArtifacts) process.stdout.write(`${a.id.padEnd(38)} ${a.title}\n`);
    });

  program
    .command('report')
    .description('write a self-contained HTML report (summary for the person checked, then findings, timeline, coverage, provenance) of a case or of a check\'s output folder')
    .argument('[case]', 'case folder (made by `check --case DIR`)')
    .option('--device <name>', 'with a case: only this device')
    .option('--from-output <dir>', 'instead of a case: an output folder written by `tracehound check --output`')
    .option('--identity <file>', 'an encrypted case: an age identity file that opens it (repeatable); a passphrase comes from TRACEHOUND_CASE_PASSPHRASE or the prompt', collect, [] as string[])
    .requiredOption('-o, --output <file>', 'the HTML file to write (mode 0600: it quotes the phone; never inside the evidence)')
    .option('--force', 'replace an existing file (never evidence, a link or a folder)')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (caseDir, opts) => {
      const { runReport } = await import('./report-command.js');
      setExit(await runReport({ ...opts, ...(caseDir !== undefined ? { caseDir } : {}) }));
    });

  program
    .command('demo')
    .description('generate a small demo iOS backup with planted traces of a fictional spyware and check it')
    .option('-o, --output <dir>', 'also write the results to this folder')
    .action(async (opts) => {
      const { runDemo } = await import('./demo-command.js');
      setExit(await runDemo(opts));
    });

  return program;
}

/** `--jobs`: a whole number of threads, 1 to 256. */
function parseJobs(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 256)) throw new UserError('usage', `--jobs: expected a whole number of threads from 1 to 256, got ${JSON.stringify(value)}`);
  return n;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const interrupts = handleInterrupts();
  const program = buildProgram((c) => (exitCode = c), interrupts.signal);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof InterruptedError) {
      process.stderr.write(interruptedLine(err.signal));
      return exitCodeFor(err.signal);
    }
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    if (err instanceof UserError) {
      process.stderr.write(`tracehound: ${err.message}\n`);
      return EXIT.error;
    }
    process.stderr.write(`tracehound: internal error: ${errorMessage(err)}\n${err instanceof Error ? (err.stack ?? '') : ''}\nPlease report this bug with the command you ran (never attach evidence).\n`);
    return EXIT.error;
  } finally {
    interrupts.dispose();
  }
}
