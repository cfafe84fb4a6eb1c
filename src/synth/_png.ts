/** PNG building blocks for synthetic files: chunks with real CRCs, and small valid images (app icons). */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/** One PNG chunk: length, type, payload, CRC-32 over type and payload. */
export function pngChunk(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), payload])), 0);
  return Buffer.concat([head, payload, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const out = Buffer.alloc(13);
  out.writeUInt32BE(width, 0);
  out.writeUInt32BE(height, 4);
  out.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method variants, no interlace
  return out;
}

/** Signature, IHDR, one IDAT holding `data` as given (not necessarily valid image data), IEND. */
export function pngWithData(width: number, height: number, data: Buffer): Buffer {
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr(width, height)), pngChunk('IDAT', data), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A real, decodable RGBA image of `size`×`size` pixels: a rounded-looking square of `rgb` on transparency, as
 * an app's placeholder icon is. Deflated with zlib, as every PNG decoder expects; the same input always gives
 * the same bytes.
 */
export function iconPng(size: number, rgb: readonly [number, number, number]): Buffer {
  const row = 1 + size * 4;
  const raw = Buffer.alloc(row * size);
  const corner = Math.max(1, Math.floor(size / 5));
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const dx = Math.max(0, corner - x, x - (size - 1 - corner));
      const dy = Math.max(0, corner - y, y - (size - 1 - corner));
      const inside = dx * dx + dy * dy <= corner * corner;
      const at = y * row + 1 + x * 4;
      raw[at] = rgb[0];
      raw[at + 1] = rgb[1];
      raw[at + 2] = rgb[2];
      raw[at + 3] = inside ? 255 : 0;
    }
  }
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr(size, size)), pngChunk('IDAT', deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}
