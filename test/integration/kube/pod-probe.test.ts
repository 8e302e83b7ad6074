import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { buildAgentBundle, startAgentIn, type AgentProcess } from '../agent/agent-process.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { networkPolicy, node, pod } from '../../support/kube-apiserver/fixtures.js';
import { createLab, type Lab } from '../../support/netns.js';
import { failure, question } from './helpers.js';
import { UserError } from '../../../src/core/errors.js';
import { countCallsInPlace } from '../../support/call-counter.js';

/**
 * Pods on two "nodes" (network namespaces), each node running the real agent as its own process, and
 * the agents found the way production finds them: from the agent DaemonSet's pods in the API server.
 * `ping pod/web` must go through the agent on web's node, and only that one.
 */
const SECRET = 'pod-probe-test-secret-5b1e';
const AGENT_LABELS = { 'app.kubernetes.io/name': 'netpeek-agent' };

async function probesCounted(agent: AgentProcess): Promise<number> {
  const text = await (await fetch(`${agent.url}/metrics`)).text();
  return [...text.matchAll(/^netpeek_agent_probe_results_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describeNeeding(NETNS, 'probing pods through the agent on their node', () => {
  let lab: Lab;
  let bundle: { file: string; remove(): void };
  let api: KubeApiServer;
  let agentA: AgentProcess;
  let agentB: AgentProcess;
  let nsA = '';
  let nsB = '';
  let ipA = '';
  let ipB = '';
  let deps: ReturnType<typeof buildDeps>;
  const ask = (text: string): Promise<Answer> => question(deps, text);

  beforeAll(async () => {
    [lab, bundle] = await Promise.all([createLab({ nodes: 2 }), buildAgentBundle()]);
    [nsA, nsB] = lab.nodes.map((n) => n.ns) as [string, string];
    [ipA, ipB] = lab.nodes.map((n) => n.ip) as [string, string];
    const prefix = lab.subnet.replace(/\.0\/24$/, '');
    await lab.tcpListener(nsB, 8080);
    const env = { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet };
    [agentA, agentB] = await Promise.all([startAgentIn(lab, bundle.file, nsA, ipA, env), startAgentIn(lab, bundle.file, nsB, ipB, env)]);
    const web = { name: 'web', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] };
    api = await startKubeApiServer({
      namespaces: ['default', 'kube-system', 'netpeek'],
      objects: [
        node('node-a', { internalIP: ipA, podCIDR: `${prefix}.0/25` }),
        node('node-b', { internalIP: ipB, podCIDR: `${prefix}.0/25` }),
        node('node-c', { internalIP: `${prefix}.12`, podCIDR: `${prefix}.128/25` }),
        pod('netpeek-agent-a', { namespace: 'netpeek', labels: AGENT_LABELS, hostNetwork: true, hostIP: ipA, nodeName: 'node-a' }),
        pod('netpeek-agent-b', { namespace: 'netpeek', labels: AGENT_LABELS, hostNetwork: true, hostIP: ipB, nodeName: 'node-b' }),
        // The "pod" web is node-b's namespace itself: its address is real and answers.
        pod('web', { ip: ipB, hostIP: ipB, nodeName: 'node-b', containers: [web] }),
        pod('client', { ip: ipA, hostIP: ipA, nodeName: 'node-a' }),
        pod('lonely', { ip: lab.unassigned(3), hostIP: `${prefix}.12`, nodeName: 'node-c' }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET }), createLogger('silent'));
  }, 120_000);

  afterAll(async () => {
    await deps?.kube?.stop();
    await api?.stop();
    bundle?.remove();
    await lab?.destroy();
  });

  it('ping pod/web runs on node-b\'s agent, found from the DaemonSet pods, and nowhere else', async () => {
    const before = [await probesCounted(agentA), await probesCounted(agentB)];
    const a = await ask('ping pod/web -n default --port 8080 --count 1');
    expect(a.facts).toContainEqual({ label: 'Node', value: 'node-b' });
    expect(a.facts).toContainEqual({ label: 'Probed from', value: 'node node-b' });
    expect(a.probes.map((p) => [p.kind, p.target, p.port, p.ok])).toEqual([
      ['icmp', ipB, undefined, true],
      ['tcp', ipB, 8080, true],
    ]);
    expect(a.summary).toBe(`default/web (${ipB}) answers ping from node node-b; open: 8080.`);
    expect(await probesCounted(agentB)).toBe(before[1]! + 2);
    expect(await probesCounted(agentA)).toBe(before[0]);
  });

  it('without --port it tries the declared containerPort; a closed one is refused', async () => {
    const a = await ask('ping web --count 1');
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ port: 8080, ok: true });
    const closed = await ask('ping pod/web --port 8081 --count 1');
    expect(closed.probes.find((p) => p.kind === 'tcp')).toMatchObject({ port: 8081, ok: false, error: 'refused' });
  });

  it('reach client → web probes from client\'s node and explains the cross-node path', async () => {
    const a = await ask('reach pod/client pod/web --port 8080');
    expect(a.facts).toContainEqual({ label: 'Path', value: 'across-nodes' });
    expect(a.facts).toContainEqual({ label: 'Probed from', value: 'node node-a' });
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ipB, port: 8080, ok: true, from: 'node node-a' });
  });

  it('reach: when policies deny but the probe from the node connects, the answer says what that means', async () => {
    api.add(networkPolicy('default-deny', { policyTypes: ['Ingress'] }, 'default'));
    try {
      const before = [await probesCounted(agentA), await probesCounted(agentB)];
      const offline = await ask('reach pod/client pod/web --port 8080 --no-probe');
      expect(offline.policy?.port).toMatchObject({ verdict: 'denied', because: 'web is isolated for ingress by default/default-deny, and none of its rules admits client on TCP 8080.' });
      // --no-probe sent nothing through either agent.
      expect([await probesCounted(agentA), await probesCounted(agentB)]).toEqual(before);
      const a = await ask('reach pod/client pod/web --port 8080');
      expect(a.policy?.port?.verdict).toBe('denied');
      expect(a.summary).toMatch(/^Denied: default\/client → default\/web on TCP 8080\./);
      expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ipB, port: 8080, ok: true, from: 'node node-a' });
      expect(a.warnings[0]).toBe(
        'The policies deny this connection, but the probe from node node-a connected: node traffic is usually not subject to NetworkPolicy, and some CNIs do not enforce NetworkPolicy at all.',
      );
    } finally {
      api.remove({ kind: 'NetworkPolicy', namespace: 'default', name: 'default-deny' });
    }
  });

  it('pod --probe attaches the probe to the lookup', async () => {
    const a = await ask('pod web --probe');
    expect(a.addresses[0]?.ip).toBe(ipB);
    expect(a.probes.map((p) => `${p.kind}:${p.port ?? ''}:${p.ok}`)).toEqual(['icmp::true', 'tcp:8080:true']);
  });

  it('pod --probe probes the pod it looked up, without looking the pod or its node up again', async () => {
    const calls = new Map<string, number>();
    // The cluster is shared by the command and the probe resolvers, so counting it in place sees both.
    const restore = countCallsInPlace(deps.kube!.cluster(), ['pod', 'podsNamed', 'node'], calls);
    try {
      await ask('pod web');
      const lookup = new Map(calls);
      calls.clear();
      const a = await ask('pod web --probe');
      expect(a.probes.map((p) => `${p.kind}:${p.target}:${p.port ?? ''}:${p.ok}`)).toEqual([`icmp:${ipB}::true`, `tcp:${ipB}:8080:true`]);
      expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(lookup));
    } finally {
      restore();
    }
  });

  it('a node without an agent: the answer keeps the lookup and says why there is no probe', async () => {
    const a = await ask('ping pod/lonely --count 1');
    expect(a.facts).toContainEqual({ label: 'Node', value: 'node-c' });
    expect(a.warnings[0]).toMatch(/^Could not probe from node node-c: no netpeek agent is known for node node-c/);
    expect(a.probes.every((p) => !p.ok)).toBe(true);
  });

  it('asking for a container that is really a pod points at the pod', async () => {
    const err = await failure(deps, 'container web');
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^There is no container "web" on the Docker engine/);
    expect((err as UserError).details[0]).toBe('There is a pod with that name: `pod web -n default`.');
  });

  it('status counts the nodes with a ready agent and names the ones without', async () => {
    const a = await ask('status');
    const row = a.tables.find((t) => t.title === 'Backends')?.rows.find((r) => r[0] === 'agents (DaemonSet)');
    expect(row?.[1]).toBe('does not answer');
    expect(row?.[2]).toBe('2 of 3 nodes have a ready agent (pods app.kubernetes.io/name=netpeek-agent in netpeek)');
    expect(a.hints.join(' ')).toContain('Nodes without a ready agent: node-c.');
  });

  it('an agent that dies: degraded answer naming it, lookup facts kept', async () => {
    agentB.child.kill('SIGKILL');
    await new Promise((r) => agentB.child.once('exit', r));
    const a = await ask('ping pod/web --count 1');
    expect(a.facts).toContainEqual({ label: 'Address', value: ipB });
    expect(a.warnings[0]).toMatch(new RegExp(`^Could not probe from node node-b: .*${ipB.replace(/\./g, '\\.')}:7070`));
    expect(a.summary).toBe(`default/web is at ${ipB}, but node node-b could not probe it.`);
  });
});
