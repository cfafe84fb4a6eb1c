import { basename } from 'node:path';
import { FormatError } from '../../errors.js';
import { deviceTimeZone } from '../../evidence/device-zone.js';
import { parseWallClock, wallClockSeconds, wallClockToUnix } from '../../formats/device-time.js';
import { Moment, fromUnix } from '../../formats/time.js';
import { decodeTombstoneText, parseTombstoneTime, type TombstoneCrash } from '../../formats/tombstone.js';
import { decodeTombstoneProto } from '../../formats/tombstone-proto.js';
import { defineArtifact, type Observable, type Parsed } from '../artifact.js';
import { at } from '../_read.js';
import { described } from '../describe.js';

/**
 * One native crash the phone recorded (a tombstone), with MVT's fields. `timestamp` is the device's wall
 * clock as written, zone dropped (MVT's value); `timestamp_utc` is the instant, from the offset the tombstone
 * wrote or else the device's time zone, and null when neither is known.
 */
export interface TombstoneRecord extends Omit<TombstoneCrash, 'timestamp'> {
  readonly file_name: string;
  /** The tombstone file's modification time as the acquisition stores it. */
  readonly file_timestamp: Moment | null;
  /** `2023-04-12 12:32:40.518290`: the device's local wall-clock time (the written text when it has another shape). */
  readonly timestamp: string;
  readonly timestamp_utc: Moment | null;
}

/** A tombstone is tens of KB to a few MB (memory maps of a large process); more is not one. */
const MAX_BYTES = 32 * 1024 * 1024;

/** The wall-clock time and, when known, its instant. */
export function tombstoneTimes(written: string, zone: string | undefined): { timestamp: string; timestamp_utc: Moment | null } {
  const t = parseTombstoneTime(written);
  if (!t) return { timestamp: written, timestamp_utc: null };
  const wall = parseWallClock(t.wall);
  if (!wall) return { timestamp: t.wall, timestamp_utc: null };
  const unix = t.offsetMinutes !== null ? wallClockSeconds(wall) - t.offsetMinutes * 60 : zone !== undefined ? wallClockToUnix(wall, zone) : null;
  return { timestamp: t.wall, timestamp_utc: unix === null ? null : Moment.fromUnixSeconds(unix, 'iso', written) };
}

/** Processes the crash names: its thread name, and the command's file name when it says something more. */
export function tombstoneObservables(r: TombstoneRecord): Observable[] {
  const out: Observable[] = [];
  const name = r.process_name;
  if (name && name !== 'Unknown') out.push({ kind: 'process', value: name, field: 'process_name' });
  const cmd = r.command_line[0];
  if (cmd) {
    const base = basename(cmd.trim().split(/\s+/)[0] ?? '');
    if (base && base !== name) out.push({ kind: 'process', value: base, field: 'command_line' });
  }
  return out;
}

export default defineArtifact<TombstoneRecord>({
  id: 'android.tombstones',
  version: 1,
  title: 'Native crashes (tombstones)',
  doc: 'The crash reports Android writes when a native process dies (`/data/tombstones/`, copied into a bugreport\'s `FS/`): exploits that go wrong crash the process they attack, and a crash of a root, system or shell process, or of a process named like spyware, is worth a look.',
  references: ['https://source.android.com/docs/core/tests/debug/native-crash', 'https://android.googlesource.com/platform/system/core/+/refs/heads/main/debuggerd/proto/tombstone.proto'],
  mvt: { module: 'tombstones', className: 'Tombstones' },
  // androidqf keeps no tombstones of its own (its modules do not pull /data/tombstones): they come with the
  // bugreport.zip it takes.
  inputs: {
    'android-bugreport': [{ by: 'path-glob', pattern: 'FS/data/tombstones/tombstone_*' }],
    'android-androidqf': [{ by: 'path-glob', pattern: 'bugreport.zip/FS/data/tombstones/tombstone_*' }],
  },
  inputMode: 'all',
  async *parse(ctx) {
    const zone = deviceTimeZone(ctx.source.describe());
    const files = (await ctx.findInputs()).sort((a, b) => a.ref.storedPath.localeCompare(b.ref.storedPath));
    for (const file of files) {
      if (ctx.signal.aborted) return;
      const name = basename(file.ref.storedPath);
      if (file.size !== undefined && file.size > MAX_BYTES) {
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${file.size} bytes, more than the ${MAX_BYTES} a tombstone holds; not read` });
        continue;
      }
      const data = await ctx.source.read(file);
      let decoded;
      try {
        decoded = name.endsWith('.pb') ? decodeTombstoneProto(data, name) : decodeTombstoneText(data.toString('utf8'));
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: `not a protobuf tombstone: ${err.message}` });
        continue;
      }
      if ('error' in decoded) {
        ctx.warn({ code: 'corrupted', file, message: `${name}: ${decoded.error}` });
        continue;
      }
      const { timestamp: written, ...crash } = decoded.crash;
      const record: TombstoneRecord = { file_name: name, file_timestamp: fromUnix(file.times?.modified), ...crash, ...tombstoneTimes(written, zone) };
      yield { record, source: at(file, { whole: true }) } satisfies Parsed<TombstoneRecord>;
    }
  },
  timeline: (r) => [
    {
      time: r.timestamp_utc,
      event: 'Tombstone',
      description: described`Crash in '${r.process_name}' process running as UID '${r.uid}' in file '${r.file_name}' Crash type '${r.signal_info.name}' with code '${r.signal_info.code_name}'`,
    },
  ],
  observables: tombstoneObservables,
});
