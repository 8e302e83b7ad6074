/**
 * The live probe step of `why … svc/<name>`: pods on two "nodes" (network namespaces this test made), each
 * node running the real agent, found from the agent DaemonSet's pods. The probe goes to one ready endpoint
 * pod on its resolved targetPort, from the client pod's node (or the pod's own), through that agent and
 * its allow-list (exactly the lab's subnet). The pod IPs are the lab's real addresses.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { buildAgentBundle, startAgentIn } from '../agent/agent-process.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { endpointSlice, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { createLab, type Lab } from '../../support/netns.js';
import { question } from './helpers.js';

const SECRET = 'why-probe-test-secret-7c2d';
const AGENT_LABELS = { 'app.kubernetes.io/name': 'netpeek-agent' };
const step = (a: Answer, id: string) => a.diagnosis!.steps.find((s) => s.id === id)!;

describeNeeding(NETNS, 'why: the probe step through the agent on a node', () => {
  let lab: Lab;
  let bundle: { file: string; remove(): void };
  let api: KubeApiServer;
  let ipA = '';
  let ipB = '';
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    [lab, bundle] = await Promise.all([createLab({ nodes: 2 }), buildAgentBundle()]);
    const [nsA, nsB] = lab.nodes.map((n) => n.ns) as [string, string];
    [ipA, ipB] = lab.nodes.map((n) => n.ip) as [string, string];
    const prefix = lab.subnet.replace(/\.0\/24$/, '');
    await lab.tcpListener(nsB, 8080);
    const env = { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet };
    // The agents run until the lab is destroyed (their namespaces go with it).
    await Promise.all([startAgentIn(lab, bundle.file, nsA, ipA, env), startAgentIn(lab, bundle.file, nsB, ipB, env)]);
    api = await startKubeApiServer({
      namespaces: ['default', 'netpeek'],
      objects: [
        node('node-a', { internalIP: ipA, podCIDR: `${prefix}.0/25` }),
        node('node-b', { internalIP: ipB, podCIDR: `${prefix}.0/25` }),
        pod('netpeek-agent-a', { namespace: 'netpeek', labels: AGENT_LABELS, hostNetwork: true, hostIP: ipA, nodeName: 'node-a' }),
        pod('netpeek-agent-b', { namespace: 'netpeek', labels: AGENT_LABELS, hostNetwork: true, hostIP: ipB, nodeName: 'node-b' }),
        // The pod "web" is node-b's namespace itself: its address is real, 8080 listens, 8081 does not.
        pod('web', { ip: ipB, hostIP: ipB, nodeName: 'node-b', labels: { app: 'web' }, containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 8081 }] }] }),
        pod('client', { ip: ipA, hostIP: ipA, nodeName: 'node-a', labels: { app: 'client' } }),
        service('web', { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'admin', port: 81, targetPort: 'admin' }] }),
        endpointSlice('web-x1', { serviceName: 'web', ports: [{ name: 'http', port: 8080 }, { name: 'admin', port: 8081 }], endpoints: [{ ip: ipB, podName: 'web', nodeName: 'node-b' }] }),
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

  it('from a pod: the endpoint pod on its targetPort, probed from the client\'s node, connects — every step passes', async () => {
    const a = await question(deps, 'why pod/default/client svc/default/web --port 80');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'probe')).toEqual({
      id: 'probe',
      status: 'pass',
      evidence: expect.stringMatching(new RegExp(`^TCP ${ipB.replace(/\./g, '\\.')}:8080 \\(pod default/web\\) from node node-a \\(not from inside default/client: from its node's agent\\): connected`)),
    });
    expect(a.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ipB, port: 8080, ok: true, from: 'node node-a' });
  });

  it('without a client: probed from the pod\'s own node; a port nothing listens on is refused', async () => {
    const a = await question(deps, 'why svc/default/web --port 81');
    expect(a.diagnosis!.firstFailure).toBe('probe');
    expect(step(a, 'probe').evidence).toBe(`TCP ${ipB}:8081 (pod default/web) from node node-b: refused: the address is there but nothing accepts on that port.`);
    expect(a.summary).toMatch(/^Broken at probe: /);
  });

  it('to a pod: its IP on --port, probed from the client\'s node', async () => {
    const a = await question(deps, 'why pod/default/client pod/default/web --port 8080');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'probe').evidence).toMatch(new RegExp(`^TCP ${ipB.replace(/\./g, '\\.')}:8080 \\(pod default/web\\) from node node-a `));
  });

  it('to a node: its address on --port through its own agent; from a pod, through the client\'s node\'s agent', async () => {
    const own = await question(deps, 'why node/node-b --port 8080');
    expect(own.diagnosis!.firstFailure).toBeNull();
    expect(step(own, 'route')).toMatchObject({ status: 'pass', evidence: expect.stringContaining(`node node-b is Ready and is reached at its address ${ipB}`) });
    expect(step(own, 'probe').evidence).toMatch(new RegExp(`^TCP ${ipB.replace(/\./g, '\\.')}:8080 \\(node node-b\\) from node node-b \\(from its own agent: .*\\): connected`));
    const fromPod = await question(deps, 'why default/client node/node-b --port 8081');
    expect(fromPod.diagnosis!.firstFailure).toBe('probe');
    expect(step(fromPod, 'probe').evidence).toBe(`TCP ${ipB}:8081 (node node-b) from node node-a: refused: the address is there but nothing accepts on that port.`);
    expect(fromPod.probes.find((p) => p.kind === 'tcp')).toMatchObject({ target: ipB, port: 8081, ok: false, from: 'node node-a' });
  });

  it('from a node to a pod on the other node: the route through its pod CIDR, the probe from that node\'s agent', async () => {
    const a = await question(deps, 'why node/node-a pod/default/web --port 8080');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'route').status).toBe('pass');
    expect(step(a, 'probe').evidence).toMatch(new RegExp(`^TCP ${ipB.replace(/\./g, '\\.')}:8080 \\(pod default/web\\) from node node-a: connected`));
  });

  it('a bare pod IP: resolved to the pod, then probed like it', async () => {
    const a = await question(deps, `why default/client ${ipB} --port 8080`);
    expect(a.diagnosis!.steps[0]).toEqual({ id: 'resolve', status: 'pass', evidence: `${ipB} is the IP of pod default/web on node node-b (from the API's pod list).` });
    expect(step(a, 'probe').status).toBe('pass');
  });

  it('--no-probe sends nothing', async () => {
    const a = await question(deps, 'why svc/default/web --port 80 --no-probe');
    expect(step(a, 'probe')).toEqual({ id: 'probe', status: 'skip', evidence: 'Not checked: --no-probe: nothing was sent.' });
    expect(a.probes).toEqual([]);
  });
});
