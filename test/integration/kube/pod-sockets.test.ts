/**
 * `pod <name>` with what actually listens inside the pod, read by the node's agent: a pod made of real
 * Docker containers (pause + app containers in its namespace, test/support/kube-pods.ts) registered in the
 * test API server with the real container IDs in status.containerStatuses, and the built `netpeek agent`
 * running on this host as "node-a" with NETPEEK_AGENT_WORKLOAD_VANTAGE on. A second agent, "node-b", runs
 * the default (off). The agent finds the pod's process from the container IDs by cgroup; the test never
 * hands it a PID. Reading sockets sends no packets; the agents' allow-list is the pod network's subnet.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { AgentClient, AgentWorkloadRefusedError, AgentUnavailableError } from '../../../src/probe/agent-client.js';
import type { AgentProcess } from '../agent/agent-process.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';
import { node } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../../support/kube-pods.js';
import { question } from './helpers.js';
import { startWorkloadAgents, type WorkloadAgents } from '../../support/workload-agents.js';

const SECRET = 'pod-sockets-test-secret-41ab';

describeNeeding(DOCKER, 'pod: listening sockets read by the node\'s agent from the pod\'s own namespace', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let net: { name: string; subnet: string; gateway: string };
  let shop: RealPod;
  let other: RealPod;
  let on: AgentProcess;
  let off: AgentProcess;
  let agents: WorkloadAgents;
  let hostNetId = '';
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await createPodNetwork(fx);
    shop = await startRealPod(fx, net.name, 'shop', [
      // The classic: declared 8080, the server binds 127.0.0.1 only.
      { name: 'web', command: ['httpd', '-f', '-p', '127.0.0.1:8080'], ports: [{ name: 'http', containerPort: 8080 }] },
      // Declared 9090 and 5000: 9090 listens on every address, nothing listens on 5000.
      { name: 'api', command: ['httpd', '-f', '-p', '9090'], ports: [{ name: 'api', containerPort: 9090 }, { name: 'grpc', containerPort: 5000 }] },
      // Declares nothing, listens on 7070.
      { name: 'metrics', command: ['httpd', '-f', '-p', '7070'] },
    ]);
    other = await startRealPod(fx, net.name, 'other', [{ name: 'app', command: ['httpd', '-f', '-p', '8081'], ports: [{ containerPort: 8081 }] }]);
    const hostNet = await fx.runContainer('hostnet', ['--network', 'host'], undefined, ['sleep', '600']);
    hostNetId = (await inspect<{ Id: string }>(hostNet)).Id;
    await Promise.all([untilListening(shop.containers.web!, 8080), untilListening(shop.containers.api!, 9090), untilListening(shop.containers.metrics!, 7070), untilListening(other.containers.app!, 8081)]);
    agents = await startWorkloadAgents(SECRET, [net.subnet]);
    ({ on, off } = agents);
    api = await startKubeApiServer({
      objects: [
        node('node-a', { internalIP: net.gateway, podCIDR: net.subnet }),
        node('node-b', { internalIP: net.gateway, podCIDR: net.subnet }),
        podObject(shop, { nodeName: 'node-a', hostIP: net.gateway }),
        podObject(other, { nodeName: 'node-b', hostIP: net.gateway }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: agents.agents }), createLogger('silent'));
  }, 180_000);

  afterAll(async () => {
    agents?.stop();
    await deps?.kube?.stop();
    await api?.stop();
    await fx.cleanup();
  });

  it('each socket with address, port, process and the container that owns it; loopback-only on a declared port is loud', async () => {
    const a = await question(deps, 'pod shop');
    const byPort = new Map(a.listening!.map((l) => [l.port, l]));
    expect(byPort.get(8080)).toMatchObject({ protocol: 'tcp', addresses: ['127.0.0.1'], verdict: 'loopback-only-declared', warning: true, container: 'web', process: { command: 'httpd' }, declaredAs: ['declared'] });
    expect(byPort.get(9090)).toMatchObject({ verdict: 'reachable', warning: false, container: 'api', process: { command: 'httpd' } });
    expect(byPort.get(9090)!.addresses[0]).toMatch(/^(0\.0\.0\.0|::)$/);
    expect(byPort.get(7070)).toMatchObject({ verdict: 'undeclared', container: 'metrics', process: { command: 'httpd' } });
    expect(byPort.get(7070)!.note).toContain('works anyway');
    expect(byPort.get(5000)).toMatchObject({ verdict: 'nothing-listening', warning: true, container: 'api', addresses: [] });
    // The httpd PIDs are real host PIDs of the containers' processes.
    const webPid = (await inspect<{ State: { Pid: number } }>(shop.containers.web!)).State.Pid;
    expect(byPort.get(8080)!.process!.pid).toBe(webPid);
    const warnings = a.warnings.join('\n');
    expect(warnings).toContain(`8080/tcp is declared but the server listens on 127.0.0.1 only`);
    expect(warnings).toContain(`connections to ${shop.ip}:8080`);
    expect(warnings).toContain(`5000/tcp is declared by api but nothing listens on it in the namespace: connections to ${shop.ip}:5000 are refused`);
    const table = a.tables.find((t) => t.title.startsWith('Listening sockets'))!;
    expect(table.columns).toEqual(['Port', 'Address', 'Process', 'Container', 'Declared', 'Meaning']);
    expect(table.rows.find((r) => r[0] === '8080/tcp')).toEqual(['8080/tcp', '127.0.0.1', `httpd (${webPid})`, 'web', 'declared', 'LOOPBACK ONLY: unreachable from outside']);
    expect(a.explanations.join(' ')).toMatch(/read by the netpeek agent on node-a from the pod's own network namespace \(pid \d+, container web\)/);
    // The Ports table agrees with the sockets: a declared port is only "reachable" when something listens on it.
    const declared = (port: number) => a.ports.find((p) => p.port === port && p.source === 'declared')!.note;
    expect(declared(8080)).toBe(`LOOPBACK ONLY: the server listens on 127.0.0.1 only, so connections to ${shop.ip}:8080/tcp are refused; only processes inside the namespace reach it. Make the server listen on 0.0.0.0 (or ::).`);
    expect(declared(5000)).toBe(`NOTHING LISTENS: no socket is bound to 5000/tcp in the namespace, so connections to ${shop.ip}:5000/tcp are refused.`);
    expect(declared(9090)).toBe(`Reachable at ${shop.ip}:9090/tcp from every pod and node; nothing to publish.`);
  });

  it('an agent deployed without the workload-vantage component: the pod answer says so and lists no sockets', async () => {
    const a = await question(deps, 'pod other');
    expect(a.listening).toBeUndefined();
    expect(a.hints.join(' ')).toContain('What listens inside other was not read: the agent on node node-b does not look inside workloads: NETPEEK_AGENT_WORKLOAD_VANTAGE is off');
  });

  const client = () => new AgentClient(on.url, SECRET, { node: 'node-a' });
  const refusal = async (p: Promise<unknown>): Promise<AgentWorkloadRefusedError> => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AgentWorkloadRefusedError);
    return err as AgentWorkloadRefusedError;
  };

  it('refused: a container ID no process on the node belongs to (nothing read)', async () => {
    const err = await refusal(client().workloadSockets({ workload: 'default/ghost', containers: [{ id: `containerd://${'ab'.repeat(32)}`, name: 'ghost' }] }));
    expect(err.refusal).toBe('no-process');
    expect(err.message).toContain('No process on node node-a belongs to container ghost');
  });

  it('refused: a container in the host\'s network namespace (its sockets would be the node\'s)', async () => {
    const err = await refusal(client().workloadSockets({ workload: 'default/hostnet', containers: [{ id: `docker://${hostNetId}`, name: 'hostnet' }] }));
    expect(err.refusal).toBe('refused');
    expect(err.message).toContain("shares the host's network namespace");
    expect(err.message).toContain('nothing was read or sent');
  });

  it('refused: a short ID prefix (it could match another container\'s cgroup)', async () => {
    const err = await refusal(client().workloadSockets({ workload: 'default/shop', containers: [{ id: `docker://${shop.ids.web!.slice(0, 12)}`, name: 'web' }] }));
    expect(err.message).toContain('is not a full container ID');
  });

  it('refused by the default agent even for a real container ID: not opted in', async () => {
    const err = await refusal(new AgentClient(off.url, SECRET).workloadSockets({ workload: 'default/shop', containers: [{ id: `docker://${shop.ids.web}`, name: 'web' }] }));
    expect(err.refusal).toBe('workload-vantage-off');
    expect(err.message).toContain('the default deployment has CAP_NET_RAW only');
  });

  it('refused before anything is looked at: a request not signed with the agent\'s secret', async () => {
    const err = await new AgentClient(on.url, 'not-the-secret-at-all-0000').workloadSockets({ workload: 'default/shop', containers: [{ id: `docker://${shop.ids.web}`, name: 'web' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentUnavailableError);
    expect((err as AgentUnavailableError).info).toMatchObject({ reason: 'unauthorized', status: 401 });
  });
});
