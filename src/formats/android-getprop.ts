/**
 * `getprop` output, as androidqf and bugreports store it: one `[name]: [value]` per line. A value may be
 * empty (`[]`), a line may be blank or broken by the tool that captured it; anything else is counted, not fatal.
 */

export interface AndroidProperty {
  readonly name: string;
  readonly value: string;
  /** 1-based line in the file. */
  readonly line: number;
}

export interface DecodedGetprop {
  readonly properties: AndroidProperty[];
  /** Lines with text that is not a property (garbage, a value split over lines). */
  readonly skipped: { line: number; text: string }[];
  /** Properties with an empty value (`[ro.x]: []`): kept by us, dropped by MVT. */
  readonly empty: number;
  readonly truncated: boolean;
}

/** A phone has about a thousand properties; ten times that is not a getprop dump. */
export const MAX_GETPROP_LINES = 20_000;

const PROPERTY = /^\[([^\]]+)\]: \[(.*)\]$/;

export function decodeGetprop(text: string, maxLines = MAX_GETPROP_LINES): DecodedGetprop {
  const properties: AndroidProperty[] = [];
  const skipped: { line: number; text: string }[] = [];
  let empty = 0;
  const lines = text.split(/\r?\n/);
  const truncated = lines.length > maxLines;
  lines.slice(0, maxLines).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = PROPERTY.exec(line);
    if (!m) {
      skipped.push({ line: i + 1, text: line.slice(0, 80) });
      return;
    }
    if (m[2] === '') empty++;
    properties.push({ name: m[1]!, value: m[2]!, line: i + 1 });
  });
  return { properties, skipped, empty, truncated };
}

/** The value of the first property of that name, if any. */
export function propertyValue(props: readonly AndroidProperty[], name: string): string | undefined {
  return props.find((p) => p.name === name)?.value;
}
