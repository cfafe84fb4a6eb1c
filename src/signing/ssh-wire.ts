/**
 * The SSH wire encoding (RFC 4251 §5) that OpenSSH keys and signatures are made of: uint32 big-endian
 * lengths before byte strings. The reader is for untrusted input (a key file or a signature from a bundle):
 * every length is checked against what is left, so a hostile length cannot make it read or allocate more.
 */
import { FormatError } from '../errors.js';

export function sshString(data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

export function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export class SshReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    /** What is being read, for messages: "SSH signature", "OpenSSH private key". */
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bytes(n: number, field: string): Buffer {
    if (n > this.remaining) throw new FormatError(this.what, `truncated at ${field} (needs ${n} bytes, ${this.remaining} left)`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uint32(field: string): number {
    return this.bytes(4, field).readUInt32BE(0);
  }

  string(field: string): Buffer {
    return this.bytes(this.uint32(field), field);
  }

  text(field: string): string {
    return this.string(field).toString('utf8');
  }

  end(): void {
    if (this.remaining !== 0) throw new FormatError(this.what, `${this.remaining} unexpected bytes after the end`);
  }
}

/** PEM-style armor as OpenSSH writes it: base64 in 70-character lines. */
export function armor(label: string, body: Buffer): string {
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 70) lines.push(b64.slice(i, i + 70));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The base64 body between BEGIN/END lines (any line length, CRLF tolerated), or a FormatError. */
export function unarmor(label: string, text: string, what: string): Buffer {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new FormatError(what, `no "${begin}" … "${end}" block`);
  const body = text.slice(start + begin.length, stop).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new FormatError(what, 'the armored block is not base64');
  return Buffer.from(body, 'base64');
}

/**
 * A string from untrusted input, quoted for a one-line message: at most 40 characters, control characters and
 * line separators escaped (a key type of "\n" must not break the line or hide text on a terminal).
 */
export function quoted(s: string): string {
  return JSON.stringify(s.slice(0, 40)).replace(/[\p{Cc}\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
