/**
 * Tombstone decoders on MVT's test tombstone (the same crash as text and as protobuf, reference-spec §10.3
 * and §13.5) and on crafted edge cases.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { wireFields } from '../../src/formats/protobuf-wire.js';
import { decodeTombstoneText, parseTombstoneTime, type TombstoneCrash } from '../../src/formats/tombstone.js';
import { decodeTombstoneProto } from '../../src/formats/tombstone-proto.js';
import { shared } from '../helpers/data.js';

const textFile = () => readFileSync(shared('mvt-test-artifacts', 'android_data', 'tombstone_process.txt'), 'utf8');
const pbFile = () => readFileSync(shared('mvt-test-artifacts', 'android_data', 'tombstone_process.pb'));

function crashOf(d: ReturnType<typeof decodeTombstoneText>): TombstoneCrash {
  if ('error' in d) throw new Error(d.error);
  return d.crash;
}

/** The protobuf wire encoding of a few fields, for crafted messages. */
function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}
const fieldVarint = (no: number, v: number | bigint) => Buffer.concat([varint(BigInt(no << 3)), varint(BigInt(v))]);
const fieldBytes = (no: number, b: Buffer | string) => {
  const data = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([varint(BigInt((no << 3) | 2)), varint(BigInt(data.length)), data]);
};

describe('text tombstones', () => {
  it('MVT\'s test tombstone: its command line, uid, pid, process name and time', () => {
    const crash = crashOf(decodeTombstoneText(textFile()));
    expect(crash).toEqual({
      build_fingerprint: 'Redmi/rosemary_global/rosemary:12/SP1A.210812.016/V13.0.13.0.SKLMIXM:user/release-keys',
      revision: '0',
      arch: 'arm',
      timestamp: '2023-04-12 12:32:40.518290770+0200',
      process_uptime: 0,
      command_line: ['/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek'],
      pid: 25541,
      tid: 21307,
      process_name: 'mtk.ape.decoder',
      binary_path: '/vendor/bin/hw/android.hardware.media.c2@1.2-mediatek',
      selinux_label: null,
      uid: 1046,
      signal_info: { number: 0, name: 'SIGSEGV', code: 1, code_name: 'SEGV_MAPERR' },
      cause: 'null pointer dereference',
      causes: [],
      abort_message: null,
    });
  });

  it('a second pid line (another thread) is ignored: the first is the crashing thread', () => {
    const text = textFile().replace('uid: 1046\n', 'uid: 1046\npid: 25541, tid: 31896, name: worker-thread  >>> /vendor/bin/hw/x <<<\n');
    const crash = crashOf(decodeTombstoneText(text));
    expect([crash.tid, crash.process_name]).toEqual([21307, 'mtk.ape.decoder']);
  });

  it('a signal without a name, an abort message in quotes, CRLF line ends', () => {
    const text = ["Build fingerprint: 'a/b/c:14/X/1:user/release-keys'", "Revision: '5'", 'Timestamp: 2024-01-02 03:04:05+0000', 'pid: 1, tid: 2, name: init  >>> /system/bin/init <<<', 'uid: 0', 'signal 6, code -1', "Abort message: 'boom'", ''].join('\r\n');
    const crash = crashOf(decodeTombstoneText(text));
    expect(crash).toMatchObject({ uid: 0, process_name: 'init', signal_info: { number: 6, name: 'UNKNOWN', code: -1, code_name: 'UNKNOWN' }, abort_message: 'boom', build_fingerprint: 'a/b/c:14/X/1:user/release-keys' });
  });

  it('a file that is not a tombstone names the fields it lacks', () => {
    expect(decodeTombstoneText('hello\nworld\n')).toEqual({ error: 'not a tombstone: no build_fingerprint, revision, timestamp, pid, tid, uid, signal_info in its first 400 lines' });
    expect(decodeTombstoneText(textFile().replace(/^uid: .*$/m, 'uid: lots'))).toEqual({ error: 'not a tombstone: no uid in its first 400 lines' });
  });
});

describe('protobuf tombstones', () => {
  it('MVT\'s test tombstone decodes to the same crash as its text form', () => {
    const crash = crashOf(decodeTombstoneProto(pbFile()));
    const text = crashOf(decodeTombstoneText(textFile()));
    for (const field of ['build_fingerprint', 'revision', 'timestamp', 'command_line', 'pid', 'tid', 'uid', 'process_name'] as const) expect(crash[field]).toEqual(text[field]);
    expect(crash).toMatchObject({ arch: 'ARM32', selinux_label: 'u:r:mtk_hal_c2:s0', signal_info: { name: 'SIGSEGV', code: 1, code_name: 'SEGV_MAPERR' }, process_uptime: 0 });
    expect(crash.causes).toEqual([{ human_readable: 'null pointer dereference', memory_error: null }]);
  });

  it('an abort message appended to the message is read (a later field wins, as protobuf says)', () => {
    const crash = crashOf(decodeTombstoneProto(Buffer.concat([pbFile(), fieldBytes(14, 'Check failed: x')])));
    expect(crash.abort_message).toBe('Check failed: x');
  });

  it('fields at their default are absent from the wire: uid 0 (root) and ARM32 are read as such', () => {
    const thread = fieldBytes(16, Buffer.concat([fieldVarint(1, 7), fieldBytes(2, Buffer.concat([fieldVarint(1, 7), fieldBytes(2, 'vold')]))]));
    const signal = fieldBytes(10, Buffer.concat([fieldVarint(1, 11), fieldBytes(2, 'SIGSEGV'), fieldVarint(3, -1), fieldBytes(4, 'SI_QUEUE')]));
    const msg = Buffer.concat([fieldBytes(2, 'a/b/c:14/X/1:user/release-keys'), fieldBytes(4, '2024-01-02 03:04:05.123456789+0100'), fieldVarint(5, 7), fieldVarint(6, 7), fieldBytes(9, '/system/bin/vold'), signal, thread]);
    expect(crashOf(decodeTombstoneProto(msg))).toMatchObject({ uid: 0, arch: 'ARM32', pid: 7, tid: 7, process_name: 'vold', command_line: ['/system/bin/vold'], signal_info: { number: 11, name: 'SIGSEGV', code: -1, code_name: 'SI_QUEUE' } });
  });

  it('a message with none of the crash\'s fields is not a tombstone; a broken one is a FormatError naming the file', () => {
    expect(decodeTombstoneProto(Buffer.alloc(0), 'tombstone_01.pb')).toEqual({ error: 'not a tombstone: no timestamp, pid, signal or build fingerprint' });
    expect(() => decodeTombstoneProto(pbFile().subarray(0, 1000), 'tombstone_01.pb')).toThrow(FormatError);
    expect(() => decodeTombstoneProto(Buffer.from('hello world'), 'tombstone_01.pb')).toThrow(/^tombstone_01\.pb: /);
  });

  it('the wire reader refuses lengths past the end and over-long varints', () => {
    expect(() => [...wireFields(Buffer.from([0x12, 0x7f, 0x41]), 'x')]).toThrow('x: field 2 claims 127 bytes where 1 remain');
    expect(() => [...wireFields(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 'x')]).toThrow(/runs past the end of its message or past 10 bytes/);
    expect(() => [...wireFields(Buffer.from([0x0b]), 'x')]).toThrow(/wire type 3/);
  });
});

describe('tombstone times', () => {
  it('keep the wall clock to the microsecond and the written offset', () => {
    expect(parseTombstoneTime('2023-04-12 12:32:40.518290770+0200')).toEqual({ wall: '2023-04-12 12:32:40.518290', offsetMinutes: 120 });
    expect(parseTombstoneTime('2023-08-21 23:28:59-0400')).toEqual({ wall: '2023-08-21 23:28:59.000000', offsetMinutes: -240 });
    expect(parseTombstoneTime('2023-08-21 23:28:59')).toEqual({ wall: '2023-08-21 23:28:59.000000', offsetMinutes: null });
    expect(parseTombstoneTime('yesterday')).toBeNull();
  });
});
