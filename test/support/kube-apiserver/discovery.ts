/**
 * Discovery documents: the legacy ones (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) and the aggregated
 * `apidiscovery.k8s.io/v2` lists kubectl 1.30+ asks for first, plus `/version`.
 */
import type { ResourceDef } from './resources.js';
import { CLUSTER_VERBS, GROUPS, RESOURCES, RESOURCE_VERBS } from './resources.js';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac5d9f9ad1',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const STATUS_VERBS = ['get', 'patch', 'update'];
const verbsOf = (r: ResourceDef) => [...(r.kind === 'Node' || r.kind === 'Namespace' ? CLUSTER_VERBS : RESOURCE_VERBS)];
const inGroup = (group: string, version: string) => RESOURCES.filter((r) => r.group === group && r.version === version);

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, version: string): object {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

/**
 * API groups a test adds to discovery as if a CRD (or an aggregated API) served them, with no
 * resources the server stores: what lets a client see that, e.g., AdminNetworkPolicy exists.
 */
export type ExtraGroup = { group: string; version: string };

export function apiGroupList(extra: readonly ExtraGroup[] = []): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...GROUPS, ...extra].map((g) => apiGroup(g.group, g.version)) };
}

export function apiGroupDoc(group: string, extra: readonly ExtraGroup[] = []): object | undefined {
  const g = [...GROUPS, ...extra].find((x) => x.group === group);
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.version) };
}

/** `APIResourceList` for one group version, or undefined when the server does not serve it. */
export function apiResourceList(group: string, version: string, extra: readonly ExtraGroup[] = []): object | undefined {
  const rs = inGroup(group, version);
  if (rs.length === 0 && extra.some((g) => g.group === group && g.version === version)) return { kind: 'APIResourceList', groupVersion: `${group}/${version}`, resources: [] };
  if (rs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of rs) {
    resources.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r),
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    if (r.hasStatus) {
      resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: STATUS_VERBS });
    }
  }
  return { kind: 'APIResourceList', groupVersion: group ? `${group}/${version}` : version, resources };
}

function resourceDiscovery(r: ResourceDef): object {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  return {
    resource: r.plural,
    responseKind: gvk,
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: verbsOf(r),
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.hasStatus ? { subresources: [{ subresource: 'status', responseKind: gvk, verbs: STATUS_VERBS }] } : {}),
  };
}

/** The aggregated discovery list for `/api` (legacy: true) or `/apis`. */
export function aggregatedDiscovery(legacy: boolean, apiVersion: 'v2' | 'v2beta1', extra: readonly ExtraGroup[] = []): object {
  const groups = legacy ? [{ group: '', version: 'v1' }] : [...GROUPS, ...extra];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${apiVersion}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: g.group ? { name: g.group, creationTimestamp: null } : { creationTimestamp: null },
      versions: [{ version: g.version, resources: inGroup(g.group, g.version).map(resourceDiscovery), freshness: 'Current' }],
    })),
  };
}

/** Which aggregated discovery version the Accept header asks for first, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(
      part.split(';').slice(1).map((kv) => kv.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'APIGroupDiscoveryList' && params.get('g') === 'apidiscovery.k8s.io') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
  }
  return undefined;
}
