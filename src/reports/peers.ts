import { createHash } from 'node:crypto';

/**
 * Node-to-node checks without n²: the nodes are placed on a ring in the order of a hash of their
 * names, and each node probes the next `k` nodes on the ring (goldpinger's idea, with a ring so the
 * load is exact). Every node checks exactly k peers and is checked by exactly k peers, the choice is
 * the same on every replica and every run, and a node joining or leaving changes the peer sets of only
 * the k nodes before it.
 */

function position(seed: string, name: string): string {
  return createHash('sha256').update(`${seed}\u0000${name}`).digest('hex');
}

/** Node names in ring order (hash order, ties broken by name). */
export function ringOrder(nodes: readonly string[], seed = 'netpeek'): string[] {
  const unique = [...new Set(nodes)];
  const keyed = unique.map((n) => ({ n, h: position(seed, n) }));
  keyed.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.n < b.n ? -1 : 1));
  return keyed.map((x) => x.n);
}

/** Each node → the k peers it probes (k is capped at n − 1). */
export function choosePeers(nodes: readonly string[], k: number, seed = 'netpeek'): Map<string, string[]> {
  const ring = ringOrder(nodes, seed);
  const n = ring.length;
  const count = Math.max(0, Math.min(Math.floor(k), n - 1));
  const out = new Map<string, string[]>();
  ring.forEach((node, i) => {
    out.set(node, Array.from({ length: count }, (_, j) => ring[(i + j + 1) % n] as string));
  });
  return out;
}

/** A deterministic pick of one element by key (e.g. which node probes an address no node owns). */
export function hashPick<T>(key: string, items: readonly T[], name: (t: T) => string = String): T | undefined {
  let best: T | undefined;
  let bestHash = '';
  for (const item of items) {
    const h = position(key, name(item));
    if (best === undefined || h > bestHash) {
      best = item;
      bestHash = h;
    }
  }
  return best;
}
