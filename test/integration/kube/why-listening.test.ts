/**
 * The listening step of `why` for pods: what listens in the destination pod's own network namespace, read
 * by the agent on its node. The pods are real Docker containers (pause + app containers in its namespace,
 * test/support/kube-pods.ts) registered in the test API server with their real container IDs; the built
 * `netpeek agent` runs on this host as "node-a" with NETPEEK_AGENT_WORKLOAD_VANTAGE on and as "node-b"
 * with the default (off). Probes go from node-a's agent to the pod network this test made (its allow-list
 * is exactly that subnet).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { DockerFixtures, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';
import { endpointSlice, node, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../../support/kube-pods.js';
import { question } from './helpers.js';
import { startWorkloadAgents, type WorkloadAgents } from '../../support/workload-agents.js';

const SECRET = 'why-listening-test-secret-93fe';
const step = (a: Answer, id: string) => {
  const s = a.diagnosis!.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${JSON.stringify(a.diagnosis)}`);
  return s;
};

describeNeeding(DOCKER, 'why: the listening step read by the node\'s agent inside the pod', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let shop: RealPod;
  let other: RealPod;
  let agents: WorkloadAgents;
  let webPid = 0;
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await createPodNetwork(fx);
    shop = await startRealPod(fx, net.name, 'shop', [
      // The broken case: declared 8080, the server binds 127.0.0.1 only.
      { name: 'web', command: ['httpd', '-f', '-p', '127.0.0.1:8080'], ports: [{ name: 'http', containerPort: 8080 }] },
      // Healthy: 9090 on every address.
      { name: 'api', command: ['httpd', '-f', '-p', '9090'], ports: [{ name: 'api', containerPort: 9090 }] },
    ]);
    other = await startRealPod(fx, net.name, 'other', [{ name: 'app', command: ['httpd', '-f', '-p', '8081'], ports: [{ name: 'http', containerPort: 8081 }] }]);
    await Promise.all([untilListening(shop.containers.web!, 8080), untilListening(shop.containers.api!, 9090), untilListening(other.containers.app!, 8081)]);
    webPid = (await inspect<{ State: { Pid: number } }>(shop.containers.web!)).State.Pid;
    agents = await startWorkloadAgents(SECRET, [net.subnet]);
    const ready = (name: string, pod: RealPod, nodeName: string, port: { name: string; port: number }) =>
      endpointSlice(`${name}-x1`, { serviceName: name, ports: [port], endpoints: [{ ip: pod.ip, podName: pod.name, nodeName }] });
    api = await startKubeApiServer({
      objects: [
        node('node-a', { internalIP: net.gateway, podCIDR: net.subnet }),
        node('node-b', { internalIP: net.gateway, podCIDR: net.subnet }),
        podObject(shop, { nodeName: 'node-a', hostIP: net.gateway, labels: { app: 'shop' } }),
        podObject(other, { nodeName: 'node-b', hostIP: net.gateway, labels: { app: 'other' } }),
        // web:80 → targetPort http (8080), where the server binds loopback only.
        service('web', { selector: { app: 'shop' }, clusterIP: '10.96.0.90', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
        ready('web', shop, 'node-a', { name: 'http', port: 8080 }),
        // api:90 → targetPort api (9090), on every address.
        service('api', { selector: { app: 'shop' }, clusterIP: '10.96.0.91', ports: [{ name: 'api', port: 90, targetPort: 'api' }] }),
        ready('api', shop, 'node-a', { name: 'api', port: 9090 }),
        // On node-b, whose agent does not look inside workloads.
        service('other', { selector: { app: 'other' }, clusterIP: '10.96.0.92', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
        ready('other', other, 'node-b', { name: 'http', port: 8081 }),
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

  it('a server bound to 127.0.0.1: broken at listening, naming the pod, the container, its process and the port, with the fix to bind 0.0.0.0', async () => {
    const a = await question(deps, 'why svc/default/web --port 80');
    expect(a.diagnosis!.firstFailure).toBe('listening');
    expect(a.diagnosis!.steps.map((s) => [s.id, s.status])).toEqual([
      ['service', 'pass'],
      ['selector', 'pass'],
      ['target-port', 'pass'],
      ['endpoints', 'pass'],
      ['listening', 'fail'],
      ['policy', 'pass'],
      ['probe', 'fail'],
    ]);
    expect(step(a, 'listening')).toEqual({
      id: 'listening',
      status: 'fail',
      evidence: `pod default/shop listens on 127.0.0.1:8080 only (container web: httpd, pid ${webPid}): only processes inside its own network namespace can connect; other pods and the node are refused.`,
      fix: 'Make the server in container web of pod default/shop listen on 0.0.0.0:8080 (or ::) instead of 127.0.0.1.',
    });
    expect(a.summary).toBe(`Broken at listening: ${step(a, 'listening').evidence} ${step(a, 'listening').fix}`);
    // The probe agrees: the pod IP refuses 8080 from node-a.
    expect(step(a, 'probe').evidence).toBe(`TCP ${shop.ip}:8080 (pod default/shop) from node node-a: refused: the address is there but nothing accepts on that port.`);
  });

  it('healthy: the targetPort listens on every address in the pod — every applicable step passes', async () => {
    const a = await question(deps, 'why svc/default/api --port 90');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(a.diagnosis!.steps.every((s) => s.status === 'pass')).toBe(true);
    // The probe's accepted connection answers the listening step: the sockets are not read.
    expect(step(a, 'listening').evidence).toBe(
      `pod default/shop accepts TCP connections on ${shop.ip}:9090: the probe's connection from node node-a was accepted, so something there listens on an address other pods and the node can reach (its sockets are read when a connection fails, or with --no-probe).`,
    );
    expect(step(a, 'probe').evidence).toMatch(new RegExp(`^TCP ${shop.ip.replace(/\./g, '\\.')}:9090 \\(pod default/shop\\) from node node-a: connected`));
  });

  it('healthy without a probe (--no-probe): the sockets are read, naming the container and the process that listen', async () => {
    const a = await question(deps, 'why svc/default/api --port 90 --no-probe');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'listening').evidence).toMatch(/^pod default\/shop listens on (0\.0\.0\.0|::):9090 \(every address\) \(container api: httpd, pid \d+\)\.$/);
  });

  it('to the pod itself: an accepted connection answers listening; a refused one has the sockets read to say why', async () => {
    const ok = await question(deps, 'why pod/default/shop --port 9090');
    expect(step(ok, 'listening').evidence).toMatch(new RegExp(`^pod default/shop accepts TCP connections on ${shop.ip.replace(/\./g, '\\.')}:9090: the probe's connection from node node-a was accepted`));
    const refused = await question(deps, 'why pod/default/shop --port 8080');
    expect(refused.diagnosis!.firstFailure).toBe('listening');
    expect(step(refused, 'listening').evidence).toBe(`pod default/shop listens on 127.0.0.1:8080 only (container web: httpd, pid ${webPid}): only processes inside its own network namespace can connect; other pods and the node are refused.`);
  });

  it('to a pod on a port nothing listens on: broken at listening, naming the ports that do listen', async () => {
    const a = await question(deps, 'why pod/default/shop --port 5000 --no-probe');
    expect(a.diagnosis!.firstFailure).toBe('listening');
    expect(step(a, 'listening')).toEqual({
      id: 'listening',
      status: 'fail',
      evidence: "Nothing listens on TCP 5000 in pod default/shop's network namespace: connections are refused. It listens on TCP 9090.",
      fix: 'Connect to a port pod default/shop listens on (9090), or start the server on 5000.',
    });
  });

  it('an agent without the workload vantage: listening is skipped with the reason, never passed', async () => {
    const a = await question(deps, 'why svc/default/other --port 80 --no-probe');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'listening').status).toBe('skip');
    expect(step(a, 'listening').evidence).toMatch(/^Not checked: what listens inside pod default\/other was not read: the agent on node node-b does not look inside workloads: NETPEEK_AGENT_WORKLOAD_VANTAGE is off/);
  });

  it('no agent at all: skipped, saying no agent can be asked', async () => {
    const bare = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath }), createLogger('silent'));
    try {
      const a = await question(bare, 'why svc/default/web --port 80 --no-probe');
      expect(step(a, 'listening')).toEqual({ id: 'listening', status: 'skip', evidence: 'Not checked: what listens inside pod default/shop was not read: NETPEEK_AGENT_SECRET is not set, so no agent can be asked.' });
      expect(a.diagnosis!.firstFailure).toBeNull();
    } finally {
      await bare.kube?.stop();
    }
  });
});
