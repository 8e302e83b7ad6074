/**
 * The benchmark cluster, run as its own process so that netpeek's RSS is measured alone: a test API
 * server holding 500 nodes, 10,000 pods (Deployment-style names, two containers each, IPs inside their
 * node's pod CIDR), 2,000 Services selecting 5 pods each through a named targetPort, and one
 * EndpointSlice per Service. With `--policies`, also the 2,000 NetworkPolicies of bench:policy
 * (bench/policy-shape.ts) and team labels on the namespaces; with NETPEEK_BENCH_EXTRA_OBJECTS, those too. Prints one JSON line ({ kubeconfigPath,
 * url, … }) when ready; exits when its stdin closes.
 */
import { performance } from 'node:perf_hooks';
import { endpointSlice, namespace, node, pod, service } from '../test/support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeObject } from '../test/support/kube-apiserver/index.js';
import { NAMESPACES, NODES, PODS, PODS_PER_SERVICE, SERVICES, hash, podOf } from './kube-cluster-shape.js';
import { namespaceLabels, networkPolicies } from './policy-shape.js';

const WITH_POLICIES = process.argv.includes('--policies') || process.env.NETPEEK_BENCH_POLICIES === '1';
/** Objects a bench adds (a JSON array), e.g. bench:why's real pod for its live run. */
const EXTRA: KubeObject[] = process.env.NETPEEK_BENCH_EXTRA_OBJECTS ? (JSON.parse(process.env.NETPEEK_BENCH_EXTRA_OBJECTS) as KubeObject[]) : [];

function objects(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let ns = 0; ns < NAMESPACES; ns++) out.push(namespace(`team-${ns}`, WITH_POLICIES ? namespaceLabels(ns) : {}));
  if (WITH_POLICIES) out.push(...networkPolicies());
  for (let n = 0; n < NODES; n++) {
    out.push(node(`node-${n}`, { internalIP: `192.168.${n >> 8}.${(n & 255) + 1}`, podCIDR: `10.${64 + (n >> 8)}.${n & 255}.0/24` }));
  }
  for (let i = 0; i < PODS; i++) {
    const p = podOf(i);
    out.push(
      pod(p.name, {
        namespace: p.namespace,
        ip: p.ip,
        nodeName: `node-${p.node}`,
        hostIP: `192.168.${p.node >> 8}.${(p.node & 255) + 1}`,
        labels: { app: `svc-${p.service}` },
        containers: [
          { name: 'app', image: 'registry.example/app:1.4.2', ports: [{ name: 'http', containerPort: 8080 }] },
          { name: 'metrics', image: 'registry.example/exporter:0.9', ports: [{ name: 'metrics', containerPort: 9090 }] },
        ],
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `svc-${p.service}-${hash(p.service + 7, 9)}`, uid: '00000000-0000-4000-8000-00000000000a', controller: true }],
      }),
    );
  }
  for (let s = 0; s < SERVICES; s++) {
    const ns = `team-${s % NAMESPACES}`;
    out.push(service(`svc-${s}`, { namespace: ns, selector: { app: `svc-${s}` }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
    const members = Array.from({ length: PODS_PER_SERVICE }, (_, k) => podOf(s * PODS_PER_SERVICE + k));
    out.push(
      endpointSlice(`svc-${s}-${hash(s, 5)}`, {
        namespace: ns,
        serviceName: `svc-${s}`,
        ports: [{ name: 'http', port: 8080 }],
        endpoints: members.map((m) => ({ ip: m.ip, podName: m.name, nodeName: `node-${m.node}` })),
      }),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const api = await startKubeApiServer({ objects: [...objects(), ...EXTRA], historyLimit: 10_000 });
  const buildMs = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ kubeconfigPath: api.kubeconfigPath, url: api.url, buildMs, rssMb: process.memoryUsage().rss / 2 ** 20 })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void api.stop().then(() => process.exit(0)));
}

void main();
