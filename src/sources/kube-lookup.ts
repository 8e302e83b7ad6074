import { BackendError, UserError } from '../core/errors.js';
import { closest, rankSimilar } from '../core/similar-names.js';
import { checkKubernetesName } from '../net/names.js';
import { LabelSelectorError, SELECTOR_EXAMPLE, matchesLabels, parseLabelSelector, type LabelSelector } from '../net/label-selector.js';
import type { KubeCluster } from './kube-cluster.js';
import type { KubeEndpointSlice, KubeNode, KubePod, KubeService } from './kube-model.js';
import { selects } from './kube-model.js';
import type { KubeSource } from './kubernetes.js';

/**
 * Finding pods, Services and nodes the way a person asks for them: a name with or without -n, a
 * Deployment-style prefix, a typo. Names are checked (RFC 1123) before anything is sent to the API;
 * "not found" comes with the closest names, "several match" with the candidates. A conversation
 * scoped to some namespaces (deps.namespaces) sees only those.
 */

const MAX_CANDIDATES = 10;

/** The Kubernetes source, or a BackendError saying none is configured. */
/** Kubernetes namespaces a conversation may see (a Slack channel's scope); undefined = every namespace. */
export interface NamespaceScope {
  namespaces?: readonly string[];
}

export function requireKube(deps: { kube?: KubeSource }): KubeSource {
  if (!deps.kube) {
    throw new BackendError('kubernetes', 'This netpeek has no Kubernetes cluster to ask.', [
      'Set KUBECONFIG (and NETPEEK_KUBE_CONTEXT), or run netpeek inside the cluster with its service account; `status` shows what it found.',
    ]);
  }
  return deps.kube;
}

/** The cluster a question is about: --context, else the default context. */
export function clusterFor(deps: { kube?: KubeSource }, context: string | undefined): KubeCluster {
  return requireKube(deps).cluster(context);
}

export function inScope(deps: NamespaceScope, namespace: string): boolean {
  return deps.namespaces === undefined || deps.namespaces.includes(namespace);
}

/**
 * Checks -n: its spelling, that this conversation may see it, and that it exists. Returns it.
 * An unknown namespace is a not_found UserError with the closest names.
 */
export async function requireNamespace(cluster: KubeCluster, namespace: string, deps: NamespaceScope): Promise<string> {
  checkKubernetesName(namespace, 'namespace');
  if (!inScope(deps, namespace)) {
    throw new UserError(`Namespace ${namespace} is outside what this conversation may see.`, [`Namespaces here: ${deps.namespaces!.join(', ') || '(none)'}`], 'forbidden');
  }
  if (await cluster.namespace(namespace)) return namespace;
  const names = (await cluster.namespaces()).map((n) => n.name).filter((n) => inScope(deps, n));
  const near = closest(namespace, names);
  throw new UserError(
    `There is no namespace "${namespace}" in context ${cluster.context}.${near ? ` Did you mean "${near}"?` : ''}`,
    [`Namespaces: ${names.sort().slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`, 'Example: pod webserver-2 -n default'],
    'not_found',
  );
}

/** A found pod, and how: `prefix` when the name was the start of the only matching pod's name. */
export interface FoundPod {
  pod: KubePod;
  matchedBy: 'name' | 'prefix';
}

const qualified = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;

/**
 * The pod a name means. With a namespace: that pod, else the pods whose names start with it
 * (`webserver` → `webserver-7d9c5b-x2x1`). Without: the pod of that name in whichever namespace has one.
 * One prefix candidate is answered (flagged as such); several are listed as ambiguous.
 */
export async function findPod(cluster: KubeCluster, input: string, namespace: string | undefined, deps: NamespaceScope): Promise<FoundPod> {
  const name = checkKubernetesName(input, 'pod');
  if (namespace !== undefined) {
    const ns = checkKubernetesName(namespace, 'namespace');
    if (!inScope(deps, ns)) await requireNamespace(cluster, ns, deps);
    const pod = await cluster.pod(ns, name);
    if (pod) return { pod, matchedBy: 'name' };
    await requireNamespace(cluster, ns, deps);
    return byPrefix(name, await cluster.pods({ namespace: ns }), cluster, ` in namespace ${ns}`);
  }
  const exact = (await cluster.podsNamed(name)).filter((p) => inScope(deps, p.namespace));
  if (exact.length === 1) return { pod: exact[0]!, matchedBy: 'name' };
  if (exact.length > 1) {
    const namespaces = exact.map((p) => p.namespace).sort();
    throw new UserError(
      `There is a pod "${name}" in ${exact.length} namespaces (${namespaces.join(', ')}); say which with -n.`,
      [...namespaces.slice(0, MAX_CANDIDATES).map((ns) => `pod ${name} -n ${ns}`)],
      'ambiguous',
    );
  }
  const all = (await cluster.pods()).filter((p) => inScope(deps, p.namespace));
  return byPrefix(name, all, cluster, '');
}

function byPrefix(name: string, pods: readonly KubePod[], cluster: KubeCluster, where: string): FoundPod {
  const candidates = pods.filter((p) => p.name.startsWith(name)).sort((a, b) => qualified(a).localeCompare(qualified(b)));
  if (candidates.length === 1) return { pod: candidates[0]!, matchedBy: 'prefix' };
  if (candidates.length > 1) {
    const shown = candidates.slice(0, MAX_CANDIDATES).map((p) => `${p.name} (namespace ${p.namespace}${p.podIPs[0] ? `, ${p.podIPs[0]}` : ''})`);
    throw new UserError(
      `There is no pod named "${name}"${where}, but ${candidates.length} pods start with it; which one?`,
      [...shown, ...(candidates.length > MAX_CANDIDATES ? [`…and ${candidates.length - MAX_CANDIDATES} more`] : []), `Example: pod ${candidates[0]!.name} -n ${candidates[0]!.namespace}`],
      'ambiguous',
    );
  }
  const names = [...new Set(pods.map((p) => p.name))];
  const near = closest(name, names);
  const similar = rankSimilar(name, names).filter((n) => n !== near);
  throw new UserError(
    `There is no pod "${name}"${where} in context ${cluster.context}.${near ? ` Did you mean "${near}"?` : ''}`,
    [...(similar.length ? [`Similar names: ${similar.join(', ')}`] : []), '`kubectl get pods -A -o wide` lists them. Example: pod webserver-2 -n default'],
    'not_found',
  );
}

/** The Service a name means, in -n's namespace or whichever namespace has one. */
export async function findService(cluster: KubeCluster, input: string, namespace: string | undefined, deps: NamespaceScope): Promise<KubeService> {
  const name = checkKubernetesName(input, 'service');
  if (namespace !== undefined) {
    const ns = await requireNamespace(cluster, namespace, deps);
    const svc = await cluster.service(ns, name);
    if (svc) return svc;
    return notFoundService(name, await cluster.services(ns), cluster, ` in namespace ${ns}`);
  }
  const matches = (await cluster.servicesNamed(name)).filter((s) => inScope(deps, s.namespace));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const namespaces = matches.map((s) => s.namespace).sort();
    throw new UserError(`There is a Service "${name}" in ${matches.length} namespaces (${namespaces.join(', ')}); say which with -n.`, namespaces.slice(0, MAX_CANDIDATES).map((ns) => `svc ${name} -n ${ns}`), 'ambiguous');
  }
  return notFoundService(name, (await cluster.services()).filter((s) => inScope(deps, s.namespace)), cluster, '');
}

function notFoundService(name: string, services: readonly KubeService[], cluster: KubeCluster, where: string): never {
  const names = [...new Set(services.map((s) => s.name))];
  const near = closest(name, names);
  const similar = rankSimilar(name, names).filter((n) => n !== near);
  throw new UserError(
    `There is no Service "${name}"${where} in context ${cluster.context}.${near ? ` Did you mean "${near}"?` : ''}`,
    [...(similar.length ? [`Similar names: ${similar.join(', ')}`] : []), '`kubectl get svc -A` lists them. Example: svc web -n default'],
    'not_found',
  );
}

export async function findNode(cluster: KubeCluster, input: string): Promise<KubeNode> {
  const name = checkKubernetesName(input, 'node');
  const node = await cluster.node(name);
  if (node) return node;
  const names = (await cluster.nodes()).map((n) => n.name);
  const near = closest(name, names);
  throw new UserError(
    `There is no node "${name}" in context ${cluster.context}.${near ? ` Did you mean "${near}"?` : ''}`,
    [`Nodes: ${names.sort().slice(0, 20).join(', ') || '(none)'}${names.length > 20 ? ', …' : ''}`, 'Example: node worker-1'],
    'not_found',
  );
}

/** Services in the pod's namespace whose selector matches its labels; `listed`: that namespace's Services, when the caller asked already. */
export async function servicesSelecting(cluster: KubeCluster, pod: KubePod, listed?: Promise<KubeService[]>): Promise<KubeService[]> {
  return (await (listed ?? cluster.services(pod.namespace))).filter((s) => selects(s, pod)).sort((a, b) => a.name.localeCompare(b.name));
}

/** Where a pod appears in a Service's EndpointSlices. */
export interface PodEndpoint {
  slice: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** Resolved port numbers the slice lists (by port name). */
  ports: KubeEndpointSlice['ports'];
}

/** The pod's entries in the slices (by targetRef, else by address). */
export function podInSlices(pod: KubePod, slices: readonly KubeEndpointSlice[]): PodEndpoint[] {
  const out: PodEndpoint[] = [];
  for (const s of slices) {
    for (const e of s.endpoints) {
      const byRef = e.pod ? e.pod.name === pod.name && e.pod.namespace === pod.namespace : false;
      const byIp = !e.pod && e.addresses.some((a) => pod.podIPs.includes(a));
      if (byRef || byIp) out.push({ slice: s.name, ready: e.ready, serving: e.serving, terminating: e.terminating, ports: s.ports });
    }
  }
  return out;
}

/** Which objects a listing (`pod -l app=web -n shop`, `svc -A`) covers, in words for its summary. */
export interface ListScope {
  /** One namespace, or undefined for every namespace this conversation may see. */
  namespace?: string;
  selector?: LabelSelector;
  /** The selector as typed, for the answer. */
  selectorText?: string;
  /** "in namespace shop" / "in every namespace". */
  where: string;
}

/**
 * -A / -n / -l → what to list, as kubectl reads them: -A is every namespace (and wins over -n), -n one,
 * and neither the context's own namespace. The selector is checked before any API call.
 */
export async function listScope(cluster: KubeCluster, o: { namespace?: string; allNamespaces?: boolean; selector?: string }, deps: NamespaceScope): Promise<ListScope> {
  const selector = o.selector !== undefined ? readSelector(o.selector, 'pod -l app=web -n shop') : undefined;
  const sel = selector ? { selector, selectorText: o.selector } : {};
  if (o.allNamespaces) return { ...sel, where: deps.namespaces ? `in the namespaces this conversation may see (${deps.namespaces.join(', ')})` : 'in every namespace' };
  const namespace = await requireNamespace(cluster, o.namespace ?? cluster.defaultNamespace, deps);
  return { ...sel, namespace, where: `in namespace ${namespace}` };
}

/** -l's label query, read before any API call; a malformed one is a UserError with the accepted form. */
export function readSelector(text: string, example: string): LabelSelector {
  try {
    return parseLabelSelector(text);
  } catch (err) {
    if (!(err instanceof LabelSelectorError)) throw err;
    throw new UserError(`-l ${text}: ${err.message}.`, [`A selector is key=value requirements joined by commas, e.g. -l ${SELECTOR_EXAMPLE}`, `Example: ${example}`]);
  }
}

/** The pods a listing covers, sorted by namespace and name. */
export async function listPods(cluster: KubeCluster, scope: ListScope, deps: NamespaceScope): Promise<KubePod[]> {
  const pods = await cluster.pods(scope.namespace !== undefined ? { namespace: scope.namespace } : {});
  return pods.filter((p) => inScope(deps, p.namespace) && (!scope.selector || matchesLabels(scope.selector, p.labels))).sort((a, b) => qualified(a).localeCompare(qualified(b)));
}

/** The Services a listing covers (by the Services' own labels), sorted by namespace and name. */
export async function listServices(cluster: KubeCluster, scope: ListScope, deps: NamespaceScope): Promise<KubeService[]> {
  const services = await cluster.services(scope.namespace);
  return services.filter((s) => inScope(deps, s.namespace) && (!scope.selector || matchesLabels(scope.selector, s.labels ?? {}))).sort((a, b) => qualified(a).localeCompare(qualified(b)));
}
