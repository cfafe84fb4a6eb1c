/** The CLI as a child process runs it (tests that send signals or need a real exit status): bin/tracehound.js on the sources. */
import { run } from '../../src/cli/entry.js';

process.exitCode = await run(process.argv);
