/**
 * What a decoded property list is made of, and the limits every plist decoder enforces. Kept apart from
 * plist.ts so that the binary and XML decoders can share them without an import cycle.
 */
import { FormatError } from '../errors.js';

/** A keyed-archiver object reference (binary plist type 0x8). `instanceof UID` and `.UID` are the public contract. */
export class UID {
  constructor(public UID: number) {}
}

export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | UID
  | null
  | PlistValue[]
  | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

export interface PlistLimits {
  /**
   * Values produced, counted as decoded: an object referenced twice counts twice. A binary plist is a graph,
   * and a 300-byte file whose arrays each reference the next level twice, 40 levels deep, expands to 2^40
   * values; counting stored objects would never notice. A real iOS plist stays far below (a 100k-key dict is
   * 200k values); at the bound the decoded tree holds at most a few hundred MB.
   */
  readonly maxValues: number;
  /** Nesting of arrays and dicts. Real plists nest a few dozen levels at most. */
  readonly maxDepth: number;
}

export const plistLimits: PlistLimits = Object.freeze({ maxValues: 2_000_000, maxDepth: 256 });

/** Counts decoded values and nesting against the limits; one per parsePlist call. */
export class DecodeBudget {
  private values = 0;
  constructor(
    private readonly what: string,
    private readonly limits: PlistLimits,
    private readonly format: string,
  ) {}

  value(): void {
    if (++this.values > this.limits.maxValues) {
      throw new FormatError(this.what, `${this.format} expands to more than ${this.limits.maxValues} values (plistLimits.maxValues)`);
    }
  }

  depth(depth: number): void {
    if (depth > this.limits.maxDepth) {
      throw new FormatError(this.what, `${this.format} nested deeper than ${this.limits.maxDepth} levels (plistLimits.maxDepth)`);
    }
  }
}

/** Integers are numbers while exact, bigint beyond ±2^53 (as the binary path always did). */
export function exactInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Assigns a dict entry without ever touching the prototype (a key may be "__proto__"). */
export function setEntry(dict: PlistDict, key: string, value: PlistValue): void {
  if (key === '__proto__') Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
  else dict[key] = value;
}
