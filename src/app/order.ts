/**
 * Orders artifacts so that each runs after the ones it `needs`, keeping the declared order wherever
 * dependencies allow (Kahn's algorithm, ties broken by registry position), as MVT does.
 */
import type { AnyArtifact } from '../artifacts/artifact.js';

export function orderArtifacts(selected: readonly AnyArtifact[], available: readonly AnyArtifact[]): AnyArtifact[] {
  const byId = new Map(available.map((a) => [a.id, a]));
  const position = new Map(available.map((a, i) => [a.id, i]));
  const wanted = new Map<string, AnyArtifact>();
  const add = (a: AnyArtifact, chain: string[]) => {
    if (wanted.has(a.id)) return;
    wanted.set(a.id, a);
    for (const dep of a.needs ?? []) {
      const d = byId.get(dep);
      if (!d) throw new Error(`artifact ${a.id} needs unknown artifact ${dep}`);
      if (chain.includes(dep)) throw new Error(`circular artifact dependency: ${[...chain, dep].join(' → ')}`);
      add(d, [...chain, dep]);
    }
  };
  for (const a of selected) add(a, [a.id]);

  const indegree = new Map([...wanted.keys()].map((id) => [id, 0]));
  for (const a of wanted.values()) for (const dep of a.needs ?? []) indegree.set(a.id, indegree.get(a.id)! + (wanted.has(dep) ? 1 : 0));
  const ready = [...wanted.values()].filter((a) => indegree.get(a.id) === 0);
  const out: AnyArtifact[] = [];
  while (ready.length > 0) {
    ready.sort((x, y) => position.get(x.id)! - position.get(y.id)!);
    const next = ready.shift()!;
    out.push(next);
    for (const a of wanted.values()) {
      if (!(a.needs ?? []).includes(next.id)) continue;
      const left = indegree.get(a.id)! - 1;
      indegree.set(a.id, left);
      if (left === 0) ready.push(a);
    }
  }
  return out;
}
