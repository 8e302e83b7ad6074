/**
 * `reach … --no-probe` through the test API server (real list+watch caches, no Docker engine, no agent):
 * the NetworkPolicy verdict in the Answer's `policy` object, the deciding rule or the nearest miss, every
 * spelling of the ends, and what is not evaluated. Fixture IPs are never probed: every question here
 * has --no-probe, and these Deps have no prober at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { toBlocks } from '../../../src/render/blocks.js';
import { toText } from '../../../src/render/text.js';
import { namespace, networkPolicy, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, fact, kubeDeps, question, until } from './helpers.js';
import { kubectlAvailable, runKubectl } from '../../support/kube-apiserver/kubectl.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

const dbContainers = [{ name: 'postgres', ports: [{ name: 'pg', containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }, { name: 'dns', containerPort: 53, protocol: 'UDP' as const }] }];

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop', { team: 'shop' }),
      namespace('web', { team: 'web' }),
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.0.2.22', podCIDR: '10.244.2.0/24' }),
      pod('db-0', { namespace: 'shop', ip: '10.244.1.10', nodeName: 'node-1', labels: { app: 'db' }, containers: dbContainers }),
      pod('cache-0', { namespace: 'shop', ip: '10.244.1.11', nodeName: 'node-1', labels: { app: 'cache' } }),
      pod('web-1', { namespace: 'web', ip: '10.244.2.5', nodeName: 'node-2', labels: { app: 'web' } }),
      pod('webapp-1', { namespace: 'web', ip: '10.244.2.6', nodeName: 'node-2', labels: { app: 'webapp' } }),
      pod('node-exporter-x', { namespace: 'web', hostNetwork: true, hostIP: '192.0.2.22', nodeName: 'node-2', labels: { app: 'node-exporter' } }),
      service('db', { namespace: 'shop', clusterIP: '10.96.0.50', ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] }),
      networkPolicy('default-deny', { policyTypes: ['Ingress'] }, 'shop'),
      networkPolicy('allow-frontend', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'pg' }, { port: 8080, endPort: 8090 }] },
          { from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }], ports: [{ port: 5432 }, { protocol: 'UDP', port: 53 }] },
        ],
      }, 'shop'),
      networkPolicy('web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 5432 }, { port: 8081, endPort: 8100 }, { protocol: 'UDP', port: 53 }] }] }, 'web'),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
  // Changes made by the tests arrive through the watch: wait until it runs.
  await until(() => api.activeWatches().some((w) => w.resource === 'networkpolicies'), 5000, 'the networkpolicies watch');
});

afterAll(async () => {
  await deps.kube.stop();
  await api.stop();
});

const reach = (args: string) => question(deps, `reach ${args} --no-probe`);

describe('reach --no-probe: the verdict of the NetworkPolicies', () => {
  it('allowed: names the policy and the rule that admits it, in exactly the issue\'s JSON shape', async () => {
    const a = await reach('web/web-1 shop/db-0 --port 5432');
    expect(a.policy).toEqual({
      evaluated: true,
      allowed: [{ protocol: 'TCP', port: 5432, endPort: 5432 }, { protocol: 'TCP', port: 8081, endPort: 8090 }],
      egress: { isolated: true, policies: ['web/web-egress'], admittedBy: ['web/web-egress'] },
      ingress: { isolated: true, policies: ['shop/allow-frontend', 'shop/default-deny'], admittedBy: ['shop/allow-frontend'] },
      port: {
        protocol: 'TCP', port: 5432, verdict: 'allowed',
        because: 'allowed by web/web-egress, egress rule 1: every pod in every namespace, TCP 5432, TCP 8081-8100, UDP 53; allowed by shop/allow-frontend, ingress rule 1: pods app=web in namespaces team=web, TCP port named pg (5432 on db-0), TCP 8080-8090.',
      },
    });
    expect(Object.keys(a.policy!)).toEqual(['evaluated', 'allowed', 'egress', 'ingress', 'port']);
    expect(a.summary).toMatch(/^Allowed: web\/web-1 → shop\/db-0 on TCP 5432\. Allowed by web\/web-egress, egress rule 1/);
    expect(fact(a, 'From')).toBe('web/web-1 10.244.2.5 on node-2 (app=web)');
    expect(a.probes).toEqual([]);
  });

  it('denied by labels: the isolating policies and the nearest miss, with the label the pod has', async () => {
    const a = await reach('pod/web/webapp-1 pod/shop/db-0 --port 5432');
    expect(a.policy?.port?.verdict).toBe('denied');
    expect(a.policy?.allowed).toBe('none');
    expect(a.policy?.ingress).toEqual({ isolated: true, policies: ['shop/allow-frontend', 'shop/default-deny'], admittedBy: [] });
    expect(a.summary).toBe(
      'Denied: web/webapp-1 → shop/db-0 on TCP 5432. db-0 is isolated for ingress by shop/allow-frontend and shop/default-deny, and none of their rules admits webapp-1 on TCP 5432 ' +
        '(nearest miss: shop/allow-frontend ingress rule 1 admits pods app=web in namespaces team=web, TCP port named pg (5432 on db-0), TCP 8080-8090; webapp-1 has app=webapp (wanted app=web)).',
    );
  });

  it('denied on the egress side: the source\'s policy admits other ports only', async () => {
    const a = await reach('web/web-1 shop/db-0 --port 8080');
    expect(a.policy?.port).toMatchObject({ verdict: 'denied' });
    expect(a.policy?.port?.because).toContain('web-1 is isolated for egress by web/web-egress, and none of its rules admits db-0 on TCP 8080');
    expect(a.policy?.ingress?.admittedBy).toEqual(['shop/allow-frontend']);
  });

  it('without --port: every allowed connection, ranges merged and sorted by protocol then port', async () => {
    const a = await reach('web/web-1 shop/db-0');
    // egress admits TCP 5432, 8081-8100, UDP 53; ingress (rule 1) admits pg=5432 and 8080-8090: the intersection.
    expect(a.policy?.allowed).toEqual([{ protocol: 'TCP', port: 5432, endPort: 5432 }, { protocol: 'TCP', port: 8081, endPort: 8090 }]);
    expect(a.policy).not.toHaveProperty('port');
    expect(a.summary).toBe('Allowed on TCP 5432, 8081-8090 only: that is every connection NetworkPolicies let web/web-1 open to shop/db-0.');
  });

  it('a pod no policy isolates in either direction: "all"', async () => {
    const a = await reach('shop/db-0 web/webapp-1');
    expect(a.policy).toMatchObject({ evaluated: true, allowed: 'all', egress: { isolated: false, policies: [] }, ingress: { isolated: false, policies: [] } });
  });

  it('--port N/udp evaluates UDP', async () => {
    const a = await reach('web/web-1 shop/db-0 --port 53/udp');
    expect(a.policy?.port).toMatchObject({ protocol: 'UDP', port: 53, verdict: 'denied' });
    const ext = await reach('203.0.113.77 shop/db-0 --port 53/UDP');
    expect(ext.policy?.port).toMatchObject({ protocol: 'UDP', port: 53, verdict: 'allowed' });
  });

  it('pod/<name> with -n, and a bare name, are pods', async () => {
    const a = await reach('pod/cache-0 pod/db-0 -n shop --port 5432');
    expect(a.title).toBe('reach shop/cache-0 → shop/db-0 TCP 5432');
    expect(a.policy?.port?.verdict).toBe('denied');
    const b = await reach('web-1 db-0 --port 5432');
    expect(b.title).toBe('reach web/web-1 → shop/db-0 TCP 5432');
  });

  it('an address of a pod is that pod', async () => {
    const a = await reach('10.244.2.5 shop/db-0 --port 5432');
    expect(a.title).toBe('reach web/web-1 → shop/db-0 TCP 5432');
    expect(a.policy?.port?.verdict).toBe('allowed');
  });

  it('an address outside every pod is external: only the pod side\'s policies apply, ipBlock and except decide', async () => {
    const inside = await reach('203.0.113.77 shop/db-0 --port 5432');
    expect(inside.policy).toMatchObject({ evaluated: true, egress: { isolated: false, policies: [], admittedBy: [] }, port: { verdict: 'allowed' } });
    expect(inside.policy?.port?.because).toContain('allowed by shop/allow-frontend, ingress rule 2: 203.0.113.0/24 except 203.0.113.0/28');
    expect(fact(inside, 'From')).toBe('203.0.113.77 (outside the cluster)');
    const excepted = await reach('203.0.113.9 shop/db-0 --port 5432');
    expect(excepted.policy?.port?.verdict).toBe('denied');
    expect(excepted.policy?.port?.because).toContain("203.0.113.9's address 203.0.113.9 is in the exception 203.0.113.0/28");
    const egress = await reach('web/web-1 198.51.100.7 --port 443');
    expect(egress.policy).toMatchObject({ ingress: { isolated: false }, egress: { isolated: true, admittedBy: [] }, port: { verdict: 'denied' } });
  });

  it('not evaluated, with the reason: a hostNetwork pod, a node address, a pod-network address without pod, a ClusterIP', async () => {
    const cases: [string, string][] = [
      ['web/node-exporter-x shop/db-0', 'node-exporter-x uses the node\'s network (hostNetwork: true)'],
      ['192.0.2.21 shop/db-0', '192.0.2.21 is node node-1\'s address'],
      ['web/web-1 10.244.1.99', '10.244.1.99 is inside the pod network but belongs to no pod'],
      ['web/web-1 10.96.0.50', '10.96.0.50 is the ClusterIP of Service shop/db'],
    ];
    for (const [ends, reason] of cases) {
      const a = await reach(`${ends} --port 5432`);
      expect(a.policy, ends).toEqual({ evaluated: false, reason: expect.stringContaining(reason) });
      expect(a.summary, ends).toMatch(/^Not evaluated: /);
    }
  });

  it('the text and Block Kit answers lead with the verdict', async () => {
    const a: Answer = await reach('pod/web/webapp-1 pod/shop/db-0 --port 5432');
    const lines = toText(a).split('\n');
    expect(lines[0]).toBe('reach web/webapp-1 → shop/db-0 TCP 5432');
    expect(lines[1]).toMatch(/^Denied: web\/webapp-1 → shop\/db-0 on TCP 5432\. db-0 is isolated for ingress by shop\/allow-frontend and shop\/default-deny/);
    expect(toText(a)).toContain('nearest miss: shop/allow-frontend ingress rule 1');
    const blocks = toBlocks(a).blocks;
    expect(blocks[1]).toMatchObject({ type: 'section', text: { text: expect.stringMatching(/^Denied: web\/webapp-1 → shop\/db-0 on TCP 5432\./) } });
    expect(toBlocks(a).text).toContain('Denied:');
  });

  it('follows the watch: a new policy changes the verdict without a relist', async () => {
    expect((await reach('web/webapp-1 shop/db-0 --port 8080')).policy?.port?.verdict).toBe('denied');
    api.add(networkPolicy('allow-webapp', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } } }], ports: [{ port: 8080 }] }] }, 'shop'));
    await until(async () => (await reach('web/webapp-1 shop/db-0 --port 8080')).policy?.port?.verdict === 'allowed', 5000, 'the new policy');
    const a = await reach('web/webapp-1 shop/db-0 --port 8080');
    expect(a.policy?.port?.because).toContain('allowed by shop/allow-webapp, ingress rule 1: every pod in namespaces team=web, TCP 8080');
    api.remove({ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-webapp' });
    await until(async () => (await reach('web/webapp-1 shop/db-0 --port 8080')).policy?.port?.verdict === 'denied', 5000, 'the deletion');
  });

  it('a selecting policy with a field netpeek does not know: not evaluated, naming the field', async () => {
    api.add(networkPolicy('future', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{ from: [{ serviceAccountSelector: { matchLabels: { sa: 'web' } } } as never] }] }, 'shop'));
    await until(async () => (await reach('web/web-1 shop/cache-0')).policy?.evaluated === false, 5000, 'the unreadable policy');
    const a = await reach('web/web-1 shop/cache-0 --port 80');
    expect(a.policy).toEqual({
      evaluated: false,
      reason: 'shop/future has a part netpeek cannot read (spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know), so it does not guess what the policy allows.',
    });
    expect(a.summary).toMatch(/^Not evaluated: shop\/future has a part netpeek cannot read/);
    // db-0 is not selected by it: still evaluated.
    expect((await reach('web/web-1 shop/db-0 --port 5432')).policy?.evaluated).toBe(true);
    api.remove({ kind: 'NetworkPolicy', namespace: 'shop', name: 'future' });
  });
});

describe('reach --no-probe: bad input gets a sentence, never a crash', () => {
  it.each([
    ['an unknown namespace', 'reach shpo/db-0 web/web-1 --no-probe', /There is no namespace "shpo" in context netpeek-test\. Did you mean "shop"\?/],
    ['an unknown pod', 'reach shop/db-9 web/web-1 --no-probe', /There is no pod "db-9" in namespace shop/],
    ['a malformed port', 'reach shop/db-0 web/web-1 --port 80/icmp --no-probe', /--port takes a number, optionally followed by \/tcp, \/udp or \/sctp; got "80\/icmp"/],
    ['a port out of range', 'reach shop/db-0 web/web-1 --port 70000 --no-probe', /--port must be from 1 to 65535; got 70000/],
    ['a name Kubernetes cannot have', 'reach Shop/db-0 web/web-1 --no-probe', /"Shop" cannot be a Kubernetes namespace name: Kubernetes names are lower-case/],
    ['too many slashes', 'reach pod/a/b/c web/web-1 --no-probe', /"pod\/a\/b\/c" is not a pod, address or container reference/],
    ['a container with --no-probe', 'reach container/web-1 shop/db-0 --no-probe', /container\/web-1 is a Docker container; NetworkPolicies apply to pods/],
  ])('%s', async (_what, text, message) => {
    const err = (await failure(deps, text)) as Error & { code?: string };
    expect(err.message).toMatch(message);
    expect(err.code).not.toBe('internal');
  });

  it('a protocol after --port is refused by commands that probe TCP only', async () => {
    const err = (await failure(deps, 'ping shop/db-0 --port 53/udp')) as Error;
    expect(err.message).toBe('ping takes --port as a number only (it probes TCP); "/udp" after the port is for commands that evaluate other protocols, such as reach.');
  });
});

describe('reach --no-probe where other policy APIs exist', () => {
  let other: KubeApiServer;
  let otherDeps: ReturnType<typeof kubeDeps>;
  beforeAll(async () => {
    other = await startKubeApiServer({
      extraGroups: [{ group: 'policy.networking.k8s.io', version: 'v1alpha1' }, { group: 'cilium.io', version: 'v2' }],
      objects: [
        node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
        pod('a-0', { ip: '10.244.1.5', nodeName: 'node-1', labels: { app: 'a' } }),
        pod('b-0', { ip: '10.244.1.6', nodeName: 'node-1', labels: { app: 'b' } }),
      ],
    });
    otherDeps = kubeDeps(other.kubeconfigPath);
  });
  afterAll(async () => {
    await otherDeps.kube.stop();
    await other.stop();
  });

  it('lists AdminNetworkPolicy and Cilium policies as present, not evaluated (kubectl sees the same groups)', async () => {
    const a = await question(otherDeps, 'reach default/a-0 default/b-0 --port 80 --no-probe');
    expect(a.policy?.port?.verdict).toBe('allowed');
    expect(a.warnings).toContain(
      'Present in this cluster, not evaluated: AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io), CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io). They can allow or deny traffic before or regardless of NetworkPolicies.',
    );
    if (kubectlAvailable()) {
      const r = await runKubectl({ kubeconfigPath: other.kubeconfigPath }, ['api-versions']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['policy.networking.k8s.io/v1alpha1', 'cilium.io/v2', 'networking.k8s.io/v1']));
    }
    // Without those groups: no such warning.
    expect((await reach('web/web-1 shop/db-0 --port 5432')).warnings.join(' ')).not.toContain('Present in this cluster');
  });
});
