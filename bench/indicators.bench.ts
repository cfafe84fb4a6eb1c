/**
 * Indicator loading and matching cost: loads every feed in ../shared/data/iocs, then matches generated URLs
 * (default 1,000,000; `--urls N`), processes and file paths, and prints the cost per observable.
 *
 *   npx tsx bench/indicators.bench.ts [--urls 1000000] [--iocs DIR]
 */
import { resolve } from 'node:path';
import type { Observable } from '../src/artifacts/artifact.js';
import { loadIndicators } from '../src/indicators/load.js';
import { compileIndicators } from '../src/indicators/match.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const urlCount = Number(arg('urls', '1000000'));
const iocsDir = resolve(arg('iocs', resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'iocs')));

/** A small deterministic PRNG, so every run matches the same URLs. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
/** Random lower-case words sliced out of one pre-generated string: cheap, so generation does not swamp the GC. */
const letters = Array.from({ length: 1 << 16 }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
const word = (n: number) => {
  const at = Math.floor(rand() * (letters.length - n));
  return letters.slice(at, at + n);
};

function generateUrls(n: number, indicatorDomains: readonly string[]): string[] {
  const tlds = ['com', 'org', 'net', 'co.uk', 'de', 'io', 'fr', 'com.br'];
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    let host: string;
    if (r < 0.01 && indicatorDomains.length > 0) host = `${word(4)}.${pick(indicatorDomains)}`; // 1% hits
    else if (r < 0.05) host = `${1 + Math.floor(rand() * 254)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
    else host = `${rand() < 0.5 ? 'www.' : ''}${rand() < 0.3 ? `${word(5)}.` : ''}${word(3 + Math.floor(rand() * 10))}.${pick(tlds)}`;
    const scheme = rand() < 0.8 ? 'https' : 'http';
    urls.push(`${scheme}://${host}/${word(6)}/${word(8)}?id=${Math.floor(rand() * 1e6)}`);
  }
  return urls;
}

function time<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const out = fn();
  console.log(`${label}: ${(performance.now() - t0).toFixed(1)} ms`);
  return out;
}

const t0 = performance.now();
const loaded = await loadIndicators({ paths: [iocsDir], userDir: null });
console.log(`load: ${(performance.now() - t0).toFixed(1)} ms — ${loaded.files.length} files, ${loaded.collections.length} collections, ${loaded.total} indicators, ${loaded.rejected.length} rejected`);
const matcher = time('compile', () => compileIndicators(loaded.collections));

const domains = loaded.collections.flatMap((c) => c.indicators.filter((i) => i.kind === 'domain').map((i) => i.value));
const urls = time(`generate ${urlCount} URLs`, () => generateUrls(urlCount, domains));

function run(label: string, observables: readonly Observable[]): void {
  // One warm-up pass over a slice so the JIT has seen the code before the timed pass.
  for (const o of observables.slice(0, 10_000)) matcher.match(o);
  const start = process.hrtime.bigint();
  let hits = 0;
  for (const o of observables) hits += matcher.match(o).length;
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${label}: ${observables.length} in ${(ns / 1e6).toFixed(0)} ms = ${(ns / observables.length / 1000).toFixed(2)} µs each, ${hits} matches`);
}

run('url', urls.map((value) => ({ kind: 'url', value, field: 'url' })));
run('domain', urls.slice(0, 200_000).map((value) => ({ kind: 'domain', value: new URL(value).hostname, field: 'domain' })));
run('process', Array.from({ length: 200_000 }, () => ({ kind: 'process' as const, value: word(4 + Math.floor(rand() * 14)), field: 'process' })));
run('file_path', Array.from({ length: 200_000 }, () => ({ kind: 'file_path' as const, value: `/private/var/${word(6)}/${word(8)}/${word(5)}.plist`, field: 'path' })));
