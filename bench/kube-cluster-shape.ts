/**
 * The shape of the benchmark cluster (bench/kube-cluster-fixture.ts builds it): how many of each object,
 * and pod i's namespace, name, node and IP. Kept apart so the measuring process imports no server code.
 */
export const NODES = 500;
export const PODS = 10_000;
export const SERVICES = 2_000;
export const NAMESPACES = 50;
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
