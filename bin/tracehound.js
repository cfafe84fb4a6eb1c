#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm ci` through the `prepare` script).
// entry.js answers `--version` without loading the command line parser; everything else goes to cli/main.js.
import { run } from '../dist/cli/entry.js';

process.exitCode = await run(process.argv);
