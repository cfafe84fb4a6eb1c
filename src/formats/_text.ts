/** Evidence text quoted in a one-line message: control characters escaped, length bounded. */
export function quoted(raw: string, max = 80): string {
  const escaped = raw.replace(/\\/g, '\\\\').replace(/\p{Cc}/gu, (c) => `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}`);
  return `"${escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped}"`;
}
