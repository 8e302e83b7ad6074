/**
 * kubectl's listing flags on node, policy and changes (issue 17) in the built CLI, against the test API
 * server, with -o name checked against the machine's real kubectl: `node -l`, `policy -A`, `policy -l`,
 * `-o wide` columns, `changes -A`. Fixture IPs are only read, never probed: no command here sends a packet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netpeek, textTable as table } from '../support/cli.js';
import { namespace, networkPolicy, node, pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { runKubectl } from '../support/kube-apiserver/kubectl.js';

let api: KubeApiServer;
const kube = (args: string[]) => netpeek(args, { KUBECONFIG: api.kubeconfigPath });

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      namespace('web'),
      node('cp-1', { internalIP: '192.0.2.10', podCIDR: '10.244.0.0/24', roles: ['control-plane'] }),
      node('worker-1', { internalIP: '192.0.2.41', externalIP: '198.51.100.41', podCIDR: '10.244.1.0/24', roles: ['worker'], labels: { zone: 'a' } }),
      node('worker-2', { internalIP: '192.0.2.42', podCIDR: '10.244.2.0/24', roles: ['worker'], labels: { zone: 'b' }, ready: false }),
      pod('db-0', { namespace: 'shop', ip: '10.244.1.20', nodeName: 'worker-1', labels: { app: 'db' } }),
      pod('db-1', { namespace: 'shop', ip: '10.244.2.21', nodeName: 'worker-2', labels: { app: 'db' } }),
      pod('web-1', { namespace: 'web', ip: '10.244.1.30', nodeName: 'worker-1', labels: { app: 'web' } }),
      networkPolicy('default-deny', { policyTypes: ['Ingress'] }, 'shop', { team: 'shop' }),
      networkPolicy('db-from-web', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }], ports: [{ port: 5432 }] }] }, 'shop', { team: 'shop' }),
      networkPolicy('web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }, 'web', { team: 'web' }),
    ],
  });
});

afterAll(async () => {
  await api?.stop();
});

describe('node -l lists the matching nodes', () => {
  it('node -l node-role.kubernetes.io/worker: name, status, roles, internal IP, pod CIDR, version', async () => {
    const r = await kube(['node', '-l', 'node-role.kubernetes.io/worker']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2 nodes match node-role\.kubernetes\.io\/worker; 1 ready\.$/m);
    expect(table(r.stdout, 'Nodes')).toEqual([
      ['NAME', 'STATUS', 'ROLES', 'INTERNAL IP', 'POD CIDR', 'VERSION'],
      ['worker-1', 'Ready', 'worker', '192.0.2.41', '10.244.1.0/24', 'v1.32.4'],
      ['worker-2', 'NotReady', 'worker', '192.0.2.42', '10.244.2.0/24', 'v1.32.4'],
    ]);
  });

  it('-o wide adds external IP, OS image, kernel and container runtime; -o name is kubectl\'s', async () => {
    const r = await kube(['node', '--selector', 'zone=a', '-o', 'wide']);
    expect(r.code).toBe(0);
    expect(table(r.stdout, 'Nodes')).toEqual([
      ['NAME', 'STATUS', 'ROLES', 'INTERNAL IP', 'POD CIDR', 'VERSION', 'EXTERNAL IP', 'OS IMAGE', 'KERNEL', 'CONTAINER RUNTIME'],
      ['worker-1', 'Ready', 'worker', '192.0.2.41', '10.244.1.0/24', 'v1.32.4', '198.51.100.41', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.7.24'],
    ]);
    const names = await kube(['node', '-l', 'node-role.kubernetes.io/worker', '-o', 'name']);
    const ref = await runKubectl(api, ['get', 'nodes', '-l', 'node-role.kubernetes.io/worker', '-o', 'name']);
    expect(names.stdout).toBe('node/worker-1\nnode/worker-2\n');
    expect(names.stdout).toBe(ref.stdout);
  });

  it('a malformed selector is refused with the accepted form; a name and -l together too', async () => {
    const bad = await kube(['node', '-l', '=a']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^netpeek: -l =a: /);
    expect(bad.stderr).toMatch(/Example: node -l node-role\.kubernetes\.io\/worker/);
    const both = await kube(['node', 'worker-1', '-l', 'zone=a']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^netpeek: -l lists nodes, so it takes no node name \("worker-1"\)\./);
  });
});

describe('policy -A and -l list NetworkPolicies', () => {
  it('policy -A: every namespace, with its pod selector and policy types', async () => {
    const r = await kube(['policy', '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^3 NetworkPolicies found in every namespace\.$/m);
    expect(table(r.stdout, 'NetworkPolicies')).toEqual([
      ['NAMESPACE', 'NAME', 'POD SELECTOR', 'POLICY TYPES'],
      ['shop', 'db-from-web', 'app=db', 'Ingress'],
      ['shop', 'default-deny', '<none>', 'Ingress'],
      ['web', 'web-egress', 'app=web', 'Egress'],
    ]);
  });

  it('policy -l team=shop -n shop -o wide: rule counts and the pods each selects', async () => {
    const r = await kube(['policy', '-l', 'team=shop', '-n', 'shop', '-o', 'wide']);
    expect(r.code).toBe(0);
    expect(table(r.stdout, 'NetworkPolicies')).toEqual([
      ['NAME', 'POD SELECTOR', 'POLICY TYPES', 'INGRESS RULES', 'EGRESS RULES', 'PODS SELECTED'],
      ['db-from-web', 'app=db', 'Ingress', '1', '0', '2'],
      ['default-deny', '<none>', 'Ingress', '0', '0', '2'],
    ]);
  });

  it('-o name is what kubectl get networkpolicies -o name prints', async () => {
    const names = await kube(['policy', '-A', '-o', 'name']);
    const ref = await runKubectl(api, ['get', 'networkpolicies', '-A', '-o', 'name']);
    expect(names.stdout).toBe('networkpolicy.networking.k8s.io/db-from-web\nnetworkpolicy.networking.k8s.io/default-deny\nnetworkpolicy.networking.k8s.io/web-egress\n');
    expect(names.stdout).toBe(ref.stdout);
  });

  it('policy <pod> -A finds the pod in whichever namespace has it; policy map -A is refused', async () => {
    const r = await kube(['policy', 'db-0', '-A']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shop\/db-from-web/);
    const map = await kube(['policy', 'map', '-A']);
    expect(map.code).toBe(1);
    expect(map.stderr).toMatch(/^netpeek: policy map draws one namespace; -A has no picture\./);
  });
});

describe('changes -A', () => {
  // Its answer in a scoped Slack channel: test/integration/slack/namespace-scope-all.test.ts.
  it('one-shot: waits for the first sync and says what it watched (it used to exit 0 with nothing printed)', async () => {
    const r = await kube(['changes', '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^changes touching the cluster$/m);
    expect(r.stdout).toMatch(/No reachability-relevant change touching the cluster since \d{4}-\d\d-\d\dT/);
    const json = await kube(['changes', '-n', 'shop', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'changes', title: 'changes touching namespace shop' });
  });

  it('is refused with a namespaced target, saying to use -n', async () => {
    const bad = await kube(['changes', 'pod/db-0', '-A']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^netpeek: -A is for every change; "pod\/db-0" is in one namespace, so name it with -n instead\./);
  });
});

describe('help shows the flags the way kubectl does', () => {
  it('node, policy and changes list -l / -A with their long forms', async () => {
    const node = await kube(['help', 'node']);
    expect(node.stdout).toMatch(/-l, --selector <label query>/);
    const policy = await kube(['policy', '--help']);
    expect(policy.stdout).toMatch(/-A, --all-namespaces/);
    expect(policy.stdout).toMatch(/-l, --selector <label query>/);
    const changes = await kube(['help', 'changes']);
    expect(changes.stdout).toMatch(/-A, --all-namespaces/);
  });
});
