/**
 * Fidelity: the machine's real kubectl (v1.32) against the test API server. If kubectl prints it,
 * netpeek's Kubernetes source sees the same API a real cluster serves.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../../support/backends.js';
import { endpointSlice, lease, namespace, networkPolicy, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { runKubectl } from '../../support/kube-apiserver/kubectl.js';

let api: KubeApiServer;
const kubectl = (...args: string[]) => runKubectl(api, args);

/** Splits kubectl's table output into rows of cells. */
const rows = (out: string) =>
  out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

describeNeeding(['kubectl'], 'real kubectl against the test API server', () => {
  beforeAll(async () => {
    api = await startKubeApiServer({
      namespaces: ['default', 'kube-system'],
      objects: [
        namespace('shop', { team: 'shop' }),
        node('node-1', { internalIP: '192.0.2.31', podCIDR: '10.244.1.0/24', roles: ['control-plane'] }),
        node('node-2', { internalIP: '192.0.2.32', podCIDR: '10.244.2.0/24', ready: false }),
        pod('webserver-1', { ip: '10.244.1.5', ipv6: 'fd00:10:244:1::5', nodeName: 'node-1', labels: { app: 'web' } }),
        pod('webserver-2', {
          ip: '10.244.2.6', nodeName: 'node-2', labels: { app: 'web' },
          initContainers: [{ name: 'setup' }], sidecars: [{ name: 'proxy', ports: [{ name: 'proxy', containerPort: 15001 }] }],
        }),
        pod('db-0', { namespace: 'shop', labels: { app: 'db' } }),
        pod('kube-proxy-abcde', { namespace: 'kube-system', hostNetwork: true, hostIP: '192.0.2.31', nodeName: 'node-1', labels: { k8s: 'proxy' } }),
        service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
        service('web-np', { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 8080, targetPort: 80, nodePort: 30080 }] }),
        service('web-lb', { type: 'LoadBalancer', selector: { app: 'web' }, loadBalancerIPs: ['198.51.100.7'] }),
        endpointSlice('web-7xk2q', { serviceName: 'web', endpoints: [{ ip: '10.244.1.5', podName: 'webserver-1', nodeName: 'node-1' }] }),
        lease('netpeek-leader', { namespace: 'kube-system', holderIdentity: 'netpeek-bot-1' }),
        networkPolicy('default-deny', {}, 'shop', { team: 'shop' }),
        networkPolicy('allow-frontend', {
          podSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['test', 'dev'] }] },
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
        }, 'shop', { team: 'shop' }),
        networkPolicy('egress-dns', {
          podSelector: { matchLabels: { app: 'web' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ ipBlock: { cidr: '10.96.0.0/12', except: ['10.96.0.1/32'] } }], ports: [{ protocol: 'UDP', port: 53 }, { port: 8000, endPort: 8080 }] }],
        }),
      ],
    });
  });

  afterAll(async () => {
    await api?.stop();
  });

  it('get pods -A -o wide shows name, status, IP and node', async () => {
    const r = await kubectl('get', 'pods', '-A', '-o', 'wide');
    expect(r.code, r.stderr).toBe(0);
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const byName = new Map(body.map((cells) => [cells[1], cells]));
    expect(byName.get('webserver-1')).toEqual(['default', 'webserver-1', '1/1', 'Running', '0', expect.any(String), '10.244.1.5', 'node-1', '<none>', '<none>']);
    // A native sidecar counts as a container: 2/2.
    expect(byName.get('webserver-2')?.slice(2, 4)).toEqual(['2/2', 'Running']);
    expect(byName.get('kube-proxy-abcde')?.slice(6, 8)).toEqual(['192.0.2.31', 'node-1']);
    expect(byName.get('db-0')?.slice(0, 4)).toEqual(['shop', 'db-0', '0/1', 'Pending']);
  });

  it('get svc,nodes prints both tables with server-side columns', async () => {
    const r = await kubectl('get', 'svc,nodes', '-o', 'wide');
    expect(r.code, r.stderr).toBe(0);
    const [svcPart, nodePart] = r.stdout.trim().split('\n\n');
    const svc = rows(svcPart!);
    expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    const np = svc.find((c) => c[0] === 'service/web-np')!;
    expect(np.slice(1, 5)).toEqual(['NodePort', expect.stringMatching(/^10\.96\./), '<none>', '8080:30080/TCP']);
    expect(svc.find((c) => c[0] === 'service/web-lb')!.slice(3, 4)).toEqual(['198.51.100.7']);
    const nodes = rows(nodePart!);
    expect(nodes[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(nodes.find((c) => c[0] === 'node/node-1')!.slice(1, 3)).toEqual(['Ready', 'control-plane']);
    expect(nodes.find((c) => c[0] === 'node/node-2')!.slice(1, 2)).toEqual(['NotReady']);
    expect(nodes.find((c) => c[0] === 'node/node-2')![5]).toBe('192.0.2.32');
  });

  it('get pod X -n ns -o json returns the stored object', async () => {
    const r = await kubectl('get', 'pod', 'webserver-1', '-n', 'default', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const obj = JSON.parse(r.stdout);
    expect(obj).toMatchObject({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'webserver-1', namespace: 'default', uid: api.get({ kind: 'Pod', namespace: 'default', name: 'webserver-1' })!.metadata.uid },
      spec: { nodeName: 'node-1', containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
      status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }] },
    });
  });

  it('get pods -l app=web filters by label', async () => {
    const r = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['pod/webserver-1', 'pod/webserver-2']);
    const notin = await kubectl('get', 'pods', '-A', '-l', 'app notin (web),!k8s', '-o', 'name');
    expect(notin.stdout.trim()).toBe('pod/db-0');
  });

  it('get pods --field-selector status.phase=Running / spec.nodeName', async () => {
    const r = await kubectl('get', 'pods', '-A', '--field-selector', 'status.phase=Running', '-o', 'name');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(['pod/kube-proxy-abcde', 'pod/webserver-1', 'pod/webserver-2']);
    const onNode = await kubectl('get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-2', '-o', 'name');
    expect(onNode.stdout.trim()).toBe('pod/webserver-2');
  });

  it('get pods --field-selector foo=bar fails with "field label not supported"', async () => {
    const r = await kubectl('get', 'pods', '--field-selector', 'foo=bar');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (BadRequest)');
    expect(r.stderr).toContain('field label not supported: foo');
  });

  it('get pod missing fails with NotFound', async () => {
    const r = await kubectl('get', 'pod', 'missing');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "missing" not found');
  });

  it('get endpointslices and leases use their groups and short columns', async () => {
    const r = await kubectl('get', 'endpointslices,leases', '-A');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/endpointslice\.discovery\.k8s\.io\/web-7xk2q\s+IPv4\s+80\s+10\.244\.1\.5/);
    expect(r.stdout).toMatch(/lease\.coordination\.k8s\.io\/netpeek-leader\s+netpeek-bot-1/);
  });

  it('get networkpolicies -A shows the pod selector as FormatLabelSelector prints it', async () => {
    const r = await kubectl('get', 'networkpolicies', '-A');
    expect(r.code, r.stderr).toBe(0);
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual(['NAMESPACE', 'NAME', 'POD-SELECTOR', 'AGE']);
    expect(body.map((c) => c.slice(0, 3))).toEqual([
      ['default', 'egress-dns', 'app=web'],
      ['shop', 'allow-frontend', 'app=db,tier notin (dev,test)'],
      ['shop', 'default-deny', '<none>'],
    ]);
    const short = await kubectl('get', 'netpol', '-n', 'shop', '-l', 'team=shop', '-o', 'name');
    expect(short.stdout.trim().split('\n')).toEqual(['networkpolicy.networking.k8s.io/allow-frontend', 'networkpolicy.networking.k8s.io/default-deny']);
  });

  it('get netpol -o json shows the server defaults: policyTypes and TCP ports', async () => {
    const r = await kubectl('get', 'netpol', 'allow-frontend', '-n', 'shop', '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const obj = JSON.parse(r.stdout);
    expect(obj).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-frontend', namespace: 'shop', generation: 1 } });
    expect(obj.spec.policyTypes).toEqual(['Ingress']);
    expect(obj.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
    const egress = JSON.parse((await kubectl('get', 'netpol', 'egress-dns', '-o', 'json')).stdout);
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8000, endPort: 8080 }]);
  });

  it('describe netpol reads ingress peers, ports and policy types like a real cluster', async () => {
    const r = await kubectl('describe', 'netpol', 'allow-frontend', '-n', 'shop');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PodSelector:\s+app=db,tier notin \(dev,test\)/);
    expect(r.stdout).toMatch(/Allowing ingress traffic:\s+To Port: 5432\/TCP\s+From:\s+NamespaceSelector: team=web\s+PodSelector: app=web/);
    expect(r.stdout).toMatch(/Not affecting egress traffic/);
    expect(r.stdout).toMatch(/Policy Types: Ingress/);
    const egress = await kubectl('describe', 'netpol', 'egress-dns');
    expect(egress.stdout).toMatch(/To Port: 53\/UDP\s+To Port Range: 8000-8080\/TCP/);
    expect(egress.stdout).toMatch(/IPBlock:\s+CIDR: 10\.96\.0\.0\/12\s+Except: 10\.96\.0\.1\/32/);
  });

  it('api-resources lists networkpolicies in networking.k8s.io/v1 with its short name', async () => {
    const r = await kubectl('api-resources', '--api-group=networking.k8s.io', '--no-headers');
    expect(r.code, r.stderr).toBe(0);
    expect(rows(r.stdout)).toContainEqual(['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy']);
  });

  it('apply -f of a NetworkPolicy creates it, then is unchanged; an edit bumps generation and a watcher sees it', async () => {
    const file = join(dirname(api.kubeconfigPath), 'np.json');
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] } };
    await writeFile(file, JSON.stringify(np));
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim()).toBe('networkpolicy.networking.k8s.io/allow-web created');
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('networkpolicy.networking.k8s.io/allow-web unchanged');
    const watching = runKubectl(api, ['get', 'netpol', '-n', 'shop', '-w', '--request-timeout=3s', '-o', 'name'], { timeoutMs: 15_000 });
    const deadline = Date.now() + 8000;
    while (!api.activeWatches().some((w) => w.resource === 'networkpolicies') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await writeFile(file, JSON.stringify({ ...np, spec: { ...np.spec, ingress: [{ ports: [{ port: 80 }] }] } }));
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('networkpolicy.networking.k8s.io/allow-web configured');
    const stored = api.get({ kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-web' })!;
    expect(stored.metadata.generation).toBe(2);
    expect((stored.spec as { ingress: unknown[] }).ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 80 }] }]);
    const seen = (await watching).stdout.trim().split('\n');
    expect(seen.filter((l) => l === 'networkpolicy.networking.k8s.io/allow-web').length).toBeGreaterThanOrEqual(2);
    expect((await kubectl('delete', 'netpol', 'allow-web', '-n', 'shop')).stdout.trim()).toBe('networkpolicy.networking.k8s.io "allow-web" deleted');
  });

  it('apply -f, label and delete round-trip through JSON writes', async () => {
    const file = join(dirname(api.kubeconfigPath), 'cm.json');
    await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'netpeek-state', namespace: 'shop' }, data: { last: '1' } }));
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout.trim()).toBe('configmap/netpeek-state created');
    expect((await kubectl('apply', '-f', file)).stdout.trim()).toBe('configmap/netpeek-state unchanged');
    expect((await kubectl('label', 'cm', 'netpeek-state', '-n', 'shop', 'owner=netpeek')).code).toBe(0);
    expect(api.get({ kind: 'ConfigMap', namespace: 'shop', name: 'netpeek-state' })?.metadata.labels).toEqual({ owner: 'netpeek' });
    const del = await kubectl('delete', 'cm', 'netpeek-state', '-n', 'shop');
    expect(del.stdout.trim()).toBe('configmap "netpeek-state" deleted');
    expect(api.get({ kind: 'ConfigMap', namespace: 'shop', name: 'netpeek-state' })).toBeUndefined();
  });

  it('get -w prints changes made while watching', async () => {
    const watching = runKubectl(api, ['get', 'pods', '-n', 'shop', '-w', '--request-timeout=3s'], { timeoutMs: 15_000 });
    const deadline = Date.now() + 8000;
    while (!api.activeWatches().some((w) => w.namespace === 'shop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    api.modify({ kind: 'Pod', namespace: 'shop', name: 'db-0' }, (o) => {
      (o.status as { phase: string }).phase = 'Running';
    });
    const r = await watching;
    const lines = rows(r.stdout);
    expect(lines[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(lines.slice(1).map((c) => c.slice(0, 1).concat(c[2]!))).toEqual([['db-0', 'Pending'], ['db-0', 'Running']]);
  });

  it('a protobuf body (kubectl create configmap) is refused with 415, as documented', async () => {
    const r = await kubectl('create', 'configmap', 'x', '--from-literal=a=b');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('does not decode application/vnd.kubernetes.protobuf');
  });

  it('works over TLS with the CA in the kubeconfig (no insecure flag)', async () => {
    const secure = await startKubeApiServer({ tls: true, objects: [node('tls-node', { internalIP: '192.0.2.40' })] });
    try {
      const r = await runKubectl(secure, ['get', 'nodes', '-o', 'wide']);
      expect(r.code, r.stderr).toBe(0);
      expect(rows(r.stdout)[1]!.slice(0, 2).concat(rows(r.stdout)[1]![5]!)).toEqual(['tls-node', 'Ready', '192.0.2.40']);
    } finally {
      await secure.stop();
    }
  });
});
