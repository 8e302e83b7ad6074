import { describe, expect, it } from 'vitest';
import { choosePeers, hashPick, ringOrder } from '../../../src/reports/peers.js';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `node-${i}`);

describe('hash-chosen peers', () => {
  it('gives every node exactly k peers and every node exactly k checkers, never itself', () => {
    const peers = choosePeers(nodes(50), 3);
    const inDegree = new Map<string, number>();
    for (const [node, ps] of peers) {
      expect(ps).toHaveLength(3);
      expect(ps).not.toContain(node);
      expect(new Set(ps).size).toBe(3);
      for (const p of ps) inDegree.set(p, (inDegree.get(p) ?? 0) + 1);
    }
    expect([...inDegree.values()].every((d) => d === 3)).toBe(true);
    expect([...peers.values()].flat()).toHaveLength(150); // 3n, not n²
  });

  it('is the same on every replica, whatever order the nodes come in', () => {
    const a = choosePeers(nodes(20), 4);
    const b = choosePeers([...nodes(20)].reverse(), 4);
    expect([...a].sort()).toEqual([...b].sort());
  });

  it('caps k at n − 1 and handles tiny clusters', () => {
    expect(choosePeers(['a', 'b'], 5)).toEqual(new Map([['a', ['b']], ['b', ['a']]]));
    expect(choosePeers(['solo'], 3)).toEqual(new Map([['solo', []]]));
    expect(choosePeers([], 3).size).toBe(0);
  });

  it('changes only the peer sets of the k nodes before a node that joins', () => {
    const before = choosePeers(nodes(30), 3);
    const after = choosePeers([...nodes(30), 'node-new'], 3);
    const changed = [...before].filter(([n, ps]) => JSON.stringify(after.get(n)) !== JSON.stringify(ps)).length;
    expect(changed).toBe(3);
  });

  it('spreads the ring order by hash, not by name', () => {
    expect(ringOrder(nodes(10))).not.toEqual(nodes(10));
  });

  it('hashPick is deterministic and depends on the key', () => {
    const picks = new Set(Array.from({ length: 50 }, (_, i) => hashPick(`10.96.0.${i}`, nodes(5))));
    expect(picks.size).toBeGreaterThan(1);
    expect(hashPick('10.96.0.10', nodes(5))).toBe(hashPick('10.96.0.10', [...nodes(5)].reverse()));
  });
});
