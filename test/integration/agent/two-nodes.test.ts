import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../../src/probe/agent-client.js';
import { StaticAgentDirectory } from '../../../src/probe/agent-directory.js';
import { AgentRouter } from '../../../src/probe/agent-router.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { createLab, leftovers, type Lab } from '../../support/netns.js';
import { SECRET } from '../../unit/agent/helpers.js';
import { buildAgentBundle, startAgentIn, type AgentProcess } from './agent-process.js';

/**
 * Two "nodes": two namespaces, each running the real agent entry as its own process. The client picks
 * the agent by node name, and the answers prove where the probe ran from: a listener on node 0's own
 * loopback is open from node 0 and refused from node 1. Each agent's allow-list is the lab subnet plus
 * exactly 127.0.0.1/32.
 */

describeNeeding(NETNS, 'agents on two nodes', () => {
  let lab: Lab;
  let bundle: { file: string; remove(): void };
  let agents: AgentProcess[];
  let router: AgentRouter;
  let node0: string;
  let node1: string;
  let agentEnv: Record<string, string>;

  beforeAll(async () => {
    [lab, bundle] = await Promise.all([createLab({ nodes: 2 }), buildAgentBundle()]);
    [node0, node1] = lab.nodes.map((n) => n.ns) as [string, string];
    await lab.tcpListener(node0, 9000);
    agentEnv = { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_ALLOW_CIDRS: `${lab.subnet},127.0.0.1/32` };
    agents = await Promise.all(lab.nodes.map((n) => startAgentIn(lab, bundle.file, n.ns, n.ip, agentEnv)));
    router = new AgentRouter(new StaticAgentDirectory(Object.fromEntries(agents.map((a) => [a.node, a.url]))), SECRET, { timeoutMs: 2000 });
  });

  afterAll(async () => {
    bundle?.remove();
    await lab?.destroy();
    if (lab) expect(leftovers(lab.id)).toEqual({ namespaces: [], links: [] });
  });

  it('probes from the node asked for', async () => {
    const target = [{ kind: 'tcp' as const, ip: '127.0.0.1', port: 9000 }];
    const [from0] = await router.probeFrom(node0, target, { timeoutMs: 1000 });
    const [from1] = await router.probeFrom(node1, target, { timeoutMs: 1000 });
    expect(from0).toMatchObject({ ok: true, via: node0 });
    expect(from1).toMatchObject({ ok: false, error: 'refused', via: node1 });
  });

  it('reports ready with the ICMP program it found', async () => {
    const res = await fetch(`${agents[0]!.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true, detail: 'ICMP through fping', node: node0 });
  });

  it('pings each node from the other', async () => {
    const [a, b] = lab.nodes;
    const [r0] = await router.probeFrom(node0, [{ kind: 'icmp', ip: b!.ip }], { timeoutMs: 500, count: 2 });
    const [r1] = await router.probeFrom(node1, [{ kind: 'icmp', ip: a!.ip }], { timeoutMs: 500, count: 2 });
    expect(r0).toMatchObject({ ok: true, via: node0, icmp: { received: 2 } });
    expect(r1).toMatchObject({ ok: true, via: node1, icmp: { received: 2 } });
  });

  it('each agent enforces its own allow-list', async () => {
    const r = await router.probeFrom(node0, [{ kind: 'icmp', ip: '127.0.0.2' }], { timeoutMs: 500 });
    expect(r[0]).toMatchObject({ ok: false, error: 'denied', detail: 'target 127.0.0.2 is loopback and not in the allow-list' });
  });

  it('says so when no agent is known for a node', async () => {
    const [r] = await router.probeFrom('node-nowhere', [{ kind: 'icmp', ip: lab.nodes[0]!.ip }], { timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, unavailable: { reason: 'no-agent', node: 'node-nowhere' } });
  });

  it('reports an agent killed mid-batch as unavailable, naming it; a restarted agent answers the same client again', async () => {
    const victim = agents[1]!;
    const client = new AgentClient(victim.url, SECRET, { node: victim.node, timeoutMs: 2000 });
    const slow = Array.from({ length: 5 }, (_, i) => ({ kind: 'icmp' as const, ip: lab.unassigned(i) }));
    const pending = client.probe(slow, { timeoutMs: 1000, count: 5 });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((r) => victim.child.once('exit', r));
    victim.child.kill('SIGKILL');
    const t0 = performance.now();
    const results = await pending;
    const degradedMs = performance.now() - t0;
    expect(degradedMs).toBeLessThan(1500);
    expect(results).toHaveLength(5);
    for (const r of results) {
      expect(r).toMatchObject({ ok: false, error: 'error', via: victim.node, unavailable: { reason: 'connection-lost', agent: victim.url, node: victim.node } });
      expect(r.detail).toContain(victim.url);
    }
    await exited;
    const after = await client.probe(slow.slice(0, 1), { timeoutMs: 300 });
    expect(after[0]?.unavailable).toMatchObject({ reason: 'refused', agent: victim.url });
    expect(after[0]?.detail).toMatch(/refused the connection/);

    const node = lab.nodes[1]!;
    const restarted = Date.now();
    agents[1] = await startAgentIn(lab, bundle.file, node.ns, node.ip, agentEnv);
    const [back] = await client.probe([{ kind: 'tcp', ip: '127.0.0.1', port: 9000 }], { timeoutMs: 1000 });
    expect(back).toMatchObject({ error: 'refused', via: victim.node });
    expect(back?.unavailable).toBeUndefined();
    process.stdout.write(`[fault] agent killed mid-batch: degraded answer ${degradedMs.toFixed(0)} ms after the kill; restarted agent answering ${Date.now() - restarted} ms after its start\n`);
  });
});
