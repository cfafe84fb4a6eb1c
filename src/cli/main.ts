/**
 * The `tracehound` command line: parses arguments, draws progress and the summary, maps outcomes to
 * exit codes (0 nothing at or above --fail-on, 1 findings, 2 usage or input error). All work is in app/.
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { allArtifacts } from '../app/check.js';
import { toolVersion } from '../version.js';
import { UserError, errorMessage } from '../errors.js';
import { runCheck } from './check-command.js';
import { runDemo } from './demo-command.js';
import { runIocsList } from './iocs-command.js';
import { runDecrypt, runExtractKey } from './ios-command.js';

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

function buildProgram(setExit: (code: number) => void) {
  const program = new Command('tracehound')
    .description('Find the traces mercenary spyware leaves on phones.')
    .version(toolVersion)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('check')
    .description('check an acquisition (iOS backup or iOS filesystem dump) against indicators and heuristics')
    .argument('<path>', 'acquisition folder')
    .option('-i, --iocs <path>', 'STIX 2 indicator file or folder (repeatable)', collect, [] as string[])
    .option('-o, --output <dir>', 'write results (JSON per artifact, timeline.csv, alerts.json, info.json) to this folder')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['native', 'mvt'] as const).default('native' as const))
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding is at or above this level').choices(['informational', 'low', 'medium', 'high', 'critical'] as const).default('medium' as const))
    .addOption(new Option('-t, --type <kind>', 'force the acquisition type instead of detecting it').choices(['ios-backup', 'ios-fs'] as const))
    .option('--only <ids>', 'comma-separated artifact ids to run (see `tracehound artifacts`)')
    .option('--no-default-iocs', 'do not load indicators from the user data folder or TRACEHOUND_IOCS')
    .option('-k, --key-file <path>', 'encrypted backup: the key saved by `tracehound ios extract-key` (instead of the password)')
    .option('-p, --password <password>', 'encrypted backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .action(async (path, opts) => setExit(await runCheck(path, opts)));

  const iocs = program.command('iocs').description('indicator files');
  iocs
    .command('list')
    .description('load indicator files and show what each contributes')
    .option('-i, --iocs <path>', 'STIX 2 file or folder (repeatable)', collect, [] as string[])
    .option('--no-default-iocs', 'do not load indicators from the user data folder or TRACEHOUND_IOCS')
    .option('--json', 'machine-readable output')
    .action(async (opts) => setExit(await runIocsList(opts)));

  const ios = program.command('ios').description('iOS backup tools (check does not need them)');
  ios
    .command('extract-key')
    .description('derive the key of an encrypted backup and save it, so the password need not be typed again')
    .argument('<backup>', 'encrypted backup folder')
    .requiredOption('-o, --output <keyfile>', 'where to write the key (mode 0600)')
    .option('-p, --password <password>', 'backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .action(async (backup, opts) => setExit(await runExtractKey(backup, opts)));
  ios
    .command('decrypt')
    .description('write a full decrypted copy of an encrypted backup, for tools that need one (plaintext on disk!)')
    .argument('<backup>', 'encrypted backup folder')
    .requiredOption('-o, --output <dir>', 'new or empty folder for the decrypted backup (not inside the source)')
    .option('-k, --key-file <path>', 'the key saved by `tracehound ios extract-key`')
    .option('-p, --password <password>', 'backup password (visible in the process list: prefer the prompt or TRACEHOUND_BACKUP_PASSWORD)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (backup, opts) => setExit(await runDecrypt(backup, opts)));

  program
    .command('artifacts')
    .description('list the artifacts Tracehound reads')
    .action(() => {
      for (const a of allArtifacts) process.stdout.write(`${a.id.padEnd(38)} ${a.title}\n`);
    });

  program
    .command('demo')
    .description('generate a small demo iOS backup with planted traces of a fictional spyware and check it')
    .option('-o, --output <dir>', 'also write the results to this folder')
    .action(async (opts) => setExit(await runDemo(opts)));

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((c) => (exitCode = c));
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
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
  }
}
