/**
 * What finding hosts and addresses in free text costs, next to the `http(s)://` link regex MVT's parity needs
 * anyway: both run over the same generated message texts (the generator's ordinary, everyday and link texts,
 * plus a share of texts holding a bare host), side by side in one run, and the ratio is printed.
 *
 *   npx tsx bench/text-links.bench.ts [--texts 200000]
 */
import { findLinks } from '../src/artifacts/ios/_messaging.js';
import { tokensInText } from '../src/formats/text-links.js';
import { EVERYDAY_TEXTS, LINK_TEXTS, MESSAGE_TEXTS } from '../src/synth/_vocabulary.js';
import { mulberry32 } from '../src/synth/random.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const count = Number(arg('texts', '200000'));
const rng = mulberry32(7);
const texts = Array.from({ length: count }, (_, i) => {
  const r = rng.next();
  if (r < 0.1) return `see landing${i % 997}.example-news.co.uk/story for details`;
  if (r < 0.3) return rng.pick(LINK_TEXTS).replace('{url}', `https://www.example${i % 50}.org/a?id=${i}`);
  if (r < 0.55) return rng.pick(EVERYDAY_TEXTS);
  return rng.pick(MESSAGE_TEXTS);
});

/** Runs `work` over every text three times and keeps the fastest pass (a warm JIT, less GC noise). */
function measure(work: (text: string) => number): { ms: number; found: number } {
  let best = Infinity;
  let found = 0;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    found = 0;
    for (const t of texts) found += work(t);
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, found };
}

const regex = measure((t) => findLinks(t).length);
const tokens = measure((t) => tokensInText(t).length);
const perText = (ms: number) => `${((ms * 1000) / texts.length).toFixed(2)} µs/text`;
console.log(`${texts.length} texts`);
console.log(`http(s) link regex   ${regex.ms.toFixed(0).padStart(6)} ms  ${perText(regex.ms)}  ${regex.found} links`);
console.log(`text tokenizer       ${tokens.ms.toFixed(0).padStart(6)} ms  ${perText(tokens.ms)}  ${tokens.found} hosts, URLs and addresses`);
console.log(`tokenizer / regex    ${(tokens.ms / regex.ms).toFixed(1)}×`);
