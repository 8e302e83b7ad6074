import { describe, expect, it } from 'vitest';
import type { ProbeFact } from '../../../src/core/answer.js';
import type { Placement } from '../../../src/net/explain-path.js';
import { firstDisagreement, vantagesDisagreeSentence } from '../../../src/net/explain-vantage.js';

const web: Placement = { kind: 'container', name: 'web-1', ip: '172.21.0.2', networks: ['front'], hostNetwork: false, world: 'docker' };
const db: Placement = { kind: 'container', name: 'db', ip: '172.20.0.3', networks: ['back'], hostNetwork: false, world: 'docker' };
const host = (f: Partial<ProbeFact>): ProbeFact => ({ kind: 'tcp', target: '172.20.0.3', port: 80, ok: true, from: 'the Docker host', ...f });
const inside = (f: Partial<ProbeFact>): ProbeFact => ({ kind: 'tcp', target: '172.20.0.3', port: 80, ok: false, error: 'timeout', from: 'inside web-1', ...f });

describe('firstDisagreement', () => {
  it('none when both vantages agree', () => {
    expect(firstDisagreement([host({})], [inside({ ok: true, error: undefined })])).toBeUndefined();
    expect(firstDisagreement([host({ ok: false, error: 'refused' })], [inside({ error: 'refused' })])).toBeUndefined();
  });

  it('prefers the asked port, then any TCP port, then ping', () => {
    const h = [host({ kind: 'icmp', port: undefined }), host({ port: 443 }), host({ port: 80 })];
    const i = [inside({ kind: 'icmp', port: undefined, error: 'unreachable' }), inside({ port: 443 }), inside({ port: 80, error: 'refused' })];
    expect(firstDisagreement(h, i, 80)).toEqual({ kind: 'tcp', target: '172.20.0.3', port: 80, hostOk: true, failure: 'refused' });
    expect(firstDisagreement(h, i)).toMatchObject({ kind: 'tcp', port: 443 });
    expect(firstDisagreement(h.slice(0, 1), i.slice(0, 1))).toEqual({ kind: 'icmp', target: '172.20.0.3', hostOk: true, failure: 'unreachable' });
  });

  it('a probe one side never sent (denied, agent unavailable) is not a disagreement', () => {
    expect(firstDisagreement([host({})], [inside({ error: 'denied' })])).toBeUndefined();
    expect(firstDisagreement([host({ ok: false, error: 'agent unavailable' })], [inside({ ok: true, error: undefined })])).toBeUndefined();
  });

  it('the reverse: inside answers, the host does not', () => {
    expect(firstDisagreement([host({ ok: false, error: 'timeout' })], [inside({ ok: true, error: undefined })])).toMatchObject({ hostOk: false, failure: 'timeout' });
  });
});

describe('vantagesDisagreeSentence', () => {
  it('different bridges: Docker isolates them, connect or publish', () => {
    const d = firstDisagreement([host({})], [inside({})])!;
    expect(vantagesDisagreeSentence(d, 'the Docker host', web, db, 'different-bridges')).toBe(
      'From the Docker host 172.20.0.3 answers on port 80; from inside web-1 it does not (timeout): web-1 and db are on different bridge networks and Docker isolates them — connect web-1 to that network (`docker network connect back web-1`) or publish the port.',
    );
  });

  it('ping, on the same bridge: the difference is inside the namespace or in what B accepts', () => {
    const d = firstDisagreement([host({ kind: 'icmp', port: undefined })], [inside({ kind: 'icmp', port: undefined, error: 'unreachable' })])!;
    expect(vantagesDisagreeSentence(d, 'the Docker host', web, { ...db, networks: ['front'] }, 'same-bridge')).toBe(
      "From the Docker host 172.20.0.3 answers ping; from inside web-1 it does not (unreachable): they share a network, so the difference is inside web-1's namespace (its own firewall rules or routes) or in what db accepts from 172.21.0.2 — the host's address is let in, web-1's is not.",
    );
  });

  it('pods: a NetworkPolicy, and how to find it', () => {
    const pa: Placement = { ...web, kind: 'pod', name: 'shop/web-0', world: 'cluster', node: 'w1' };
    const pb: Placement = { ...db, kind: 'pod', name: 'shop/db-0', world: 'cluster', node: 'w2' };
    expect(vantagesDisagreeSentence(firstDisagreement([host({ from: 'node w1' })], [inside({})])!, 'node w1', pa, pb, 'across-nodes')).toMatch(
      /^From node w1 172\.20\.0\.3 answers on port 80; from inside shop\/web-0 it does not \(timeout\): the node's own traffic is not pod traffic: a NetworkPolicy .* `reach shop\/web-0 shop\/db-0 --no-probe` names it\.$/,
    );
  });

  it('pods, with the policies evaluated: a denying policy explains it; allowing ones point under them', () => {
    const pa: Placement = { ...web, kind: 'pod', name: 'shop/web-0', world: 'cluster', node: 'w1' };
    const pb: Placement = { ...db, kind: 'pod', name: 'data/db-0', world: 'cluster', node: 'w2' };
    const d = firstDisagreement([host({ from: 'node w1' })], [inside({})])!;
    expect(vantagesDisagreeSentence(d, 'node w1', pa, pb, 'across-nodes', 'deny')).toBe(
      "From node w1 172.20.0.3 answers on port 80; from inside shop/web-0 it does not (timeout): the NetworkPolicies deny this connection (the rules are below), and they filter shop/web-0's traffic, not the node's own — a probe from the node cannot see them.",
    );
    expect(vantagesDisagreeSentence(d, 'node w1', pa, pb, 'same-node', 'allow')).toBe(
      "From node w1 172.20.0.3 answers on port 80; from inside shop/web-0 it does not (timeout): no NetworkPolicy drops it (they allow this connection), so something under them treats shop/web-0's packets differently from the node's: the pod network's routes or a firewall between shop/web-0's network and 172.20.0.3 (the network plugin, the node's iptables) — the node's own traffic takes another way.",
    );
  });

  it('the reverse: B lets A in but not the host', () => {
    const d = firstDisagreement([host({ ok: false, error: 'timeout' })], [inside({ ok: true, error: undefined })])!;
    expect(vantagesDisagreeSentence(d, 'the Docker host', web, db, 'same-bridge')).toBe(
      "From inside web-1 172.20.0.3 answers on port 80; from the Docker host it does not (timeout): db (or the way to it) lets web-1's address in but not the host's — a probe from the host would have called it down.",
    );
  });
});
