#!/usr/bin/env node
// The published entry point: runs the bundled CLI, dist/cli.js (built by `npm ci` through the `prepare` script,
// scripts/build.ts). It answers `--version` without loading the command line parser (src/cli/entry.ts).
import { run } from '../dist/cli.js';

process.exitCode = await run(process.argv);
