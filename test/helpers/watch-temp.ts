/** Watching a folder while something runs: what the "nothing is extracted" tests assert on. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every path under `dir`, relative to it, seen at least once while `run` ran (polled every few ms). */
export async function watchTemp<T>(dir: string, run: () => Promise<T>): Promise<{ result: T; seen: Set<string> }> {
  const seen = new Set<string>();
  const list = (sub: string): void => {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      return;
    }
    for (const name of names) {
      seen.add(join(sub, name));
      list(join(sub, name));
    }
  };
  const timer = setInterval(() => list(''), 2);
  try {
    return { result: await run(), seen };
  } finally {
    clearInterval(timer);
  }
}
