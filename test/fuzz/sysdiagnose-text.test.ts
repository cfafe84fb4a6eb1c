/**
 * Property-based fuzzing of the sysdiagnose text decoders: ps tables, taskinfo dumps, mobile_installation.log and
 * .ips reports. Inputs are random text and the generator's real-shaped files mutated byte by byte (flips,
 * truncation, insertion); each decoder returns or throws its own documented error with a one-line message, within
 * the time bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crashRecords } from '../../src/artifacts/ios/sysdiagnose_crash_reports.js';
import { decodeIps, IpsError } from '../../src/formats/ips.js';
import { decodeInstallLog, InstallLogError } from '../../src/formats/mobile-installation-log.js';
import { decodePsTable, PsTableError } from '../../src/formats/ps-table.js';
import { decodeTaskinfo, TaskinfoError } from '../../src/formats/taskinfo.js';
import { sysdiagnoseContent } from '../../src/synth/sysdiagnose-content.js';
import { anyText, checkBounded, fuzz, fuzzRuns, mutate, mutations, timeoutFor } from './_fuzz.js';

const RUNS = fuzzRuns(150, 2);
const TIMEOUT = timeoutFor(RUNS, 40);

const files = sysdiagnoseContent(77);
const sample = (prefix: string) => Buffer.from(files.find((f) => f.path.startsWith(prefix))!.data).subarray(0, 64 * 1024);

const decoders = [
  { name: 'ps.txt', sample: sample('ps.txt'), decode: (t: string) => decodePsTable(t), error: PsTableError },
  { name: 'ps_thread.txt', sample: sample('ps_thread.txt'), decode: (t: string) => decodePsTable(t), error: PsTableError },
  { name: 'taskinfo.txt', sample: sample('taskinfo.txt'), decode: (t: string) => decodeTaskinfo(t), error: TaskinfoError },
  { name: 'mobile_installation.log', sample: sample('logs/MobileInstallation/'), decode: (t: string) => decodeInstallLog(t), error: InstallLogError },
  { name: '.ips', sample: sample('crashes_and_spins/JetsamEvent'), decode: (t: string) => crashRecords('x.ips', decodeIps(t)), error: IpsError },
] as const;

describe.each(decoders)('$name decoder under fuzzing', ({ name, sample: bytes, decode, error }) => {
  const allowed = (err: unknown) => err instanceof error;

  it('returns or refuses any text', () => {
    const stats = fuzz(`${name} random`, anyText(2_000), (text) => checkBounded(() => decode(text), allowed), RUNS);
    expect(stats.inputs).toBe(RUNS);
  }, TIMEOUT);

  it('returns or refuses the real-shaped file mutated byte by byte', () => {
    const stats = fuzz(`${name} mutated`, fc.tuple(mutations), ([m]) => checkBounded(() => decode(mutate(bytes, m).toString('utf8')), allowed), RUNS);
    expect(stats.returned).toBeGreaterThan(0);
  }, TIMEOUT);
});
