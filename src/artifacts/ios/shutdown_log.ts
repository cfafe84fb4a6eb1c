import { fromUnix, type Moment } from '../../formats/time.js';
import { defineArtifact, type ParseIssue, type TimelineEvent } from '../artifact.js';
import { FormatError } from '../../errors.js';
import { described } from '../describe.js';

/**
 * One process that held up one reboot, from shutdown.log (reference-spec §7.2.7; Kaspersky's iShutdown). MVT's
 * fields first (`isodate`, `pid`, `client`, `delay`, `times_delayed`), then the reboot it belongs to. A reboot
 * that no process delayed is one record with `client` null, so the timeline of reboots has every reboot.
 */
export interface ShutdownLogRecord {
  /** The reboot's SIGTERM time; null for processes listed after the log's last SIGTERM (a shutdown cut short). */
  readonly isodate: Moment | null;
  /** As written (text, as MVT keeps it). */
  readonly pid: string | null;
  /** The path as written, with the binary's UUID as a last component on newer iOS. */
  readonly client: string | null;
  /** The longest wait it was listed under: seconds since the shutdown began. */
  readonly delay: number | null;
  /** How many delay notices of this reboot listed it. */
  readonly times_delayed: number;
  /** `client` without a trailing binary UUID: the executable's path. */
  readonly binary: string | null;
  readonly binary_uuid: string | null;
  /** 1-based position of the reboot in its file. */
  readonly reboot: number;
  /** Delay notices ("these clients are still here") logged before this reboot's SIGTERM. */
  readonly reboot_notices: number;
  /** Distinct processes that delayed this reboot. */
  readonly reboot_clients: number;
  /** True on the first record of each reboot, which carries the reboot's timeline event. */
  readonly first_of_reboot: boolean;
}

/**
 * Bounds on one hostile log: bytes read, lines (which bounds the time: a real log has a few thousand), line
 * length, processes per reboot, records per file.
 */
export const shutdownLogLimits = {
  maxFileBytes: 256 * 1024 * 1024,
  maxLines: 5_000_000,
  maxLineBytes: 4096,
  maxClientsPerReboot: 10_000,
  maxRecordsPerFile: 500_000,
};

const NOTICE = /^After\s+(\d{1,9}(?:\.\d{1,9})?)\s*s\b/;
const CLIENT = /remaining client pid:\s*(\d{1,10})\s*\((.*)\)\s*$/;
const SIGTERM = /^SIGTERM:/;
const SIGTERM_TIME = /\[(\d{1,12})\]/;
const SIGTERM_AT = / @(\d{9,11})\b/;
const UUID_TAIL = /\/([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;

interface Pending {
  pid: string;
  client: string;
  delay: number | null;
  notices: Set<number>;
}

export interface ShutdownLogLine {
  readonly record: ShutdownLogRecord;
  /** The SIGTERM line that closed the reboot (1-based), or the last line read for an unfinished one. */
  readonly line: number;
}

/** `/usr/libexec/nfcd/EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A` → the path and the UUID. */
export function splitBinaryUuid(client: string): { binary: string; uuid: string | null } {
  const m = UUID_TAIL.exec(client);
  return m && m.index > 0 ? { binary: client.slice(0, m.index), uuid: m[1]! } : { binary: client, uuid: null };
}

/**
 * Decodes one shutdown.log: a client line belongs to the delay notice above it, and a reboot ends at its
 * SIGTERM line. Lines are decoded one at a time from the buffer (never the whole file as one string); lines,
 * processes per reboot and records are bounded, and each bound reached is reported once through `warn`.
 */
export function* decodeShutdownLog(data: Buffer, warn: (message: string) => void = () => {}): Generator<ShutdownLogLine> {
  const limits = shutdownLogLimits;
  let clients = new Map<string, Pending>();
  let notices = 0;
  let delay: number | null = null;
  let reboot = 0;
  let records = 0;
  let lineNo = 0;
  let longLines = 0;
  let droppedClients = 0;
  let recordsCut = false;

  function* close(isodate: Moment | null, line: number): Generator<ShutdownLogLine> {
    reboot += 1;
    const listed = [...clients.values()];
    // Records are built field by field: an object spread per record costs more than decoding the line.
    const record = (c: Pending | null, first: boolean): ShutdownLogRecord => {
      const split = c === null ? null : splitBinaryUuid(c.client);
      return {
        isodate,
        pid: c === null ? null : c.pid,
        client: c === null ? null : c.client,
        delay: c === null ? null : c.delay,
        times_delayed: c === null ? 0 : c.notices.size,
        binary: split === null ? null : split.binary,
        binary_uuid: split === null ? null : split.uuid,
        reboot,
        reboot_notices: notices,
        reboot_clients: listed.length,
        first_of_reboot: first,
      };
    };
    if (listed.length === 0) {
      records += 1;
      yield { line, record: record(null, true) };
    }
    for (let i = 0; i < listed.length; i++) {
      if (records >= limits.maxRecordsPerFile) {
        recordsCut = true;
        break;
      }
      records += 1;
      yield { line, record: record(listed[i]!, i === 0) };
    }
    clients = new Map();
    notices = 0;
    delay = null;
  }

  let start = 0;
  while (start < data.length && records < limits.maxRecordsPerFile && lineNo < limits.maxLines) {
    let end = data.indexOf(10, start);
    if (end === -1) end = data.length;
    lineNo += 1;
    const length = end - start;
    if (length > limits.maxLineBytes) {
      longLines += 1;
      start = end + 1;
      continue;
    }
    const line = data.toString('utf8', start, end).trim();
    start = end + 1;
    const notice = NOTICE.exec(line);
    if (notice) {
      notices += 1;
      delay = Number(notice[1]);
      // Some logs put the notice and a client on one line ("After 0.1s, remaining client pid: …").
      if (!line.includes('remaining client pid')) continue;
    }
    const client = CLIENT.exec(line);
    if (client) {
      const key = `${client[1]}\u0000${client[2]}`;
      let c = clients.get(key);
      if (c === undefined) {
        if (clients.size >= limits.maxClientsPerReboot) {
          droppedClients += 1;
          continue;
        }
        clients.set(key, (c = { pid: client[1]!, client: client[2]!, delay: null, notices: new Set() }));
      }
      // Listed before any notice of its reboot (an older layout): present, but not counted as a delay.
      if (notices > 0) {
        c.notices.add(notices);
        c.delay = delay;
      }
      continue;
    }
    if (SIGTERM.test(line)) yield* close(sigtermTime(line), lineNo);
  }
  if (start < data.length || recordsCut) {
    warn(records >= limits.maxRecordsPerFile ? `more than ${limits.maxRecordsPerFile} records: the rest of the file is not read` : `more than ${limits.maxLines} lines: the rest of the file is not read`);
  } else if (clients.size > 0) {
    yield* close(null, lineNo);
  }
  if (longLines > 0) warn(`${longLines} line(s) longer than ${limits.maxLineBytes} bytes skipped`);
  if (droppedClients > 0) warn(`${droppedClients} client line(s) beyond ${limits.maxClientsPerReboot} processes in one reboot skipped`);
}

/** `SIGTERM: [1700000000]`; older lines give the time after ` @` (MVT's fallback); otherwise unknown. */
function sigtermTime(line: string): Moment | null {
  const m = SIGTERM_TIME.exec(line) ?? SIGTERM_AT.exec(line);
  return m ? fromUnix(Number(m[1])) : null;
}

export function shutdownLogTimeline(r: ShutdownLogRecord): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  if (r.first_of_reboot) {
    events.push({
      time: r.isodate,
      event: 'reboot',
      description: described`Reboot: ${r.reboot_clients} process(es) delayed the shutdown, over ${r.reboot_notices} delay notice(s)`,
    });
  }
  if (r.client !== null) {
    events.push({ time: r.isodate, event: 'shutdown', description: described`Client ${r.client} with PID ${r.pid} was running when the device was shut down` });
  }
  return events;
}

export default defineArtifact<ShutdownLogRecord>({
  id: 'ios.shutdown_log',
  version: 1,
  title: 'Processes that delayed reboots (shutdown.log)',
  mvt: { module: 'shutdown_log', className: 'ShutdownLog' },
  doc: 'iOS logs every reboot and the processes still running while it waits to shut down; Pegasus, Reign and Predator processes were found here, running from /private/var/db/ or /private/var/tmp/ and outliving several delay notices.',
  references: [
    'https://securelist.com/shutdown-log-lightweight-ios-malware-detection-method/111734/',
    'https://github.com/KasperskyLab/iShutdown',
  ],
  inputs: {
    'ios-fs': [
      { by: 'device-glob', pattern: 'private/var/db/diagnostics/shutdown.log' },
      { by: 'device-glob', pattern: 'private/var/db/diagnostics/shutdown.*.log' },
    ],
    'ios-sysdiagnose': [
      { by: 'path-glob', pattern: 'system_logs.logarchive/Extra/shutdown.log' },
      { by: 'path-glob', pattern: 'system_logs.logarchive/Extra/shutdown.*.log' },
    ],
  },
  inputMode: 'all',
  async *parse(ctx) {
    const seen = new Set<string>();
    for (const file of await ctx.findInputs()) {
      if (ctx.signal.aborted) return;
      const name = file.ref.storedPath;
      if (seen.has(name)) continue;
      seen.add(name);
      if ((file.size ?? 0) > shutdownLogLimits.maxFileBytes) {
        ctx.warn({ code: 'truncated', file, message: `${name}: ${file.size} bytes, more than the ${shutdownLogLimits.maxFileBytes}-byte limit for a shutdown log: not read` });
        continue;
      }
      const issue = (message: string): ParseIssue => ({ code: 'truncated', file, message: `${name}: ${message}` });
      let data: Buffer;
      try {
        data = await ctx.source.read(file);
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        ctx.warn({ code: 'corrupted', file, message: err.message });
        continue;
      }
      if (looksBinary(data)) {
        ctx.warn({ code: 'corrupted', file, message: `${name}: binary data, not a text shutdown log: not read` });
        continue;
      }
      for (const { record, line } of decodeShutdownLog(data, (m) => ctx.warn(issue(m)))) {
        if (ctx.signal.aborted) return;
        yield { record, source: { file, at: { line } } };
      }
    }
  },
  timeline: shutdownLogTimeline,
  observables(r) {
    if (r.client === null || r.binary === null) return [];
    const name = r.binary.slice(r.binary.lastIndexOf('/') + 1);
    // The path as written (MVT matches its folders against path indicators), and the running process's name.
    return [
      { kind: 'file_path', value: r.client, field: 'client' },
      ...(name !== '' ? [{ kind: 'process' as const, value: name, field: 'client' }] : []),
    ];
  },
});

/** A NUL byte in the first 4 KiB: a shutdown log is plain text, so this is another file under its name. */
function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 4096).includes(0);
}
