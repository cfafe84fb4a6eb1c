/**
 * Timeline descriptions as text with typed values in it, not finished strings: each output renders the values
 * its own way. The native timeline is ours and reads as plain text (`unknown` for a missing value, `12` for a
 * whole duration); the MVT-compatible timeline renders Python's `str()` (`None`, `True`, `12.0`) so it stays
 * comparable line by line with MVT's. Parsers say what a value is; never how an output spells it.
 */
import type { Moment } from '../formats/time.js';

/** A SQLite REAL column's value: Python prints a whole one with `.0`, so it must stay apart from an integer. */
export interface Real {
  readonly real: number | null;
}

/** A value shown in a description; `null`/`undefined` are a missing value. */
export type Value = string | number | bigint | boolean | null | undefined | Moment | Real;

/** What a description may hold: a value, or a description built earlier (a shared prefix). */
export type Shown = Value | Description;

export interface Description {
  /** The literal text around the values: always one more part than there are values. */
  readonly parts: readonly string[];
  readonly values: readonly Shown[];
}

/** A tagged template: `` described`From ${r.number} during ${real(r.duration)} seconds` ``. */
export function described(parts: TemplateStringsArray, ...values: Shown[]): Description {
  return { parts: [...parts], values };
}

export function real(value: number | null): Real {
  return { real: value };
}

export function isReal(value: Value): value is Real {
  return typeof value === 'object' && value !== null && 'real' in value;
}

function isDescription(value: Shown): value is Description {
  return typeof value === 'object' && value !== null && 'parts' in value;
}

/** The text of a description, each value rendered by `show` (an output's style). */
export function renderDescription(description: string | Description, show: (value: Value) => string): string {
  if (typeof description === 'string') return description;
  let out = description.parts[0]!;
  description.values.forEach((value, i) => (out += (isDescription(value) ? renderDescription(value, show) : show(value)) + description.parts[i + 1]!));
  return out;
}
