/**
 * A check run as a child process for sealed-scratch-check.test.ts, so that its temp folder (TMPDIR, set by the
 * parent) is its own and can be watched from outside while it runs. Argument: the run as JSON (see `ChildRun`).
 * The limits are lowered so that, without sealed scratch, every database goes to a temp copy and the timeline
 * spills: the sealed run then has to keep all of it out of the temp folder.
 */
import { check } from '../../src/index.js';
import { sqliteLimits } from '../../src/evidence/sqlite.js';
import { timelineLimits } from '../../src/report/timeline-store.js';

export interface ChildRun {
  readonly target: string;
  readonly iocs: readonly string[];
  readonly output: string;
  readonly sealedScratch: boolean;
  readonly maxInMemoryBytes: number;
  readonly maxRunBytes: number;
}

const run = JSON.parse(process.argv[2]!) as ChildRun;
sqliteLimits.maxInMemoryBytes = run.maxInMemoryBytes;
timelineLimits.maxRunBytes = run.maxRunBytes;
const password = process.env.TRACEHOUND_BACKUP_PASSWORD;
// The input log (label and SHA-256 of every file read) reaches sinks only: a sealed run must hash the same bytes.
let inputs: string[] = [];
const result = await check({
  target: run.target,
  iocs: run.iocs,
  userIocDir: null,
  output: run.output,
  sealedScratch: run.sealedScratch,
  sinks: [
    {
      finish: (info) => {
        inputs = info.inputs.map((i) => `${i.label} ${i.sha256} ${i.bytes}`).sort();
        return Promise.resolve([]);
      },
    },
  ],
  ...(password ? { credentials: () => Promise.resolve({ kind: 'password' as const, password }) } : {}),
});
process.stdout.write(
  JSON.stringify({
    findings: result.findings.length,
    timelineEvents: result.timelineEvents,
    inputs,
    coverage: Object.fromEntries(result.coverage.map((c) => [c.artifact, [c.state, c.records]])),
  }),
);
