/**
 * `dns <name> --from pod/…`: resolved inside a pod by the agent on its node (POST /v1/workload/dns), through
 * a resolver this test runs. The pod is made of real Docker containers (test/support/kube-pods.ts); its
 * resolv.conf is rewritten the way the kubelet writes one (cluster DNS nameserver, the namespace's search
 * list, ndots:5), with the nameserver being test/support/dns-server.ts on the pod network's gateway — an
 * address of this host inside the agent's allow-list. The server records who asked: the pod's own IP,
 * which proves the queries left from inside its namespace. The Service addresses in the API are fixture
 * addresses only ever compared with DNS answers, never probed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER } from '../../support/backends.js';
import { netpeek } from '../../support/cli.js';
import { DockerFixtures, ensureBusyboxImages } from '../../support/docker-fixtures.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';
import { endpointSlice, node, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, kubeletSearch, podObject, startRealPod, writeKubeletResolvConf, type RealPod } from '../../support/kube-pods.js';
import { startWorkloadAgents, type WorkloadAgents } from '../../support/workload-agents.js';
import { failure, fact, question } from './helpers.js';

const SECRET = 'pod-dns-test-secret-93fe';
const SEARCH = kubeletSearch('shop');

describeNeeding(DOCKER, 'dns --from a pod: its resolv.conf, search list and ndots, queries from inside it via its node\'s agent', () => {
  const fx = new DockerFixtures();
  let api: KubeApiServer;
  let net: { name: string; subnet: string; gateway: string };
  let client: RealPod;
  let far: RealPod;
  let dnsd: TestDnsServer;
  let agents: WorkloadAgents;
  let env: Record<string, string>;
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await createPodNetwork(fx);
    [client, far] = await Promise.all([
      startRealPod(fx, net.name, 'client', [{ name: 'app', command: ['sleep', '600'] }]),
      startRealPod(fx, net.name, 'far', [{ name: 'app', command: ['sleep', '600'] }]),
    ]);
    dnsd = await startDnsServer({
      host: net.gateway,
      records: {
        'web.shop.svc.cluster.local.': ['10.96.0.20'],
        // Not the Service's ClusterIP (10.96.0.21): a stale answer.
        'stale.shop.svc.cluster.local.': ['10.96.0.99'],
        'db.shop.svc.cluster.local.': ['10.1.0.31'],
        'api.example.test.': ['192.0.2.10'],
      },
      drop: ['slow.example.test.'],
    });
    // What the kubelet writes for a ClusterFirst pod in namespace shop, with our resolver as cluster DNS.
    await writeKubeletResolvConf(client.containers.app!, net.gateway, 'shop');
    agents = await startWorkloadAgents(SECRET, [net.subnet]);
    api = await startKubeApiServer({
      namespaces: ['default', 'shop'],
      objects: [
        node('node-a', { internalIP: net.gateway, podCIDR: net.subnet }),
        node('node-b', { internalIP: net.gateway, podCIDR: net.subnet }),
        podObject(client, { nodeName: 'node-a', hostIP: net.gateway, namespace: 'shop' }),
        podObject(far, { nodeName: 'node-b', hostIP: net.gateway, namespace: 'shop' }),
        service('web', { namespace: 'shop', clusterIP: '10.96.0.20' }),
        service('stale', { namespace: 'shop', clusterIP: '10.96.0.21' }),
        service('db', { namespace: 'shop', clusterIP: 'None' }),
        endpointSlice('db-x1', { namespace: 'shop', endpoints: [{ ip: '10.1.0.31', podName: 'db-0' }, { ip: '10.1.0.32', podName: 'db-1', ready: false }] }),
      ],
    });
    env = { KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: agents.agents };
    deps = buildDeps(loadConfig(env), createLogger('silent'));
  }, 180_000);

  afterAll(async () => {
    agents?.stop();
    await dnsd?.close();
    await deps?.kube?.stop();
    await api?.stop();
    await fx.cleanup();
  }, 60_000);

  const rowsOf = (a: Awaited<ReturnType<typeof question>>) => a.tables[0]!.rows.map((r) => [r[1], r[2], r[3]]);

  it('a Service name through the search list: the pod\'s resolv.conf, asked from the pod\'s own IP, the answer matches the ClusterIP', async () => {
    const before = dnsd.queries.length;
    const a = await question(deps, 'dns web --from pod/shop/client');
    expect(fact(a, 'Asked from')).toBe('inside shop/client (node node-a)');
    expect(fact(a, 'Nameservers')).toBe(net.gateway);
    expect(fact(a, 'Search')).toBe(SEARCH);
    expect(fact(a, 'ndots')).toBe('5');
    expect(fact(a, 'resolv.conf')).toMatch(/^\/proc\/\d+\/root\/etc\/resolv\.conf$/);
    expect(rowsOf(a)[0]).toEqual(['web.shop.svc.cluster.local.', 'search shop.svc.cluster.local', '10.96.0.20']);
    expect(rowsOf(a).slice(1).every((r) => r[2] === 'not tried: the resolver stops at the first answer')).toBe(true);
    expect(a.summary).toMatch(/^web resolves to 10\.96\.0\.20 from inside shop\/client \(node node-a\) \(as web\.shop\.svc\.cluster\.local\., [\d.]+ ms\)\.$/);
    expect(fact(a, 'Service')).toBe('shop/web: the answer matches the API (API: 10.96.0.20)');
    expect(a.explanations).toContain('web.shop.svc.cluster.local. answers 10.96.0.20: the ClusterIP of Service shop/web (10.96.0.20), as in the API; connections to it are spread over its endpoints by kube-proxy.');
    // The query left from inside the pod's namespace: its source is the pod IP, not the host's gateway address.
    expect(dnsd.queries.slice(before)).toEqual([{ name: 'web.shop.svc.cluster.local.', type: 1, from: client.ip }]);
  });

  it('every candidate in order with NXDOMAIN and time, then the answer; a stale answer DIFFERS from the ClusterIP', async () => {
    const a = await question(deps, 'dns stale.shop.svc.cluster.local --from shop/client');
    expect(rowsOf(a)).toEqual([
      ['stale.shop.svc.cluster.local.shop.svc.cluster.local.', 'search shop.svc.cluster.local', 'NXDOMAIN (no such name)'],
      ['stale.shop.svc.cluster.local.svc.cluster.local.', 'search svc.cluster.local', 'NXDOMAIN (no such name)'],
      ['stale.shop.svc.cluster.local.cluster.local.', 'search cluster.local', 'NXDOMAIN (no such name)'],
      ['stale.shop.svc.cluster.local.', 'as-is', '10.96.0.99'],
    ]);
    expect(a.tables[0]!.rows.every((r) => /^[\d.]+$/.test(r[4]!))).toBe(true);
    expect(fact(a, 'Service')).toBe('shop/stale: the answer DIFFERS from the API (API: 10.96.0.21)');
    expect(a.warnings.join('\n')).toContain('stale.shop.svc.cluster.local. answers 10.96.0.99, but the API has the ClusterIP of Service shop/stale (10.96.0.21)');
    expect(a.explanations.join('\n')).toContain('fewer than ndots:5, so the resolver first tries 3 search domains');
  });

  it('a headless Service: the answer is checked against its ready endpoints', async () => {
    const a = await question(deps, 'dns db --from shop/client');
    expect(fact(a, 'Service')).toBe('shop/db: the answer matches the API (API: 10.1.0.31)');
    expect(a.explanations.join('\n')).toContain('the ready endpoints of headless Service shop/db (10.1.0.31), as cluster DNS publishes a headless Service');
  });

  it('an external name: ndots:5 costs three NXDOMAINs first; a name the resolver never answers is a timeout', async () => {
    const ext = await question(deps, 'dns api.example.test --from shop/client');
    expect(rowsOf(ext).map((r) => r[2])).toEqual(['NXDOMAIN (no such name)', 'NXDOMAIN (no such name)', 'NXDOMAIN (no such name)', '192.0.2.10']);
    expect(ext.explanations.join('\n')).toContain('write it with a trailing dot (api.example.test.)');
    expect(fact(ext, 'Service')).toBeUndefined();
    const slow = await question(deps, 'dns slow.example.test --from shop/client');
    expect(rowsOf(slow).map((r) => r[2])).toEqual(['NXDOMAIN (no such name)', 'NXDOMAIN (no such name)', 'NXDOMAIN (no such name)', 'timeout']);
    expect(slow.summary).toMatch(/^slow\.example\.test does not resolve from inside shop\/client \(node node-a\): .*slow\.example\.test\. timeout\.$/);
  });

  it('an agent without workload vantage: refused, said plainly, nothing queried (exit 1 through the binary)', async () => {
    const before = dnsd.queries.length;
    const err = await failure(deps, 'dns web --from shop/far');
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toContain('Not resolved from inside shop/far: the agent on node node-b does not look inside workloads: NETPEEK_AGENT_WORKLOAD_VANTAGE is off');
    expect(dnsd.queries.length).toBe(before);
    const cli = await netpeek(['dns', 'web', '--from', 'shop/far'], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr + cli.stdout).toContain('does not look inside workloads');
    const ok = await netpeek(['dns', 'web', '--from', 'shop/client', '--json'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { facts: { label: string; value: string }[] }).facts).toContainEqual({ label: 'Service', value: 'shop/web: the answer matches the API (API: 10.96.0.20)' });
  });

  // why's resolve step asks the same way: from inside the client pod, through its node's agent.
  const resolveOf = (a: Awaited<ReturnType<typeof question>>) => a.diagnosis!.steps.find((s) => s.id === 'resolve')!;

  it('why from the pod to a Service DNS name: resolve is the live lookup from inside it, checked against the ClusterIP', async () => {
    const before = dnsd.queries.length;
    const a = await question(deps, 'why pod/shop/client web.shop.svc.cluster.local');
    expect(resolveOf(a)).toEqual({
      id: 'resolve',
      status: 'pass',
      evidence: expect.stringMatching(/^From inside pod shop\/client \(node node-a\): web\.shop\.svc\.cluster\.local\. answers 10\.96\.0\.20: the ClusterIP of Service shop\/web \(10\.96\.0\.20\), as in the API; .* \([\d.]+ ms\)\.$/),
    });
    expect(dnsd.queries.slice(before).some((q) => q.name === 'web.shop.svc.cluster.local.' && q.from === client.ip)).toBe(true);
  });

  it('why to a name whose answer is not the Service\'s address: broken at resolve, naming both addresses', async () => {
    const a = await question(deps, 'why pod/shop/client stale.shop.svc.cluster.local');
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(resolveOf(a).evidence).toContain('From inside pod shop/client (node node-a): stale.shop.svc.cluster.local. answers 10.96.0.99, but the API has the ClusterIP of Service shop/stale (10.96.0.21)');
    expect(resolveOf(a).fix).toBe("Find what answers instead (a hosts entry, a stub domain, a stale DNS cache) and remove it; the Service's address is 10.96.0.21.");
  });

  it('why from a pod whose agent has no workload vantage, or with --no-probe: nothing is asked, the API\'s reading stands and says why', async () => {
    const before = dnsd.queries.length;
    const far = await question(deps, 'why pod/shop/far web.shop.svc.cluster.local');
    expect(resolveOf(far).status).toBe('pass');
    expect(resolveOf(far).evidence).toMatch(/read from the API, not a live DNS query\. Not looked up from inside pod shop\/far: the agent on node node-b does not look inside workloads: NETPEEK_AGENT_WORKLOAD_VANTAGE is off/);
    const quiet = await question(deps, 'why pod/shop/client web.shop.svc.cluster.local --no-probe');
    expect(resolveOf(quiet).evidence).toContain('Not looked up from inside pod shop/client: --no-probe, no DNS query was sent.');
    expect(dnsd.queries.length).toBe(before);
  });
});
