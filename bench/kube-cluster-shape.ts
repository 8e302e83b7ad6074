/**
 * The shape of the benchmark cluster (bench/kube-cluster-fixture.ts builds it): how many of each object,
 * and pod i's namespace, name, node and IP. Kept apart so the measuring process imports no server code.
 */
/**
 * Pods in the cluster: 10,000 unless BENCH_PODS says otherwise (bench:scale runs 10k, 30k and 100k). The
 * rest keeps the same proportions: a node per 20 pods, a Service (and EndpointSlice) per 5, a namespace
 * per 200 — at 100,000 pods, the 5,000 nodes and 20,000 Services.
 */
export const PODS = Number(process.env.BENCH_PODS ?? 10_000);
if (!Number.isInteger(PODS) || PODS < 200 || PODS % 200 !== 0) throw new Error(`BENCH_PODS=${process.env.BENCH_PODS}: a whole multiple of 200, e.g. 30000`);
export const NODES = PODS / 20;
export const SERVICES = PODS / 5;
export const NAMESPACES = PODS / 200;
export const PODS_PER_SERVICE = PODS / SERVICES;

export const hash = (n: number, len: number) => (n * 2654435761 >>> 0).toString(36).padStart(len, 'x').slice(-len);

/** Pod i: namespace, name, node and IP (exported so the benchmark picks real names). */
export function podOf(i: number): { namespace: string; name: string; node: number; ip: string; service: number } {
  const svc = Math.floor(i / PODS_PER_SERVICE);
  const nodeIndex = i % NODES;
  const slot = Math.floor(i / NODES) + 2;
  return {
    namespace: `team-${svc % NAMESPACES}`,
    name: `svc-${svc}-${hash(svc + 7, 9)}-${hash(i + 13, 5)}`,
    node: nodeIndex,
    ip: `10.${64 + (nodeIndex >> 8)}.${nodeIndex & 255}.${slot}`,
    service: svc,
  };
}
