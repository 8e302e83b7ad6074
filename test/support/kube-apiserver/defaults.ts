/**
 * What the real API server does to an object on create before storing it: name validation and
 * generateName, the v1 defaulting functions (pods, services, namespaces, nodes, endpoint slices),
 * and the admission/allocation steps that fill in fields (service account, cluster IP, node ports).
 */
import { randomInt } from 'node:crypto';
import type { KubeObject, ResourceDef } from './resources.js';
import { StatusError, status } from './status.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const NAME_RULES = {
  subdomain: { re: SUBDOMAIN, max: 253, msg: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
  label1123: { re: LABEL_1123, max: 63, msg: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" },
  label1035: { re: LABEL_1035, max: 63, msg: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
};

function invalid(r: ResourceDef, name: string, field: string, causeReason: string, detail: string): StatusError {
  return new StatusError(
    status(422, 'Invalid', `${r.kind} "${name}" is invalid: ${field}: ${detail}`, {
      name,
      ...(r.group ? { group: r.group } : {}),
      kind: r.kind,
      causes: [{ reason: causeReason, message: detail, field }],
    }),
  );
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Fills metadata.name from generateName and checks it; throws 422 Invalid like the real validation. */
export function validateName(r: ResourceDef, o: KubeObject): void {
  const md = o.metadata;
  if (!md.name && md.generateName) {
    md.name = md.generateName + Array.from({ length: 5 }, () => NAME_CHARS[randomInt(NAME_CHARS.length)]).join('');
  }
  if (!md.name) throw invalid(r, '', 'metadata.name', 'FieldValueRequired', 'Required value: name or generateName is required');
  const rule = r.kind === 'Service' ? NAME_RULES.label1035 : r.nameIsLabel ? NAME_RULES.label1123 : NAME_RULES.subdomain;
  if (md.name.length > rule.max || !rule.re.test(md.name)) {
    throw invalid(r, md.name, 'metadata.name', 'FieldValueInvalid', `Invalid value: ${JSON.stringify(md.name)}: ${rule.msg}`);
  }
}

function defaultContainer(c: Json, hostNetwork: boolean): void {
  const image = String(c.image ?? '');
  const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0].slice(1);
  c.imagePullPolicy ??= tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of arr(c.ports)) {
    p.protocol ??= 'TCP';
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
}

function qosClass(containers: Json[]): string {
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const res = obj(c.resources);
    const req = obj(res.requests), lim = obj(res.limits);
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const k of ['cpu', 'memory']) {
      if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

function defaultPod(o: KubeObject): void {
  const spec = (o.spec = obj(o.spec));
  const hostNetwork = spec.hostNetwork === true;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.tolerations ??= ['not-ready', 'unreachable'].map((t) => ({
    key: `node.kubernetes.io/${t}`, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300,
  }));
  const containers = arr(spec.containers);
  for (const c of [...arr(spec.initContainers), ...containers]) defaultContainer(c, hostNetwork);
  const st = (o.status = obj(o.status));
  st.phase ??= 'Pending';
  st.qosClass ??= qosClass([...arr(spec.initContainers), ...containers]);
}

export type Allocator = { clusterIP(): string; nodePort(taken: Set<number>): number };

function defaultService(o: KubeObject, alloc: Allocator): void {
  const spec = (o.spec = obj(o.spec));
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = alloc.clusterIP();
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  const exposed = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (exposed) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  const taken = new Set(arr(spec.ports).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number'));
  for (const p of arr(spec.ports)) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    if (exposed && !p.nodePort && spec.allocateLoadBalancerNodePorts !== false) taken.add((p.nodePort = alloc.nodePort(taken)));
  }
  o.status ??= { loadBalancer: {} };
}

/**
 * networking/v1 SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort: policyTypes is filled in when
 * absent (Ingress always, Egress when there are egress rules), every port gets protocol TCP, and
 * podSelector (a struct, not a pointer) is always present. Runs on every write, as decoding does.
 */
export function defaultNetworkPolicy(o: KubeObject): void {
  const spec = (o.spec = obj(o.spec));
  spec.podSelector = obj(spec.podSelector);
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress', ...(arr(spec.egress).length ? ['Egress'] : [])];
  }
  for (const rule of [...arr(spec.ingress), ...arr(spec.egress)]) for (const p of arr(rule.ports)) p.protocol ??= 'TCP';
}

/** Applies the server's defaulting for `r` to a new object (in place). */
export function applyCreateDefaults(r: ResourceDef, o: KubeObject, alloc: Allocator): void {
  switch (r.kind) {
    case 'Pod':
      defaultPod(o);
      break;
    case 'Service':
      defaultService(o, alloc);
      break;
    case 'Namespace': {
      o.spec ??= { finalizers: ['kubernetes'] };
      o.status ??= { phase: 'Active' };
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! };
      break;
    }
    case 'Node': {
      const spec = (o.spec = obj(o.spec));
      if (typeof spec.podCIDR === 'string' && !Array.isArray(spec.podCIDRs)) spec.podCIDRs = [spec.podCIDR];
      if (Array.isArray(spec.podCIDRs) && spec.podCIDRs.length && spec.podCIDR === undefined) spec.podCIDR = spec.podCIDRs[0];
      break;
    }
    case 'EndpointSlice':
      for (const p of arr(o.ports)) p.protocol ??= 'TCP';
      break;
    case 'NetworkPolicy':
      defaultNetworkPolicy(o);
      break;
  }
}

/** What the allocator needs to know: addresses and ports taken, and a count that grows whenever one is released. */
export type InUse = { ips: { has(ip: string): boolean }; ports: { has(port: number): boolean }; releases: number };

/**
 * Cluster IPs from a /12 (10.96.0.0/12 by default, like kubeadm) and node ports from 30000-32767, always the
 * lowest free one. Every address below `hint` is taken until something is released, so a run of 20,000
 * Services does not rescan the taken ones each time.
 */
export function makeAllocator(serviceCIDR: string, inUse: () => InUse): Allocator {
  const [base, bitsStr] = serviceCIDR.split('/');
  const bits = Number(bitsStr);
  const baseNum = base!.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const size = 2 ** (32 - bits);
  const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  let hint = 1;
  let releases = 0;
  return {
    clusterIP() {
      const now = inUse();
      if (now.releases !== releases) [hint, releases] = [1, now.releases];
      for (let i = hint; i < size - 1; i++) {
        const ip = toIp(baseNum + i);
        if (!now.ips.has(ip)) {
          hint = i;
          return ip;
        }
      }
      throw new StatusError(status(500, 'InternalError', 'Internal error occurred: failed to allocate a serviceIP: range is full'));
    },
    nodePort(taken) {
      const used = inUse().ports;
      for (let p = 30000; p <= 32767; p++) if (!used.has(p) && !taken.has(p)) return p;
      throw new StatusError(status(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full'));
    },
  };
}
