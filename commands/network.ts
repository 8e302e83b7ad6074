import type Docker from 'dockerode';
import type { Answer, Fact, Table } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { UserError, isNetpeekError } from '../src/core/errors.js';
import {
  BRIDGE_REACHABLE_FROM_HOST,
  DOCKER_DESKTOP_SHELL_COMMANDS,
  DOCKER_DESKTOP_VM,
  HOST_NETWORK,
  NONE_NETWORK,
  VETH_PAIR,
  internalNetworkSentence,
  isDockerDesktop,
} from '../src/net/explain-docker.js';
import { checkDockerName } from '../src/net/names.js';
import { firstAddress, subnetOfCidr } from '../src/net/subnet.js';
import type { DockerSource } from '../src/sources/docker.js';
import { attachedAddresses, networkSubnets } from '../src/sources/docker-facts.js';
import {
  POD_NETWORK_IS_SEPARATE,
  SERVICE_CIDR_NOT_VISIBLE,
  podDockerOverlapWarning,
  podNetworkVsDockerSentence,
  serviceCidrSentence,
} from '../src/net/explain-kube.js';
import { coveringCidr, inferServiceCidrs, podDockerOverlaps } from '../src/net/pod-cidr.js';
import type { KubeNode } from '../src/sources/kube-model.js';
import { nodeIp } from '../src/sources/kube-model.js';
import { containerName, findNetwork, requireDocker } from '../src/sources/docker-lookup.js';

/**
 * Where networks come from. Docker is the only provider today; the Kubernetes pod network (pod CIDRs per
 * node) becomes a second entry of NETWORK_PROVIDERS, and the overview then lists both.
 */
interface NetworkProvider {
  /** Shown in the overview's "backend" column: "Docker", "Kubernetes". */
  backend: string;
  /** Whether this netpeek has the backend at all. */
  available(deps: Deps): boolean;
  /** One row per network: name, driver, subnets, gateways, notes (-o wide: then ID, scope, internal, IPv6). */
  overview(q: Asked): Promise<OverviewRow[]>;
  /** The answer about one network; throws a not_found UserError when this backend has no such network. */
  describe(name: string, q: Asked): Promise<Answer>;
}

/** One question being answered: the deps, and the Kubernetes view loaded at most once for it. */
interface Asked {
  deps: Deps;
  kubeView(): Promise<KubeView>;
}

/** An overview row, its -o wide cells, and the object `-o name` prints for it (Docker networks only: the Kubernetes rows are ranges, not objects). */
interface OverviewRow {
  cells: string[];
  wide: string[];
  item?: string;
}

function asked(deps: Deps): Asked {
  let view: Promise<KubeView> | undefined;
  // The overview rows and the notes share one view, failures included.
  return { deps, kubeView: () => (view ??= loadKubeView(deps)) };
}

const OVERVIEW_COLUMNS = ['network', 'backend', 'driver', 'subnets', 'gateways', 'notes'];
/** What -o wide adds, as `docker network ls --no-trunc` and `inspect` show it. */
const WIDE_COLUMNS = ['ID', 'scope', 'internal', 'IPv6'];
const NOT_DOCKER = ['—', '—', '—', '—'];

export const network: NetpeekCommand = {
  name: 'network',
  aliases: ['net'],
  summary: 'Networks and their subnets; with a name, its gateway, driver and attached containers',
  args: [{ name: '<name|id-prefix>', required: false, completes: ['network'] }],
  flags: [],
  examples: ['network', 'network bridge', 'net my-app_default'],
  subject: { role: 'lookup', kind: 'network' },
  sendsPackets: 'never',
  description:
    'Without a name: every Docker network with its subnets and gateways (-o wide adds ID, scope, internal and IPv6; -o name prints network/NAME a line). With a name: its subnets, gateway, driver, whether it is internal or attachable, and the containers on it with their addresses.',
  async run(query, deps) {
    const name = query.args[0];
    const providers = NETWORK_PROVIDERS.filter((p) => p.available(deps));
    if (providers.length === 0) requireDocker(deps); // throws the "no Docker engine" explanation
    const q = asked(deps);
    return name === undefined ? overview(providers, q, query.flags.output === 'wide') : describeNamed(name, providers, q);
  },
};

async function overview(providers: NetworkProvider[], q: Asked, wide: boolean): Promise<Answer> {
  const answer = newAnswer('network', 'networks', { subject: { kind: 'network', name: 'all networks' } });
  const table: Table = { title: 'Networks', columns: wide ? [...OVERVIEW_COLUMNS, ...WIDE_COLUMNS] : OVERVIEW_COLUMNS, rows: [] };
  answer.items = [];
  for (const p of providers) {
    try {
      for (const row of await p.overview(q)) {
        table.rows.push(wide ? [...row.cells, ...row.wide] : row.cells);
        if (row.item) answer.items.push({ kind: 'network', name: row.item });
      }
    } catch (err) {
      // One backend down must not hide the others' networks; alone, its error is the answer.
      if (providers.length === 1 || !isNetpeekError(err)) throw err;
      answer.warnings.push(`${p.backend}: ${err.message}`);
    }
  }
  answer.tables.push(table);
  await kubernetesOverviewNotes(answer, providers, q);
  answer.summary = `${table.rows.length} network${table.rows.length === 1 ? '' : 's'}.`;
  answer.hints.push('`network <name>` shows a network\'s gateway and the containers on it, e.g. `network bridge`.');
  return answer;
}

async function describeNamed(name: string, providers: NetworkProvider[], q: Asked): Promise<Answer> {
  let notFound: unknown;
  for (const p of providers) {
    try {
      return await p.describe(name, q);
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'not_found')) throw err;
      notFound ??= err;
    }
  }
  throw notFound;
}

// ---- Docker ----

const dockerNetworks: NetworkProvider = {
  backend: 'Docker',
  available: (deps) => deps.docker !== undefined,
  async overview({ deps }) {
    const networks = await requireDocker(deps).listNetworks();
    return [...networks]
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map((n) => ({
        cells: [n.Name, 'Docker', n.Driver, networkSubnets(n).join(', ') || '—', (n.IPAM?.Config ?? []).map((c) => gatewayText(gatewayOf(n, c))).join(', ') || '—', notes(n).join(', ')],
        wide: [n.Id.slice(0, 12), n.Scope || '—', n.Internal ? 'yes' : 'no', n.EnableIPv6 ? 'yes' : 'no'],
        item: n.Name,
      }));
  },
  async describe(name, { deps }) {
    const docker = requireDocker(deps);
    const ref = checkDockerName(name, 'network');
    // Docker Desktop or not from DockerSource.identify, as `container` asks it: /info (the engine's slowest
    // read) only the first time this engine is met, known by the network list findNetwork reads anyway.
    const listed = docker.listNetworks();
    const [net, containers, identity] = await Promise.all([listed.then((all) => findNetwork(docker, ref, all)), docker.listContainers(), listed.then((all) => docker.identify(all))]);
    return dockerNetworkAnswer(net, containers, docker, isDockerDesktop(identity));
  },
};

const NETWORK_PROVIDERS: readonly NetworkProvider[] = [dockerNetworks, kubeNetworkProvider()];

/**
 * The gateway of a subnet. Docker often records none when it chose the gateway itself; for a bridge that
 * is the subnet's first address (docker0's 172.17.0.1), marked as assumed so it is not taken for configuration.
 */
function gatewayOf(n: Docker.NetworkInspectInfo, c: { Subnet?: string; Gateway?: string }): { ip: string; assumed: boolean } | undefined {
  if (c.Gateway) return { ip: c.Gateway, assumed: false };
  const first = n.Driver === 'bridge' && c.Subnet ? firstAddress(c.Subnet) : undefined;
  return first ? { ip: first, assumed: true } : undefined;
}

function gatewayText(g: { ip: string; assumed: boolean } | undefined): string {
  if (!g) return '—';
  return g.assumed ? `${g.ip} (Docker's default)` : g.ip;
}

function gateways(n: Docker.NetworkInspectInfo): string[] {
  return (n.IPAM?.Config ?? []).flatMap((c) => gatewayOf(n, c)?.ip ?? []);
}

function notes(n: Docker.NetworkInspectInfo): string[] {
  return [n.Internal ? 'internal' : '', n.Attachable ? 'attachable' : '', n.EnableIPv6 ? 'IPv6' : '', n.Scope !== 'local' ? n.Scope : ''].filter(Boolean);
}

/** The host interface a bridge network uses: docker0 for the default one, br-<12 hex> for the rest. */
function bridgeInterface(n: Docker.NetworkInspectInfo): string | undefined {
  if (n.Driver !== 'bridge') return undefined;
  return n.Options?.['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`;
}

function dockerNetworkAnswer(n: Docker.NetworkInspectInfo, containers: Docker.ContainerInfo[], docker: DockerSource, desktop: boolean): Answer {
  const subnets = networkSubnets(n);
  const gw = gateways(n);
  const bridge = bridgeInterface(n);
  const facts: Fact[] = [
    { label: 'Driver', value: n.Driver },
    { label: 'Scope', value: n.Scope },
    { label: 'Internal', value: n.Internal ? 'yes — no route out, published ports are not forwarded' : 'no' },
    { label: 'Attachable', value: n.Attachable ? 'yes' : 'no' },
    { label: 'IPv6', value: n.EnableIPv6 ? 'enabled' : 'disabled' },
    ...(bridge ? [{ label: 'Host interface', value: bridge }] : []),
    { label: 'ID', value: n.Id.slice(0, 12) },
    { label: 'Docker engine', value: docker.endpoint },
  ];
  const answer = newAnswer('network', `network ${n.Name}`, {
    subject: { kind: 'network', name: n.Name, id: n.Id, source: docker.endpoint },
    facts,
  });
  answer.tables.push({
    title: 'Subnets',
    columns: ['subnet', 'gateway', 'broadcast', 'IP range'],
    rows: (n.IPAM?.Config ?? []).filter((c) => c.Subnet).map((c) => [c.Subnet!, gatewayText(gatewayOf(n, c)), broadcastOf(c.Subnet!) ?? '—', c.IPRange ?? '—']),
  });
  const attached = attachedRows(n, containers);
  answer.tables.push({ title: 'Containers', columns: ['container', 'IPv4', 'IPv6', 'MAC', 'sharing its namespace'], rows: attached });
  const count = `${attached.length} container${attached.length === 1 ? '' : 's'} attached`;
  const where = subnets.length ? ` with ${subnets.join(', ')}${gw.length ? ` (gateway ${gw.join(', ')})` : ''}` : '';
  answer.summary = `"${n.Name}" is a ${n.Driver} network${where}; ${count}.`;
  if (n.Driver === 'bridge') answer.explanations.push(BRIDGE_REACHABLE_FROM_HOST, VETH_PAIR);
  if (n.Driver === 'host') answer.explanations.push(HOST_NETWORK);
  if (n.Driver === 'null') answer.explanations.push(NONE_NETWORK);
  if (n.Internal) answer.explanations.push(internalNetworkSentence(n.Name));
  if (desktop && n.Driver === 'bridge') {
    answer.warnings.push(`The engine runs inside Docker Desktop's VM: ${subnets.join(', ') || 'this network'} exists only inside that VM, not on this Mac or PC.`);
    answer.explanations.push(DOCKER_DESKTOP_VM);
    answer.hints.push(...DOCKER_DESKTOP_SHELL_COMMANDS);
  }
  if (attached.length) answer.hints.push(`\`container ${attached[0]![0]}\` shows one container's ports and who can reach it.`);
  return answer;
}

function broadcastOf(subnet: string): string | undefined {
  try {
    return subnetOfCidr(subnet).broadcast;
  } catch {
    return undefined;
  }
}

/**
 * One row per attached container. Containers started with --network container:<x> are not attached
 * themselves; they appear in x's row, since they use x's addresses.
 */
function attachedRows(n: Docker.NetworkInspectInfo, containers: Docker.ContainerInfo[]): string[][] {
  return Object.entries(n.Containers ?? {})
    .map(([id, c]) => {
      const addrs = attachedAddresses(n, c);
      const v4 = addrs.find((a) => a.family === 'ipv4');
      const v6 = addrs.find((a) => a.family === 'ipv6');
      const joined = containers.filter((o) => o.HostConfig?.NetworkMode === `container:${id}`).map(containerName).sort();
      return [c.Name, v4 ? `${v4.ip}/${v4.prefixLength}` : '—', v6 ? `${v6.ip}/${v6.prefixLength}` : '—', c.MacAddress || '—', joined.join(', ') || '—'];
    })
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

// ---- Kubernetes: node pod CIDRs, the service range, and how they differ from Docker's (seed note 9) ----

const MAX_NODE_ROWS = 50;
const POD_NETWORK_NAMES = ['pod-network', 'pods', 'kubernetes'];

type KubeView = { context: string; nodes: KubeNode[]; podCidrs: string[]; clusterIPs: string[] };
/** What the Kubernetes part of `network` is built from: the default context's nodes and ClusterIPs. */
async function loadKubeView(deps: Deps): Promise<KubeView> {
  const cluster = deps.kube!.cluster();
  const [nodes, services] = await Promise.all([cluster.nodes(), cluster.services()]);
  const sorted = [...nodes].sort((a, b) => a.name.localeCompare(b.name));
  const podCidrs = sorted.flatMap((n) => n.podCIDRs);
  return { context: cluster.context, nodes: sorted, podCidrs, clusterIPs: services.flatMap((x) => x.clusterIPs) };
}

/**
 * The ranges holding the nodes' pod CIDRs: per IPv4 /16 (so one odd node does not widen the range to
 * 0.0.0.0/0), and one range for IPv6.
 */
function podNetworkRanges(podCidrs: string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const c of podCidrs) {
    const key = c.includes(':') ? 'v6' : c.split('.').slice(0, 2).join('.');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].flatMap((g) => coveringCidr(g) ?? []);
}

function kubeRows(v: KubeView): string[][] {
  const rows: string[][] = [];
  const ranges = podNetworkRanges(v.podCidrs);
  rows.push([`pod network (${v.context})`, 'Kubernetes', 'network plugin', ranges.join(', ') || '—', '—', `at least ${ranges.length > 1 ? 'these ranges' : 'this range'}: covers the pod CIDRs of ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}`]);
  for (const n of v.nodes.slice(0, MAX_NODE_ROWS)) {
    rows.push([`pods on ${n.name}`, 'Kubernetes', 'pod CIDR', n.podCIDRs.join(', ') || '—', '—', n.podCIDRs.length ? `node ${nodeIp(n) ?? n.name}` : 'no podCIDR: the network plugin assigns addresses itself']);
  }
  if (v.nodes.length > MAX_NODE_ROWS) rows.push([`… ${v.nodes.length - MAX_NODE_ROWS} more nodes`, 'Kubernetes', 'pod CIDR', '—', '—', '`network pod-network` lists them all']);
  for (const g of inferServiceCidrs(v.clusterIPs)) {
    rows.push([`services (${v.context})`, 'Kubernetes', 'ClusterIP', g.cidr, '—', g.basis === 'default' ? `probably: the default of ${g.who}` : `at least: covers ${g.from} ClusterIPs`]);
  }
  return rows;
}

/** The Kubernetes entry of NETWORK_PROVIDERS (a function so it is defined before the list uses it). */
function kubeNetworkProvider(): NetworkProvider {
  return {
    backend: 'Kubernetes',
    available: (deps) => deps.kube?.configured() ?? false,
    overview: async (q) => kubeRows(await q.kubeView()).map((cells) => ({ cells, wide: NOT_DOCKER })),
    async describe(name, q) {
      if (!POD_NETWORK_NAMES.includes(name)) throw new UserError(`"${name}" is not a Kubernetes network name; try \`network pod-network\`.`, [], 'not_found');
      const v = await q.kubeView();
      const answer = newAnswer('network', `network pod-network`, { subject: { kind: 'network', name: 'pod network', source: `context ${v.context}` } });
      answer.tables.push({
        title: 'Pod CIDRs by node',
        columns: ['node', 'InternalIP', 'pod CIDRs'],
        rows: v.nodes.map((n) => [n.name, nodeIp(n) ?? '—', n.podCIDRs.join(', ') || '—']),
      });
      answer.tables.push({ title: 'Networks', columns: OVERVIEW_COLUMNS, rows: kubeRows(v).filter((r) => !r[0]!.startsWith('pods on') && !r[0]!.startsWith('…')) });
      const ranges = podNetworkRanges(v.podCidrs);
      answer.summary = `The pod network of context ${v.context} spans at least ${ranges.join(' and ') || 'no known range'} across ${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}.`;
      await kubernetesOverviewNotes(answer, [dockerNetworks, kubeNetworkProvider()].filter((p) => p.available(q.deps)), q);
      return answer;
    },
  };
}

/**
 * Seed note 9 with live data: the pod network against Docker's bridge subnets (and a warning when they
 * overlap), and the service range as far as ClusterIPs show it. A failing backend only drops the note.
 */
async function kubernetesOverviewNotes(answer: Answer, providers: NetworkProvider[], q: Asked): Promise<void> {
  if (!providers.some((p) => p.backend === 'Kubernetes')) return;
  try {
    const v = await q.kubeView();
    const deps = q.deps;
    const docker = deps.docker
      ? (await deps.docker.listNetworks().catch(() => [])).filter((n) => n.Driver === 'bridge').flatMap((n) => networkSubnets(n).map((subnet) => ({ network: n.Name, subnet })))
      : [];
    const ranges = podNetworkRanges(v.podCidrs);
    if (ranges.length && docker.length) answer.explanations.push(podNetworkVsDockerSentence(ranges, docker));
    else answer.explanations.push(POD_NETWORK_IS_SEPARATE);
    for (const o of podDockerOverlaps(v.podCidrs, docker)) answer.warnings.push(podDockerOverlapWarning(o));
    const guesses = inferServiceCidrs(v.clusterIPs);
    for (const g of guesses) answer.explanations.push(serviceCidrSentence(g));
    if (guesses.length) answer.explanations.push(SERVICE_CIDR_NOT_VISIBLE);
  } catch (err) {
    if (!isNetpeekError(err)) throw err;
  }
}