/**
 * Android tombstones in their text form (`/data/tombstones/tombstone_NN`): what debuggerd writes when a
 * native process crashes. Only the head is read (build, time, process, uid, signal, cause, abort message);
 * the register dump, backtraces and memory maps that follow are not. The protobuf form (`.pb`, Android 12+)
 * decodes to the same crash (tombstone-proto.ts).
 */

/** The signal that killed the process: `signal 11 (SIGSEGV), code 1 (SEGV_MAPERR)`. */
export interface TombstoneSignal {
  readonly number: number | null;
  readonly name: string;
  readonly code: number;
  readonly code_name: string;
}

/** One crash, with MVT's field names (TombstoneCrashResult, reference-spec §10.3). */
export interface TombstoneCrash {
  readonly build_fingerprint: string;
  readonly revision: string;
  readonly arch: string | null;
  /** As written: `2023-04-12 12:32:40.518290770+0200` (the device's wall clock and, usually, its offset). */
  readonly timestamp: string;
  readonly process_uptime: number | null;
  readonly command_line: readonly string[];
  readonly pid: number;
  readonly tid: number;
  readonly process_name: string | null;
  readonly binary_path: string | null;
  readonly selinux_label: string | null;
  readonly uid: number;
  readonly signal_info: TombstoneSignal;
  readonly cause: string | null;
  readonly causes: readonly { readonly human_readable: string | null; readonly memory_error: unknown }[];
  readonly abort_message: string | null;
}

export type DecodedTombstone = { readonly crash: TombstoneCrash } | { readonly error: string };

/** The head of a tombstone is its first lines; the backtraces after them are never needed. */
const HEAD_LINES = 400;
const MAX_FIELD = 4096;

const PID_LINE = /^pid: (\d+), tid: (\d+), name: (.*?)(?:\s+>>> (.*?) <<<)?\s*$/;
const SIGNAL_LINE = /^signal (-?\d+)(?: \(([^)]*)\))?, code (-?\d+)(?: \(([^)]*)\))?/;

function unquote(v: string): string {
  return v.trim().replace(/^'(.*)'$/s, '$1');
}

function int(text: string): number | null {
  const t = text.trim();
  if (!/^-?\d{1,15}$/.test(t)) return null;
  return Number(t);
}

/**
 * The crash a text tombstone describes, or why it cannot be read. As MVT: the first `pid:` line is the
 * crashing thread (later ones, of other threads, are ignored); a missing required field (build fingerprint,
 * revision, timestamp, pid, tid, uid, signal) is an error for the file.
 */
export function decodeTombstoneText(text: string): DecodedTombstone {
  const f: {
    build_fingerprint?: string;
    revision?: string;
    arch?: string;
    timestamp?: string;
    process_uptime?: number;
    command_line?: string[];
    pid?: number;
    tid?: number;
    process_name?: string;
    binary_path?: string;
    uid?: number;
    signal_info?: TombstoneSignal;
    cause?: string;
    abort_message?: string;
  } = {};
  let start = 0;
  for (let n = 0; n < HEAD_LINES && start <= text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, Math.min(end, start + MAX_FIELD)).replace(/\r$/, '');
    start = end + 1;
    const colon = line.indexOf(':');
    const key = colon === -1 ? '' : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).trim();
    switch (key) {
      case 'Build fingerprint':
        f.build_fingerprint ??= unquote(value);
        continue;
      case 'Revision':
        f.revision ??= unquote(value);
        continue;
      case 'ABI':
        f.arch ??= unquote(value);
        continue;
      case 'Timestamp':
        f.timestamp ??= value;
        continue;
      case 'Process uptime': {
        const s = /^(\d{1,12})s$/.exec(value);
        if (s && f.process_uptime === undefined) f.process_uptime = Number(s[1]);
        continue;
      }
      case 'Cmdline':
        f.command_line ??= [value];
        continue;
      case 'uid': {
        const uid = int(value);
        if (uid !== null) f.uid ??= uid;
        continue;
      }
      case 'Cause':
        f.cause ??= value;
        continue;
      case 'Abort message':
        f.abort_message ??= unquote(value);
        continue;
    }
    if (f.pid === undefined) {
      const pid = PID_LINE.exec(line);
      if (pid) {
        f.pid = Number(pid[1]);
        f.tid = Number(pid[2]);
        f.process_name = pid[3]!.trim();
        if (pid[4] !== undefined) f.binary_path = pid[4].trim();
        continue;
      }
    }
    if (f.signal_info === undefined) {
      const sig = SIGNAL_LINE.exec(line);
      if (sig) f.signal_info = { number: Number(sig[1]), name: sig[2] ?? 'UNKNOWN', code: Number(sig[3]), code_name: sig[4] ?? 'UNKNOWN' };
    }
  }
  const required = ['build_fingerprint', 'revision', 'timestamp', 'pid', 'tid', 'uid', 'signal_info'] as const;
  const absent = required.filter((k) => f[k] === undefined);
  if (absent.length > 0) return { error: `not a tombstone: no ${absent.join(', ')} in its first ${HEAD_LINES} lines` };
  return {
    crash: {
      build_fingerprint: f.build_fingerprint!,
      revision: f.revision!,
      arch: f.arch ?? null,
      timestamp: f.timestamp!,
      process_uptime: f.process_uptime ?? null,
      command_line: f.command_line ?? [],
      pid: f.pid!,
      tid: f.tid!,
      process_name: f.process_name ?? null,
      binary_path: f.binary_path ?? null,
      selinux_label: null,
      uid: f.uid!,
      signal_info: f.signal_info!,
      cause: f.cause ?? null,
      causes: [],
      abort_message: f.abort_message ?? null,
    },
  };
}

/** A tombstone's time: the wall clock as written (µs, zone dropped, as MVT keeps it) and the offset when written. */
export interface TombstoneTime {
  /** `2023-04-12 12:32:40.518290`: the device's wall clock. */
  readonly wall: string;
  /** Minutes east of UTC (`+0200` → 120), when the tombstone wrote it. */
  readonly offsetMinutes: number | null;
}

const TOMBSTONE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?\s*(?:([+-])(\d{2}):?(\d{2})|Z)?$/;

/** `2023-04-12 12:32:40.518290770+0200` → wall `2023-04-12 12:32:40.518290`, offset 120; null for another shape. */
export function parseTombstoneTime(text: string): TombstoneTime | null {
  const m = TOMBSTONE_TIME.exec(text.trim());
  if (!m) return null;
  const micros = (m[3] ?? '').slice(0, 6).padEnd(6, '0');
  const zulu = m[4] === undefined && text.trim().endsWith('Z');
  const offsetMinutes = m[4] !== undefined ? (m[4] === '-' ? -1 : 1) * (Number(m[5]) * 60 + Number(m[6])) : zulu ? 0 : null;
  return { wall: `${m[1]} ${m[2]}.${micros}`, offsetMinutes };
}
