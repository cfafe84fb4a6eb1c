/**
 * A small seeded PRNG for synthetic evidence. Math.random cannot be seeded, and the generators must give
 * byte-identical databases for the same seed (tests and benchmarks compare runs). mulberry32 is tiny,
 * fast and good enough for plausible-looking data; it is not for anything security-related.
 */

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `n` lowercase hex digits. */
  hex(n: number): string;
  /** An upper-case RFC 4122 version-4 UUID, as iOS writes them in GUID columns. */
  uuid(): string;
}

export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[Math.floor(next() * 16)];
    return s;
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    hex,
    uuid: () => {
      const variant = '89ab'[Math.floor(next() * 4)] as string;
      return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`.toUpperCase();
    },
  };
}

const HEX = '0123456789abcdef';

/**
 * An independent stream per purpose, derived from the run's seed and a label (FNV-1a). Each database gets its
 * own stream, so asking for more messages never changes the Safari history generated from the same seed.
 */
export function forkRandom(seed: number, label: string): Random {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mulberry32(h >>> 0);
}
