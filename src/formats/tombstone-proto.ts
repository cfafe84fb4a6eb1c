/**
 * Android's protobuf tombstone (`tombstone_NN.pb`, Android 12+; `system/core/debuggerd/proto/tombstone.proto`),
 * decoded for the fields MVT reads (reference-spec §10.3) with our own bounded wire reader rather than a
 * protobuf library: a dozen field numbers need no generated code or vendored schema. The result is the
 * same crash the text form gives (tombstone.ts).
 */
import { FormatError } from '../errors.js';
import { asInt32, asUint, wireFields, type WireField } from './protobuf-wire.js';
import type { DecodedTombstone, TombstoneCrash, TombstoneSignal } from './tombstone.js';

/** tombstone.proto's `Architecture` enum. */
const ARCHITECTURES = ['ARM32', 'ARM64', 'X86', 'X86_64', 'RISCV64', 'NONE'] as const;

/** A tombstone holds a few hundred threads at most. */
const MAX_THREADS = 100_000;

const text = (f: WireField): string | null => (f.type === 'bytes' ? f.bytes.toString('utf8') : null);

function decodeSignal(bytes: Buffer, what: string): TombstoneSignal {
  let number: number | null = 0;
  let name = '';
  let code = 0;
  let codeName = '';
  for (const f of wireFields(bytes, what)) {
    if (f.no === 1 && f.type === 'varint') number = asInt32(f.value);
    else if (f.no === 2) name = text(f) ?? name;
    else if (f.no === 3 && f.type === 'varint') code = asInt32(f.value);
    else if (f.no === 4) codeName = text(f) ?? codeName;
  }
  return { number, name, code, code_name: codeName };
}

function decodeCause(bytes: Buffer, what: string): { human_readable: string | null; memory_error: unknown } {
  let human: string | null = null;
  let memoryError: unknown = null;
  for (const f of wireFields(bytes, what)) {
    if (f.no === 1) human = text(f);
    // The memory error's details (tool, type, allocation) are not used by any check; its presence is kept.
    else if (f.no === 2 && f.type === 'bytes') memoryError = { present: true };
  }
  return { human_readable: human, memory_error: memoryError };
}

/** A `map<uint32, Thread>` entry: key 1, value 2 (Thread: id 1, name 2). */
function decodeThreadEntry(bytes: Buffer, what: string): { id: number; name: string } | null {
  let id: number | null = null;
  let name = '';
  for (const f of wireFields(bytes, what)) {
    if (f.no === 1 && f.type === 'varint') id ??= asUint(f.value);
    else if (f.no === 2 && f.type === 'bytes') {
      for (const t of wireFields(f.bytes, what)) {
        if (t.no === 1 && t.type === 'varint') id = asInt32(t.value);
        else if (t.no === 2) name = text(t) ?? name;
      }
    }
  }
  return id === null ? null : { id, name };
}

/**
 * The crash in a protobuf tombstone. The wire data must be well formed (a FormatError otherwise); a message
 * without a pid, tid, uid, timestamp or signal is not a crash (`{ error }`), as for the text form.
 */
export function decodeTombstoneProto(data: Buffer, what = 'tombstone'): DecodedTombstone {
  let arch: string | null = null;
  let fingerprint: string | null = null;
  let revision: string | null = null;
  let timestamp: string | null = null;
  let pid: number | null = null;
  let tid: number | null = null;
  let uid: number | null = null;
  let selinux: string | null = null;
  const commandLine: string[] = [];
  let signal: TombstoneSignal | null = null;
  let abort: string | null = null;
  const causes: { human_readable: string | null; memory_error: unknown }[] = [];
  const threads = new Map<number, string>();
  let uptime: number | null = null;
  for (const f of wireFields(data, what)) {
    switch (f.no) {
      case 1:
        if (f.type === 'varint') arch = ARCHITECTURES[Number(f.value)] ?? `UNKNOWN(${f.value})`;
        break;
      case 2:
        fingerprint = text(f);
        break;
      case 3:
        revision = text(f);
        break;
      case 4:
        timestamp = text(f);
        break;
      case 5:
        if (f.type === 'varint') pid = asUint(f.value);
        break;
      case 6:
        if (f.type === 'varint') tid = asUint(f.value);
        break;
      case 7:
        if (f.type === 'varint') uid = asUint(f.value);
        break;
      case 8:
        // Written with its C string's terminating NUL.
        selinux = text(f)?.replace(/\0+$/, '') ?? null;
        break;
      case 9: {
        const arg = text(f);
        if (arg !== null) commandLine.push(arg);
        break;
      }
      case 10:
        if (f.type === 'bytes') signal = decodeSignal(f.bytes, what);
        break;
      case 14:
        abort = text(f);
        break;
      case 15:
        if (f.type === 'bytes') causes.push(decodeCause(f.bytes, what));
        break;
      case 16:
        if (f.type === 'bytes') {
          if (threads.size >= MAX_THREADS) throw new FormatError(what, `more than ${MAX_THREADS} threads`);
          const t = decodeThreadEntry(f.bytes, what);
          if (t) threads.set(t.id, t.name);
        }
        break;
      case 20:
        if (f.type === 'varint') uptime = asUint(f.value);
        break;
    }
  }
  // proto3 leaves out every field at its default (uid 0, root, is written as nothing; ARM32 is 0): absent means
  // the default, as MVT's decoded dict has it. Only a message with none of the crash's fields is not a tombstone.
  if (timestamp === null && pid === null && signal === null && fingerprint === null) return { error: 'not a tombstone: no timestamp, pid, signal or build fingerprint' };
  const crash: TombstoneCrash = {
    build_fingerprint: fingerprint ?? '',
    revision: revision ?? '',
    arch: arch ?? ARCHITECTURES[0],
    timestamp: timestamp ?? '',
    process_uptime: uptime ?? 0,
    command_line: commandLine,
    pid: pid ?? 0,
    tid: tid ?? 0,
    process_name: threads.get(tid ?? 0) ?? 'Unknown',
    binary_path: null,
    selinux_label: selinux,
    uid: uid ?? 0,
    signal_info: signal ?? { number: 0, name: '', code: 0, code_name: '' },
    cause: null,
    causes,
    abort_message: abort,
  };
  return { crash };
}
