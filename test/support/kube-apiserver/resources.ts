/**
 * The resource types the test API server serves, described the way the real API server's discovery
 * documents describe them, plus the per-type rules the server applies (field selectors, status
 * subresource, generation, create-on-update).
 */

/** A Kubernetes object as JSON. */
export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
};

export type ObjectMeta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
};

export type ResourceDef = {
  group: string; // '' for core
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Field selector labels the real server accepts for this kind; undefined = the metadata-only default. */
  fieldLabels?: string[];
  /** Has a /status subresource: PUT on the main resource keeps the stored status. */
  hasStatus: boolean;
  /** metadata.generation is set on create and bumped when spec changes. */
  tracksGeneration: boolean;
  /** PUT of a missing object creates it (leases do; most types answer 404). */
  allowCreateOnUpdate: boolean;
  /** metadata.name must be an RFC 1123 label (services, namespaces) rather than a subdomain. */
  nameIsLabel: boolean;
  /** DELETE answers with the deleted object (pods, services); otherwise with a Success Status. */
  returnDeletedObject: boolean;
};

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const RESOURCE_VERBS: readonly string[] = VERBS;
/** Namespaces and nodes have no deletecollection in the real server. */
export const CLUSTER_VERBS: readonly string[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function def(d: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>): ResourceDef {
  return {
    singular: d.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    hasStatus: false,
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    nameIsLabel: false,
    returnDeletedObject: false,
    ...d,
  };
}

export const RESOURCES: readonly ResourceDef[] = [
  def({
    group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
    hasStatus: true, tracksGeneration: true, returnDeletedObject: true,
    fieldLabels: [
      'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
      'status.nominatedNodeName',
    ],
  }),
  def({
    group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
    hasStatus: true, nameIsLabel: true, returnDeletedObject: true,
    fieldLabels: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
  }),
  def({
    group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'],
    hasStatus: true, fieldLabels: ['metadata.name', 'spec.unschedulable'],
  }),
  def({
    group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
    hasStatus: true, nameIsLabel: true, fieldLabels: ['metadata.name', 'status.phase'],
  }),
  def({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  def({
    group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
    tracksGeneration: true,
  }),
  def({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, allowCreateOnUpdate: true }),
  // No status subresource: NetworkPolicyStatus was removed in 1.28. Generation is tracked (spec changes bump it).
  def({
    group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'],
    tracksGeneration: true,
  }),
];

export function apiVersionOf(r: ResourceDef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** "pods" for core, "endpointslices.discovery.k8s.io" otherwise: how RBAC and error messages name a resource. */
export function qualifiedName(r: ResourceDef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** The key the store files objects under. */
export function resourceKey(r: ResourceDef): string {
  return `${r.group}/${r.plural}`;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Looks a type up by kind ("Pod"), plural ("pods"), singular ("pod") or short name ("po"), optionally with an apiVersion. */
export function resolveResource(kindOrPlural: string, apiVersion?: string): ResourceDef {
  const lower = kindOrPlural.toLowerCase();
  const found = RESOURCES.find(
    (r) =>
      (r.kind === kindOrPlural || r.plural === lower || r.singular === lower || r.kind.toLowerCase() === lower || r.shortNames.includes(lower)) &&
      (apiVersion === undefined || apiVersionOf(r) === apiVersion),
  );
  if (!found) throw new Error(`kube-apiserver test server: unknown resource ${apiVersion ? `${apiVersion} ` : ''}${kindOrPlural}`);
  return found;
}

export const GROUPS: readonly { group: string; version: string }[] = [
  { group: 'networking.k8s.io', version: 'v1' },
  { group: 'discovery.k8s.io', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
];
