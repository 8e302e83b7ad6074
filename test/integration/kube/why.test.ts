/**
 * `why` against the test API server with the real client-node: one Service broken at each step that is
 * evaluated from the API (resolve, service, selector, target-port, endpoints, policy), and healthy paths.
 * The route step from the nodes' placement, and bare addresses and nodes as targets. Fixture IPs are
 * never probed: the live steps are skipped with their reason (no agent runs here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { isNetpeekError } from '../../../src/core/errors.js';
import { toText } from '../../../src/render/text.js';
import { toBlocks } from '../../../src/render/blocks.js';
import { endpointSlice, namespace, networkPolicy, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import type { KubeObject } from '../../support/kube-apiserver/index.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, kubeDeps, question } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

const cartPod = (name: string, ip: string) =>
  pod(name, { namespace: 'shop', ip, nodeName: 'node-1', labels: { app: 'cart' }, containers: [{ name: 'app', ports: [{ name: 'web', containerPort: 8080 }] }] });

/** The kubelet's report for a container that keeps crashing. */
function crashLooping(p: KubeObject): KubeObject {
  const st = p.status as { containerStatuses: Record<string, unknown>[]; conditions: { type: string; status: string }[] };
  for (const c of st.containerStatuses) Object.assign(c, { ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } } });
  for (const c of st.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = 'False';
  return p;
}
/** The scheduler's report for a pod no node can take. */
function unschedulable(p: KubeObject): KubeObject {
  const st = p.status as { conditions: Record<string, unknown>[] };
  Object.assign(st.conditions.find((x) => x.type === 'PodScheduled')!, { status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' });
  return p;
}

const step = (a: Answer, id: string) => {
  const s = a.diagnosis!.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in ${JSON.stringify(a.diagnosis)}`);
  return s;
};
const statuses = (a: Answer) => a.diagnosis!.steps.map((s) => [s.id, s.status]);

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      namespace('store'),
      namespace('locked'),
      namespace('bank'),
      // healthy: cart:80 → targetPort web (8080) on three ready pods
      cartPod('cart-1', '10.244.1.10'),
      cartPod('cart-2', '10.244.1.11'),
      cartPod('cart-3', '10.244.1.12'),
      service('cart', { namespace: 'shop', selector: { app: 'cart' }, clusterIP: '10.96.0.80', ports: [{ name: 'http', port: 80, targetPort: 'web' }] }),
      endpointSlice('cart-x1', {
        namespace: 'shop',
        serviceName: 'cart',
        ports: [{ name: 'http', port: 8080 }],
        endpoints: ['cart-1', 'cart-2', 'cart-3'].map((n, i) => ({ ip: `10.244.1.1${i}`, podName: n, nodeName: 'node-1' })),
      }),
      // a selector with a one-letter typo
      service('cart-typo', { namespace: 'shop', selector: { app: 'crat' }, clusterIP: '10.96.0.81', ports: [{ port: 80, targetPort: 8080 }] }),
      // a named targetPort nobody declares
      service('cart-named', { namespace: 'shop', selector: { app: 'cart' }, clusterIP: '10.96.0.82', ports: [{ port: 80, targetPort: 'http' }] }),
      // every endpoint not ready, each for a stated reason
      crashLooping(pod('pay-1', { namespace: 'shop', ip: '10.244.1.20', nodeName: 'node-1', labels: { app: 'pay' }, containers: [{ name: 'pay', ports: [{ containerPort: 9000 }] }] })),
      unschedulable(pod('pay-2', { namespace: 'shop', labels: { app: 'pay' }, phase: 'Pending', containers: [{ name: 'pay', ports: [{ containerPort: 9000 }] }] })),
      service('pay', { namespace: 'shop', selector: { app: 'pay' }, clusterIP: '10.96.0.83', ports: [{ port: 9000 }] }),
      endpointSlice('pay-x1', { namespace: 'shop', serviceName: 'pay', ports: [{ port: 9000 }], endpoints: [{ ip: '10.244.1.20', podName: 'pay-1', ready: false }] }),
      // the right labels, in another namespace
      pod('stock-1', { namespace: 'store', ip: '10.244.1.30', nodeName: 'node-1', labels: { app: 'stock' } }),
      service('stock', { namespace: 'shop', selector: { app: 'stock' }, clusterIP: '10.96.0.84', ports: [{ port: 80 }] }),
      // a default-deny in front of an otherwise healthy Service
      pod('vault-1', { namespace: 'locked', ip: '10.244.1.40', nodeName: 'node-1', labels: { app: 'vault' }, containers: [{ name: 'vault', ports: [{ containerPort: 8200 }] }] }),
      service('vault', { namespace: 'locked', selector: { app: 'vault' }, clusterIP: '10.96.0.85', ports: [{ port: 8200 }] }),
      endpointSlice('vault-x1', { namespace: 'locked', serviceName: 'vault', ports: [{ port: 8200 }], endpoints: [{ ip: '10.244.1.40', podName: 'vault-1' }] }),
      networkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] }, 'locked'),
      // isolated, with a rule admitting the shop's clients on 5432
      pod('ledger-1', { namespace: 'bank', ip: '10.244.1.60', nodeName: 'node-1', labels: { app: 'ledger' }, containers: [{ name: 'db', ports: [{ name: 'pg', containerPort: 5432 }] }] }),
      service('ledger', { namespace: 'bank', selector: { app: 'ledger' }, clusterIP: '10.96.0.86', ports: [{ port: 5432, targetPort: 'pg' }] }),
      endpointSlice('ledger-x1', { namespace: 'bank', serviceName: 'ledger', ports: [{ port: 5432 }], endpoints: [{ ip: '10.244.1.60', podName: 'ledger-1' }] }),
      networkPolicy(
        'ledger-from-shop',
        {
          podSelector: { matchLabels: { app: 'ledger' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 5432 }] }],
        },
        'bank',
      ),
      pod('client-1', { namespace: 'shop', ip: '10.244.1.50', nodeName: 'node-1', labels: { app: 'client' } }),
      // the nodes: node-1 holds the pods above; node-2 is Ready, node-3 stopped reporting
      node('node-1', { internalIP: '192.168.50.11', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.168.50.12', podCIDR: '10.244.2.0/24' }),
      node('node-3', { internalIP: '192.168.50.13', podCIDR: '10.244.3.0/24', ready: false }),
      // a Service whose only pod is on node-2 (across nodes from the clients), exposed as NodePort
      pod('far-1', { namespace: 'shop', ip: '10.244.2.5', nodeName: 'node-2', labels: { app: 'far' }, containers: [{ name: 'far', ports: [{ containerPort: 9090 }] }] }),
      service('far', { namespace: 'shop', type: 'NodePort', selector: { app: 'far' }, clusterIP: '10.96.0.87', ports: [{ port: 9090, nodePort: 30990 }] }),
      endpointSlice('far-x1', { namespace: 'shop', serviceName: 'far', ports: [{ port: 9090 }], endpoints: [{ ip: '10.244.2.5', podName: 'far-1', nodeName: 'node-2' }] }),
      // a Service whose only (still Ready) pod sits on the NotReady node-3; a LoadBalancer still pending
      pod('stuck-1', { namespace: 'shop', ip: '10.244.3.5', nodeName: 'node-3', labels: { app: 'frozen' }, containers: [{ name: 'stuck', ports: [{ containerPort: 7070 }] }] }),
      service('stuck', { namespace: 'shop', type: 'LoadBalancer', selector: { app: 'frozen' }, clusterIP: '10.96.0.88', ports: [{ port: 7070, nodePort: 30770 }] }),
      endpointSlice('stuck-x1', { namespace: 'shop', serviceName: 'stuck', ports: [{ port: 7070 }], endpoints: [{ ip: '10.244.3.5', podName: 'stuck-1', nodeName: 'node-3' }] }),
      pod('intruder-1', { namespace: 'store', ip: '10.244.1.51', nodeName: 'node-1', labels: { app: 'intruder' } }),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath, {});
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
});

afterAll(async () => {
  await deps?.kube.stop();
  await api?.stop();
});

describe('why svc/<name>: one Service broken at each step', () => {
  it('healthy: every step evaluated from the API passes; listening and probe are skipped with their reason', async () => {
    const a = await question(deps, 'why svc/shop/cart --port 80');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(statuses(a)).toEqual([
      ['service', 'pass'],
      ['selector', 'pass'],
      ['target-port', 'pass'],
      ['endpoints', 'pass'],
      ['listening', 'skip'],
      ['policy', 'pass'],
      ['probe', 'skip'],
    ]);
    expect(step(a, 'service').evidence).toBe('Service cart in shop exists (ClusterIP), ports 80/tcp (http).');
    expect(step(a, 'selector').evidence).toBe('Selector app=cart matches 3 pods in shop (cart-1, cart-2, cart-3).');
    expect(step(a, 'target-port').evidence).toContain('80 → web (8080) (container app)');
    expect(step(a, 'endpoints').evidence).toContain('3 ready endpoints of 3');
    expect(step(a, 'policy').evidence).toBe('No NetworkPolicy isolates pod shop/cart-1 for ingress: every client may connect.');
    expect(step(a, 'listening').evidence).toMatch(/^Not checked: /);
    expect(step(a, 'probe').evidence).toMatch(/^Not checked: /);
    expect(a.summary).toBe('No broken step found: 5 of 7 checks pass (not checked: listening, probe).');
    expect(Object.keys(a.diagnosis!)).toEqual(['firstFailure', 'steps']);
    for (const s of a.diagnosis!.steps) expect(Object.keys(s).every((k) => ['id', 'status', 'evidence', 'fix'].includes(k))).toBe(true);
  });

  it('healthy through its DNS name: resolve passes with the ClusterIP', async () => {
    const a = await question(deps, 'why cart.shop.svc.cluster.local --port 80');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(statuses(a)[0]).toEqual(['resolve', 'pass']);
    expect(step(a, 'resolve').evidence).toContain('cart.shop.svc.cluster.local is Service shop/cart; cluster DNS answers 10.96.0.80');
  });

  it('a name that does not resolve: broken at resolve, with the similar name as the fix', async () => {
    const a = await question(deps, 'why carts.shop.svc.cluster.local --port 80');
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(step(a, 'resolve').status).toBe('fail');
    expect(step(a, 'resolve').evidence).toContain('there is no Service carts in namespace shop, so cluster DNS answers NXDOMAIN');
    expect(step(a, 'resolve').fix).toBe('Use cart.shop.svc.cluster.local.');
    expect(a.summary).toMatch(/^Broken at resolve: carts\.shop\.svc\.cluster\.local does not resolve/);
    expect(step(a, 'selector').status).toBe('skip');
  });

  it('a DNS name in a namespace that does not exist: broken at resolve', async () => {
    const a = await question(deps, 'why cart.shopp.svc.cluster.local');
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(step(a, 'resolve').evidence).toBe('cart.shopp.svc.cluster.local does not resolve: there is no namespace shopp, so cluster DNS answers NXDOMAIN.');
  });

  it('a port the Service does not have: broken at service, naming the ports it has', async () => {
    const a = await question(deps, 'why svc/cart -n shop --port 8080');
    expect(a.diagnosis!.firstFailure).toBe('service');
    expect(step(a, 'service').evidence).toBe('Service cart (ClusterIP) has no port 8080/tcp: its ports are 80/tcp (http).');
    expect(step(a, 'service').fix).toBe('Use port 80, or add port 8080 to Service cart.');
    expect(step(a, 'endpoints').status).toBe('skip');
  });

  it('a selector with a one-letter typo: broken at selector, with the near miss and the fix', async () => {
    const a = await question(deps, 'why svc/shop/cart-typo');
    expect(a.diagnosis!.firstFailure).toBe('selector');
    expect(step(a, 'selector').evidence).toContain('Selector app=crat of Service cart-typo matches no pod in namespace shop');
    expect(step(a, 'selector').evidence).toContain('pod cart-1 has app=cart (selector wants app=crat)');
    expect(step(a, 'selector').fix).toBe("Set the selector's app to cart (as pod cart-1 has it), or relabel the pods app=crat.");
    expect(step(a, 'policy').status).toBe('skip');
  });

  it('the right labels in another namespace: broken at selector, naming that pod', async () => {
    const a = await question(deps, 'why svc/shop/stock');
    expect(a.diagnosis!.firstFailure).toBe('selector');
    expect(step(a, 'selector').evidence).toContain('same labels in another namespace: pod store/stock-1');
    expect(step(a, 'selector').fix).toBe('Move Service stock to namespace store, or run the pods in shop.');
  });

  it('a named targetPort nobody declares: the verdict sentence of the issue', async () => {
    const a = await question(deps, 'why svc/shop/cart-named');
    expect(a.diagnosis!.firstFailure).toBe('target-port');
    expect(a.summary).toBe(
      'Broken at target-port: Service cart-named sends port 80 to targetPort `http`, but no container of the 3 selected pods declares a port named `http` — they declare `web` (8080). Set targetPort to 8080 or name the port http.',
    );
    expect(step(a, 'target-port').fix).toBe('Set targetPort to 8080 or name the port http.');
    expect(step(a, 'endpoints')).toMatchObject({ status: 'skip' });
  });

  it('every endpoint not ready: broken at endpoints, each pod with its reason (CrashLoopBackOff, unschedulable)', async () => {
    const a = await question(deps, 'why svc/shop/pay');
    expect(a.diagnosis!.firstFailure).toBe('endpoints');
    const e = step(a, 'endpoints').evidence;
    expect(e).toContain('None of the 2 selected pods of Service pay is a ready endpoint');
    expect(e).toContain('pay-1: container pay CrashLoopBackOff');
    expect(e).toContain('pay-2: Pending and unschedulable: 0/1 nodes are available: 1 Insufficient cpu.');
    expect(step(a, 'endpoints').fix).toBe('Look at `kubectl logs --previous -n shop pay-1` for why it exits.');
  });

  it('a default-deny policy: broken at policy, naming the policy', async () => {
    const a = await question(deps, 'why svc/locked/vault --port 8200');
    expect(a.diagnosis!.firstFailure).toBe('policy');
    expect(statuses(a).slice(0, 4)).toEqual([
      ['service', 'pass'],
      ['selector', 'pass'],
      ['target-port', 'pass'],
      ['endpoints', 'pass'],
    ]);
    expect(step(a, 'policy').evidence).toBe('pod locked/vault-1 is isolated for ingress by locked/default-deny, and no ingress rule admits anything: every connection to port 8200 is dropped.');
    expect(step(a, 'policy').fix).toBe('Add a NetworkPolicy admitting the clients on port 8200 to these pods, or remove the deny-all (locked/default-deny).');
  });
});

describe('why <from> <to>', () => {
  it('from a pod through the default-deny: the policies of that connection, and the route on the same node', async () => {
    const a = await question(deps, 'why shop/client-1 svc/locked/vault --port 8200');
    expect(a.diagnosis!.firstFailure).toBe('policy');
    expect(step(a, 'policy').evidence).toMatch(/^NetworkPolicies drop shop\/client-1 → pod locked\/vault-1 on TCP 8200/);
    expect(step(a, 'policy').evidence).toContain('locked/default-deny');
    expect(step(a, 'policy').fix).toContain('locked/default-deny');
    expect(step(a, 'route')).toMatchObject({ status: 'pass', evidence: expect.stringContaining('pod shop/client-1 and pod locked/vault-1 run on the same node (node-1)') });
    expect(a.title).toBe('why shop/client-1 → svc/locked/vault port 8200');
  });

  it('from a pod the policy admits: policy passes, naming the admitting policy', async () => {
    const a = await question(deps, 'why pod/shop/client-1 ledger.bank.svc.cluster.local --port 5432');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'policy')).toMatchObject({ status: 'pass', evidence: 'NetworkPolicies admit shop/client-1 → pod bank/ledger-1 on TCP 5432 (admitted by bank/ledger-from-shop).' });
  });

  it('from a pod the policy does not admit: broken at policy, naming the isolating policy', async () => {
    const a = await question(deps, 'why store/intruder-1 svc/bank/ledger --port 5432');
    expect(a.diagnosis!.firstFailure).toBe('policy');
    expect(step(a, 'policy').evidence).toContain('store/intruder-1 → pod bank/ledger-1 on TCP 5432');
    expect(step(a, 'policy').evidence).toContain('bank/ledger-from-shop');
    expect(step(a, 'policy').fix).toBe('Add a rule admitting store/intruder-1 to pod bank/ledger-1 on TCP 5432 in bank/ledger-from-shop, or in a new policy beside it.');
  });

  it('to a pod: the policies of that connection on --port, naming the isolating policy; the live steps skipped with the reason', async () => {
    const a = await question(deps, 'why store/intruder-1 pod/bank/ledger-1 --port 5432');
    expect(a.diagnosis!.steps.map((s) => s.id)).toEqual(['listening', 'policy', 'route', 'probe']);
    expect(a.diagnosis!.firstFailure).toBe('policy');
    expect(step(a, 'policy').evidence).toContain('store/intruder-1 → pod bank/ledger-1 on TCP 5432');
    expect(step(a, 'policy').evidence).toContain('bank/ledger-from-shop');
    const ok = await question(deps, 'why shop/client-1 bank/ledger-1 --port 5432');
    expect(ok.diagnosis!.firstFailure).toBeNull();
    expect(step(ok, 'policy').evidence).toContain('(admitted by bank/ledger-from-shop)');
    expect(step(ok, 'probe').status).toBe('skip');
  });

  it('without a client, an isolating policy with rules is a warning, not a pass', async () => {
    const a = await question(deps, 'why svc/bank/ledger');
    expect(step(a, 'policy').status).toBe('warn');
    expect(step(a, 'policy').evidence).toContain('isolated for ingress by bank/ledger-from-shop');
  });
});

describe('why: the route step', () => {
  it('same node, through the ClusterIP: passes, naming the node and the ClusterIP', async () => {
    const a = await question(deps, 'why shop/client-1 svc/shop/cart --port 80');
    expect(a.diagnosis!.firstFailure).toBeNull();
    expect(step(a, 'route').evidence).toBe("pod shop/client-1 and pod shop/cart-1 run on the same node (node-1): traffic to 10.244.1.10 stays on that node's pod network. Through Service shop/cart: kube-proxy on the client's node rewrites its ClusterIP 10.96.0.80 to the endpoint's address.");
  });

  it('across nodes: passes through the destination node\'s pod CIDR', async () => {
    const a = await question(deps, 'why shop/client-1 svc/shop/far --port 9090');
    expect(step(a, 'route')).toMatchObject({ status: 'pass', evidence: expect.stringContaining("pod shop/client-1 on node node-1 and pod shop/far-1 on node node-2 are on different nodes: the network plugin routes node node-2's pod CIDR 10.244.2.0/24, which holds 10.244.2.5.") });
  });

  it('the endpoint on a NotReady node: broken at route, naming the node', async () => {
    const a = await question(deps, 'why shop/client-1 svc/shop/stuck --port 7070');
    expect(a.diagnosis!.firstFailure).toBe('route');
    expect(step(a, 'route').evidence).toBe('pod shop/stuck-1 runs on node node-3, which is not Ready: its kubelet is not reporting, so the pod network there is not kept up.');
    expect(a.summary).toMatch(/^Broken at route: pod shop\/stuck-1 runs on node node-3/);
  });

  it('from an address outside the cluster: a ClusterIP Service is broken at route; a NodePort passes with the node addresses', async () => {
    const a = await question(deps, 'why 203.0.113.9 svc/shop/cart --port 80 --no-probe');
    expect(a.diagnosis!.firstFailure).toBe('route');
    expect(step(a, 'route').evidence).toContain('Service shop/cart is ClusterIP: its ClusterIP 10.96.0.80 is answered only by kube-proxy');
    expect(step(a, 'route').fix).toContain('expose shop/cart as type NodePort or LoadBalancer');
    const np = await question(deps, 'why 203.0.113.9 svc/shop/far --port 9090 --no-probe');
    expect(step(np, 'route')).toMatchObject({ status: 'pass', evidence: expect.stringContaining('NodePort 30990 of any Ready node: 192.168.50.11:30990 (node-1), 192.168.50.12:30990 (node-2)') });
  });

  it('from here: a ClusterIP is a warning (netpeek cannot tell whether its host is inside), never a pass', async () => {
    const a = await question(deps, 'why here svc/shop/cart --port 80 --no-probe');
    expect(step(a, 'route').status).toBe('warn');
    expect(step(a, 'route').evidence).toContain('from here (netpeek\'s host) it is not routed (if here is itself a node or a pod of the cluster');
  });

  it('from a node: its own pod over the local bridge', async () => {
    const a = await question(deps, 'why node/node-1 pod/shop/cart-1 --port 8080 --no-probe');
    expect(step(a, 'route')).toMatchObject({ status: 'pass', evidence: 'node node-1 reaches its own pod shop/cart-1 (10.244.1.10) over its local pod bridge.' });
    // Traffic between a node and pods is the CNI's business, not the policies': a skip with the reason.
    expect(step(a, 'policy')).toMatchObject({ status: 'skip', evidence: expect.stringMatching(/^Not checked: 192\.168\.50\.11 is node node-1's address: .*does not evaluate it\.$/) });
  });
});

describe('why <node> and why <address>', () => {
  it('a node: Ready and its address; a NotReady node is broken at route', async () => {
    const ok = await question(deps, 'why node/node-2 --no-probe');
    expect(ok.diagnosis!.steps.map((s) => [s.id, s.status])).toEqual([['listening', 'skip'], ['policy', 'skip'], ['route', 'pass'], ['probe', 'skip']]);
    expect(step(ok, 'route').evidence).toBe('node node-2 is Ready and is reached at its address 192.168.50.12; it routes pod CIDR 10.244.2.0/24.');
    const down = await question(deps, 'why shop/client-1 node/node-3 --port 10250 --no-probe');
    expect(down.diagnosis!.firstFailure).toBe('route');
    expect(step(down, 'route').evidence).toContain('node node-3, which is not Ready');
    expect(down.subject).toMatchObject({ kind: 'node', name: 'node-3' });
  });

  it('an unknown node is a clear error with the near name', async () => {
    const err = await failure(deps, 'why node/node-4');
    expect((err as Error).message).toMatch(/There is no node "node-4" in context .*Did you mean "node-1"\?|There is no node "node-4"/);
  });

  it('a pod IP: resolve names the pod, then the pod\'s path', async () => {
    const a = await question(deps, 'why shop/client-1 10.244.2.5 --port 9090 --no-probe');
    expect(step(a, 'resolve')).toEqual({ id: 'resolve', status: 'pass', evidence: "10.244.2.5 is the IP of pod shop/far-1 on node node-2 (from the API's pod list)." });
    expect(a.diagnosis!.steps.map((s) => s.id)).toEqual(['resolve', 'listening', 'policy', 'route', 'probe']);
    expect(a.subject).toMatchObject({ kind: 'pod', name: 'far-1', namespace: 'shop' });
  });

  it('a ClusterIP: resolve names the Service, then the Service\'s chain (here broken at target-port)', async () => {
    const a = await question(deps, 'why 10.96.0.82 --port 80');
    expect(step(a, 'resolve').evidence).toBe('10.96.0.82 is the ClusterIP of Service shop/cart-named (ClusterIP).');
    expect(a.diagnosis!.firstFailure).toBe('target-port');
  });

  it('a node address: resolve names the node', async () => {
    const a = await question(deps, 'why 192.168.50.13 --no-probe');
    expect(step(a, 'resolve').evidence).toBe('192.168.50.13 is the InternalIP of node node-3.');
    expect(a.diagnosis!.firstFailure).toBe('route');
  });

  it.each([
    ['10.244.1.99', "it is inside node node-1's pod CIDR 10.244.1.0/24: a pod address that no running pod holds now"],
    ['10.96.0.250', 'it is inside the service CIDR 10.96.0.0/12'],
    ['172.31.9.9', "it is outside every node's pod CIDR (10.244.1.0/24, 10.244.2.0/24, 10.244.3.0/24) and outside the service CIDR"],
  ])('an address nothing holds (%s): broken at resolve, saying which range it is in', async (ip, where) => {
    const a = await question(deps, `why ${ip}`);
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(a.diagnosis!.steps).toHaveLength(1);
    expect(step(a, 'resolve').evidence).toContain(`No pod, Service or node in context `);
    expect(step(a, 'resolve').evidence).toContain(` has ${ip}; ${where}`);
    expect(step(a, 'resolve').fix).toBeTruthy();
  });
});

describe('why: rendering and bad input', () => {
  it('text and Block Kit lead with the verdict sentence, then the checklist', async () => {
    const a = await question(deps, 'why svc/shop/cart-named');
    const text = toText(a).split('\n');
    expect(text[0]).toBe('why svc/shop/cart-named');
    expect(text[1]).toMatch(/^Broken at target-port: Service cart-named sends port 80/);
    expect(text.slice(2, 5)).toEqual(['', 'Checks', '  ✓ service: Service cart-named in shop exists (ClusterIP), ports 80/tcp.']);
    expect(text).toContain('  ✗ target-port: Service cart-named sends port 80 to targetPort `http`, but no container of the 3 selected pods declares a port named `http` — they declare `web` (8080).');
    const blocks = toBlocks(a).blocks;
    expect(blocks[1]).toMatchObject({ type: 'section', text: { text: expect.stringMatching(/^Broken at target-port:/) } });
    expect(blocks[2]).toMatchObject({ type: 'section', text: { text: expect.stringMatching(/^\*Checks\*\n✓ service: /) } });
  });

  it.each([
    ['why web-1', /"web-1" is not a Service reference, and this netpeek has no Docker engine/],
    ['why svc/shop/cart svc/shop/far', /"svc\/shop\/cart" is a Service: a Service is a destination, not a client/],
    ['why node/a/b', /"node\/a\/b" is not a node reference; write node\/<name>/],
    ['why pod/shop/nosuch', /There is no pod "nosuch" in namespace shop/],
    ['why svc/a/b/c', /"svc\/a\/b\/c" is not a Service reference/],
    ['why svc/Cart_1', /not a valid service name|service name/i],
    ['why svc/cart --port 99999', /--port must be from 1 to 65535; got 99999/],
    ['why svc/cart --port 80/http', /--port takes a number, optionally followed by \/tcp, \/udp or \/sctp; got "80\/http"/],
    ['why', /why needs <from\|target>/],
    ['why svc/nope/cart', /There is no namespace "nope"/],
  ])('%s: a clear message', async (text, message) => {
    const err = await failure(deps, text);
    expect(isNetpeekError(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('a bad target lists what is accepted', async () => {
    const err = (await failure(deps, 'why web-1')) as { hints?: string[]; details?: string[] };
    expect(JSON.stringify(err)).toContain('svc/<namespace>/<name>');
  });
});
