/**
 * `ping --from pod/…` and `reach <pod> <b>` probing from inside a pod's own network namespace, through
 * the agent on the pod's node: pods made of real Docker containers (pause + app containers,
 * test/support/kube-pods.ts) on three Docker networks standing for three nodes' pod networks, registered
 * in the test API server with their real container IDs. The built `netpeek agent` runs on this host as
 * "node-a" with NETPEEK_AGENT_WORKLOAD_VANTAGE on and as "node-b" without it; both allow exactly the
 * pod networks of node-a and node-b. Docker isolates its bridge networks from each other, so the host
 * (the "node") reaches node-b's pods while a pod on node-a's network does not: the disagreement case.
 * node-c's pod network is outside the allow-list: a probe to it from inside a pod is refused, never sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { netpeek } from '../../support/cli.js';
import { DockerFixtures, ensureBusyboxImages, untilListening } from '../../support/docker-fixtures.js';
import { node } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../../support/kube-pods.js';
import { startWorkloadAgents, type WorkloadAgents } from '../../support/workload-agents.js';
import { fact, question } from './helpers.js';

const SECRET = 'pod-vantage-test-secret-7c2d';

describeNeeding(DOCKER, 'probing from inside a pod\'s network namespace through its node\'s agent', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let netA: { name: string; subnet: string; gateway: string };
  let netB: typeof netA;
  let netC: typeof netA;
  let web: RealPod;
  let peer: RealPod;
  let db: RealPod;
  let outside: RealPod;
  let agents: WorkloadAgents;
  let env: Record<string, string>;
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    await ensureBusyboxImages();
    [netA, netB, netC] = await Promise.all([createPodNetwork(fx), createPodNetwork(fx), createPodNetwork(fx)]);
    [web, peer, db, outside] = await Promise.all([
      startRealPod(fx, netA.name, 'web', [{ name: 'web', command: ['httpd', '-f', '-p', '8080'], ports: [{ containerPort: 8080 }] }]),
      startRealPod(fx, netA.name, 'peer', [{ name: 'app', command: ['httpd', '-f', '-p', '80'], ports: [{ containerPort: 80 }] }]),
      startRealPod(fx, netB.name, 'db', [{ name: 'db', command: ['httpd', '-f', '-p', '5432'], ports: [{ containerPort: 5432 }] }]),
      startRealPod(fx, netC.name, 'outside', [{ name: 'app', command: ['httpd', '-f', '-p', '80'], ports: [{ containerPort: 80 }] }]),
    ]);
    await Promise.all([untilListening(peer.containers.app!, 80), untilListening(db.containers.db!, 5432), untilListening(web.containers.web!, 8080)]);
    // Exactly the test's own pod networks of node-a and node-b; node-c's is left out on purpose.
    agents = await startWorkloadAgents(SECRET, [netA.subnet, netB.subnet]);
    api = await startKubeApiServer({
      namespaces: ['default', 'shop', 'data'],
      objects: [
        node('node-a', { internalIP: netA.gateway, podCIDR: netA.subnet }),
        node('node-b', { internalIP: netB.gateway, podCIDR: netB.subnet }),
        node('node-c', { internalIP: netC.gateway, podCIDR: netC.subnet }),
        podObject(web, { nodeName: 'node-a', hostIP: netA.gateway, namespace: 'shop' }),
        podObject(peer, { nodeName: 'node-a', hostIP: netA.gateway, namespace: 'shop' }),
        podObject(db, { nodeName: 'node-b', hostIP: netB.gateway, namespace: 'data' }),
        podObject(outside, { nodeName: 'node-c', hostIP: netC.gateway }),
      ],
    });
    env = { KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: agents.agents };
    deps = buildDeps(loadConfig(env), createLogger('silent'));
  }, 180_000);

  afterAll(async () => {
    agents?.stop();
    await deps?.kube?.stop();
    await api?.stop();
    await fx.cleanup();
  }, 60_000);

  it('ping <pod> --from pod/<ns>/<name>: from inside the pod, its neighbour on the same pod network answers', async () => {
    const a = await question(deps, 'ping pod/peer -n shop --port 80 --count 1 --from pod/shop/web');
    expect(fact(a, 'Probed from')).toBe('inside shop/web');
    expect(a.summary).toBe(`shop/peer (${peer.ip}) answers ping from inside shop/web; open: 80.`);
    expect(a.probes).toEqual([
      expect.objectContaining({ kind: 'icmp', target: peer.ip, ok: true, from: 'inside shop/web' }),
      expect.objectContaining({ kind: 'tcp', target: peer.ip, port: 80, ok: true, from: 'inside shop/web' }),
    ]);
    expect(a.explanations).toContain("Probed from inside shop/web's own network namespace: the packets shop/web itself would send, through its interfaces, routes and DNS.");
    expect(a.warnings).toEqual([]);
  });

  it('ping --from NS/NAME across pod networks: the node reaches db, the pod does not (Docker isolates the bridges)', async () => {
    const inside = await question(deps, 'ping data/db --port 5432 --count 1 --from shop/web');
    expect(fact(inside, 'Probed from')).toBe('inside shop/web');
    expect(inside.summary).toMatch(new RegExp(`^data/db \\(${db.ip.replace(/\./g, '\\.')}\\) does not answer ping from inside shop/web; no port open; not open: 5432 \\((timeout|unreachable)\\)\\.$`));
    const fromNode = await question(deps, 'ping data/db --port 5432 --count 1');
    expect(fact(fromNode, 'Probed from')).toBe('node node-b');
    expect(fromNode.summary).toBe(`data/db (${db.ip}) answers ping from node node-b; open: 5432.`);
  });

  it('reach <pod> <pod>: both vantages probed, they disagree, and the answer says why', async () => {
    const a = await question(deps, 'reach shop/web data/db --port 5432');
    expect(fact(a, 'Probed from')).toBe('inside shop/web and node node-a');
    const fromNode = a.probes!.find((p) => p.from === 'node node-a' && p.port === 5432);
    const fromInside = a.probes!.find((p) => p.from === 'inside shop/web' && p.port === 5432);
    expect(fromNode).toMatchObject({ target: db.ip, ok: true });
    expect(fromInside).toMatchObject({ target: db.ip, ok: false });
    const why = a.warnings.find((w) => w.startsWith('From node node-a'));
    expect(why).toMatch(new RegExp(`^From node node-a ${db.ip.replace(/\./g, '\\.')} answers on port 5432; from inside shop/web it does not \\((timeout|unreachable)\\): no NetworkPolicy drops it \\(they allow this connection\\), so something under them treats shop/web's packets differently from the node's`));
    // The policies allow it, and the live probe from inside the pod contradicts that: said too.
    expect(a.policy).toMatchObject({ evaluated: true, port: { verdict: 'allowed' } });
    expect(a.warnings).toContain('The policies allow this connection, but the probe from inside shop/web did not connect: nothing may listen there, something other than NetworkPolicy (a CNI policy, an AdminNetworkPolicy, a host firewall) may drop it, or the path from inside shop/web is not the pod\'s path.');
  });

  it('an agent without workload vantage: probed from the node instead, said plainly (ping and reach)', async () => {
    const a = await question(deps, 'ping pod/peer -n shop --port 80 --count 1 --from data/db');
    expect(fact(a, 'Probed from')).toBe('node node-b');
    expect(a.summary).toBe(`shop/peer (${peer.ip}) answers ping from node node-b; open: 80.`);
    expect(a.warnings[0]).toBe(
      "Probed from node node-b instead: its agent has no workload vantage (NETPEEK_AGENT_WORKLOAD_VANTAGE is off there; the workload-vantage kustomize component turns it on), so no packet left from inside data/db. Node node-b may reach what data/db cannot: NetworkPolicies filter the pod's traffic, not the node's own.",
    );
    const r = await question(deps, 'reach data/db shop/peer --port 80');
    expect(fact(r, 'Probed from')).toBe('node node-b');
    expect(r.hints.join('\n')).toContain('Probed from node node-b instead: its agent has no workload vantage');
    expect(r.probes!.every((p) => p.from === 'node node-b')).toBe(true);
  });

  it('a target outside the agent\'s allow-list is refused from inside the pod too: nothing is sent', async () => {
    const a = await question(deps, 'ping default/outside --port 80 --count 1 --from shop/web');
    expect(a.probes!.map((p) => [p.kind, p.target, p.ok, p.error])).toEqual([
      ['icmp', outside.ip, false, 'denied'],
      ['tcp', outside.ip, false, 'denied'],
    ]);
    expect(a.summary).toBe(`default/outside (${outside.ip}) was not probed from inside shop/web: the allow-list does not cover it, so nothing was sent.`);
    expect(a.explanations.join('\n')).toContain(`${outside.ip} was not probed`);
    expect(a.explanations.join('\n')).toContain('not in the allow-list');
  });

  it('through the binary: exit 0 with the inside vantage in JSON; an address after --from is bad input (exit 1)', async () => {
    const ok = await netpeek(['ping', 'pod/peer', '-n', 'shop', '--port', '80', '--count', '1', '--from', 'shop/web', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    const json = JSON.parse(ok.stdout) as { facts: { label: string; value: string }[]; probes: { from: string; ok: boolean }[] };
    expect(json.facts).toContainEqual({ label: 'Probed from', value: 'inside shop/web' });
    expect(json.probes.every((p) => p.from === 'inside shop/web' && p.ok)).toBe(true);
    const bad = await netpeek(['ping', 'pod/peer', '-n', 'shop', '--from', peer.ip], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toContain('--from takes a container or a pod, not an address');
  });
});
