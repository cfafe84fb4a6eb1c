/**
 * JSON for the case's TEXT columns. Records hold what parsers read: exact 64-bit integers (bigint) are kept
 * as their decimal text and bytes as base64, instead of JSON.stringify throwing or writing a Buffer as a
 * list of numbers four times its size.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = key === '' ? value : this[key];
    if (typeof raw === 'bigint') return raw.toString();
    if (Buffer.isBuffer(raw)) return { base64: raw.toString('base64') };
    if (raw instanceof Uint8Array) return { base64: Buffer.from(raw).toString('base64') };
    return v;
  });
}

/** Reads a JSON column; a damaged value reads as null rather than stopping a report. */
export function fromJson(text: unknown): unknown {
  if (typeof text !== 'string') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function objectFromJson(text: unknown): Record<string, unknown> {
  const v = fromJson(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
