/**
 * The `tracehound` process's entry (bin/tracehound.js): `run(process.argv)` resolves to the exit code.
 *
 * `tracehound --version` (or `-V`) alone is answered here, before the command line parser is loaded: it is
 * what scripts and packagers run to see whether the tool is installed, and it should cost little more than
 * starting Node (issue #8: under 0.2 s). Everything else goes to main.ts, which loads commander and then each
 * command's module only when that command runs (test/cli/startup.test.ts watches both).
 */
import { setFlagsFromString } from 'node:v8';
import { toolVersion } from '../version.js';

/** Commander's own version flags (main.ts, `.version()`): alone on the line they need no parser to answer. */
const VERSION_FLAGS: ReadonlySet<string> = new Set(['--version', '-V']);

export async function run(argv: readonly string[]): Promise<number> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const args = argv.slice(2);
  if (args.length === 1 && VERSION_FLAGS.has(args[0]!)) {
    process.stdout.write(`${toolVersion}\n`);
    return 0;
  }
  tuneHeapForStreaming();
  const { main } = await import('./main.js');
  return main(argv);
}

/**
 * V8 allocates objects straight in the old generation once their allocation site's objects have been seen to
 * survive young-generation collections ("pretenuring"). A check's records are short-lived, but a parser's loop
 * that gives the event loop a turn while worker threads' batches are handled can make one survive a collection or
 * two; V8 then pretenures every later record of that site, the old generation fills with dead records until a
 * full collection, and a `--jobs 2` check on the 100k bench backup peaked 60–70 MB higher (bench/README.md). The
 * flag is process-wide (worker threads share it); the library entry leaves its host's process alone.
 */
function tuneHeapForStreaming(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}

/**
 * `tracehound … | head`: once the reader has gone, what is left to print is dropped instead of failing with an
 * unhandled EPIPE (a stack trace). The run itself goes on: a check still writes its output folder and its exit
 * code still says what it found.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
