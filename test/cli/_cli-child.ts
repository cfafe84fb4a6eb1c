/** The CLI as a child process runs it (tests that send signals or need a real exit status). */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
