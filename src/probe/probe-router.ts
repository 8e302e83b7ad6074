import type { Logger } from '../log.js';
import { AllowList } from '../net/address-policy.js';
import type { AgentClient } from './agent-client.js';
import { normaliseAgentUrl, type AgentDirectory } from './agent-directory.js';
import { AgentRouter } from './agent-router.js';
// fs.promises, read where it is used: the bundle then loads node:fs/promises (~1 ms) with the first read, not at start.
import { promises as fsp } from 'node:fs';
import type { DnsLookup, DnsQuestion } from './dns.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from './types.js';
import type { WorkloadProcess } from './workload-process.js';
import type { HostVantage, ProbeService, Vantage, WorkloadVantage } from './vantage.js';
import type { NodeDnsAnswer, WorkloadDnsAnswer, WorkloadNotAnswered, WorkloadRef, WorkloadSocketsAnswer } from './workload-wire.js';

export interface ProbeRoutingOptions {
  /** Agent on the Docker host; without it the bot probes in-process (it runs on that host). */
  dockerAgentUrl?: string;
  /** Agents of Kubernetes nodes. */
  directory?: AgentDirectory;
  /** Shared secret of the agents. */
  secret?: string;
  agentTimeoutMs?: number;
  /** CIDRs an in-process probe may reach: the Docker networks' subnets, looked up at probe time. */
  localAllowedCidrs: () => Promise<string[]>;
  /**
   * Finds and checks the process of a container on this Docker host (NETPEEK_WORKLOAD_VANTAGE on);
   * absent when probing from inside workloads is off. Rejects with a UserError when it refuses.
   */
  workloadProcess?: (v: WorkloadVantage) => Promise<WorkloadProcess>;
  /** The compiled namespace child (tests that run from sources pass dist's). */
  namespaceChild?: string;
  /** The resolv.conf the bot's own DNS questions follow (default /etc/resolv.conf). */
  hostResolvConf?: string;
  logger?: Logger;
}

/**
 * Sends each probe from the right place: the Docker host (in-process, or its agent) or the agent on a
 * Kubernetes node. In-process probes are limited to the Docker networks' own subnets, so a typo can
 * never make the bot ping something that is not a container.
 */
export class ProbeRouter implements ProbeService {
  private readonly router?: AgentRouter;
  /** The Docker host's agent (NETPEEK_DOCKER_AGENT_URL with a secret): its client is made on the first probe. */
  private readonly dockerAgentUrl?: string;
  private dockerAgent?: Promise<AgentClient>;

  constructor(private readonly o: ProbeRoutingOptions) {
    if (o.directory && o.secret) this.router = new AgentRouter(o.directory, o.secret, { timeoutMs: o.agentTimeoutMs });
    // Checked now, as the client's constructor would: a URL it refuses still fails at start.
    if (o.dockerAgentUrl && o.secret) this.dockerAgentUrl = normaliseAgentUrl(o.dockerAgentUrl);
  }

  /**
   * Whether a probe can start inside a workload on `host`, or why not (said to the user, who then gets
   * the probe from the host instead).
   */
  insideWorkload(host: HostVantage): { ok: true } | { ok: false; reason: string } {
    // A pod's namespace is entered by its node's agent, which decides (its own opt-in) and says so when it will not.
    if (host.kind === 'node') return this.router ? { ok: true } : { ok: false, reason: this.o.secret ? 'no agent directory is configured' : 'NETPEEK_AGENT_SECRET is not set, so no agent can be asked' };
    if (!this.o.workloadProcess) return { ok: false, reason: 'NETPEEK_WORKLOAD_VANTAGE is off' };
    if (this.dockerAgentUrl) return { ok: false, reason: 'the Docker host\'s agent (NETPEEK_DOCKER_AGENT_URL) probes from the host only' };
    return { ok: true };
  }

  /** A pod's sockets, through its node's agent: the agent finds the process by cgroup and checks it. */
  async workloadSockets(host: HostVantage, ref: WorkloadRef): Promise<WorkloadSocketsAnswer> {
    if (host.kind !== 'node') return { ok: false, node: 'docker-host', reason: 'no-agent', message: 'sockets of a container on the Docker host are read by netpeek itself (`container <name>`)' };
    const asked = await this.askNodeAgent(host, (client) => client.workloadSockets(ref));
    return asked.ok ? { ok: true, node: host.node, reading: asked.value } : asked;
  }

  /** A DNS question inside a pod, through its node's agent (POST /v1/workload/dns): found, checked and entered there. */
  async workloadDns(host: HostVantage, ref: WorkloadRef, q: DnsQuestion): Promise<WorkloadDnsAnswer> {
    if (host.kind !== 'node') return { ok: false, node: 'docker-host', reason: 'no-agent', message: 'a container on the Docker host is resolved from by netpeek itself (`dns <name> --from <container>`)' };
    const asked = await this.askNodeAgent(host, (client) => client.workloadDns(ref, q));
    return asked.ok ? { ok: true, node: host.node, lookup: asked.value } : asked;
  }

  /** A DNS question in a node's own network namespace, by its agent (POST /v1/dns): its resolv.conf, its allow-list. */
  async nodeDns(host: Extract<HostVantage, { kind: 'node' }>, q: DnsQuestion): Promise<NodeDnsAnswer> {
    const asked = await this.askNodeAgent(host, (client) => client.hostDns(q));
    if (asked.ok) return { ok: true, node: host.node, lookup: asked.value };
    // hostDns refuses nothing as a workload request does: any other reason is an agent that could not answer.
    return { ...asked, reason: asked.reason === 'no-agent' ? 'no-agent' : 'unavailable' };
  }

  /** One workload request to a node's agent; every reason it gives nothing becomes `ok: false` with its sentence. */
  private async askNodeAgent<T>(host: Extract<HostVantage, { kind: 'node' }>, call: (client: AgentClient) => Promise<T>): Promise<{ ok: true; value: T } | WorkloadNotAnswered> {
    const node = host.node;
    if (!this.router) return { ok: false, node, reason: 'no-agent', message: this.o.secret ? 'no agent directory is configured' : 'NETPEEK_AGENT_SECRET is not set, so no agent can be asked' };
    const client = await this.router.clientFor(node, host.context);
    if (!client) return { ok: false, node, reason: 'no-agent', message: `no netpeek agent is known for node ${node}; add it to NETPEEK_AGENTS or deploy the agent DaemonSet` };
    try {
      return { ok: true, value: await call(client) };
    } catch (err) {
      const { AgentUnavailableError, AgentWorkloadRefusedError } = await import('./agent-client.js');
      if (err instanceof AgentWorkloadRefusedError) return { ok: false, node, reason: err.refusal, message: err.message };
      if (err instanceof AgentUnavailableError) return { ok: false, node, reason: 'unavailable', message: err.info.message };
      throw err;
    }
  }

  async probeFrom(vantage: Vantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (vantage.kind === 'workload') return this.probeFromWorkload(vantage, targets, opts);
    if (vantage.kind === 'node') {
      if (!this.router) {
        const why = this.o.secret ? `no agent directory is configured` : 'NETPEEK_AGENT_SECRET is not set, so no agent can be called';
        return targets.map((t) => unavailableResult(t, vantage.node, why));
      }
      return this.router.probeFrom(vantage.node, targets, opts, vantage.context);
    }
    if (this.dockerAgentUrl) return (await this.dockerAgentClient(this.dockerAgentUrl)).probe(targets, opts);
    const [allowList, { LocalProber }] = await Promise.all([this.o.localAllowedCidrs().then((cidrs) => new AllowList(cidrs)), inProcess()]);
    return new LocalProber({ allowList, logger: this.o.logger }).probe(targets, opts);
  }

  /**
   * The client of the Docker host's agent. agent-client.js (the zod schemas of the agent's answers, request
   * signing) is loaded by the first probe that needs an agent: most answers probe nothing (issue 19).
   */
  private dockerAgentClient(url: string): Promise<AgentClient> {
    this.dockerAgent ??= import('./agent-client.js').then(({ AgentClient }) => new AgentClient(url, this.o.secret!, { timeoutMs: this.o.agentTimeoutMs, node: 'docker-host' }));
    return this.dockerAgent;
  }

  /**
   * From inside the workload: its resolv.conf through /proc/<pid>/root (its filesystem, not the host's),
   * queries from its namespace. Without a vantage: the bot's own resolv.conf and resolver, as any lookup
   * the bot makes (not a probe of a workload, so the Docker subnets' allow-list does not apply).
   */
  async dnsFrom(vantage: WorkloadVantage | undefined, q: DnsQuestion): Promise<DnsLookup> {
    const { NamespaceProber, allowedNameservers, resolveCandidates, candidateNames, parseResolvConf } = await inProcess();
    if (!vantage) {
      const path = this.o.hostResolvConf ?? '/etc/resolv.conf';
      const conf = parseResolvConf(await fsp.readFile(path, 'utf8').catch(() => ''));
      const candidates = candidateNames(q.name, conf, q.type);
      const results = await resolveCandidates({ candidates, type: q.type, nameservers: conf.nameservers, timeoutMs: q.timeoutMs });
      return { from: "the bot's host", resolvConfPath: path, conf, candidates, results, deniedNameservers: [] };
    }
    const can = this.insideWorkload(vantage.host);
    if (!can.ok || !this.o.workloadProcess) throw new Error(`dnsFrom(inside ${vantage.workload}) called although ${can.ok ? 'it is off' : can.reason}`);
    const process = await this.o.workloadProcess(vantage);
    const path = `/proc/${process.pid}/root/etc/resolv.conf`;
    const conf = parseResolvConf(await fsp.readFile(path, 'utf8').catch(() => ''));
    const candidates = candidateNames(q.name, conf, q.type);
    const allowList = new AllowList(await this.o.localAllowedCidrs());
    const { denied } = allowedNameservers(conf.nameservers, allowList, true);
    const prober = new NamespaceProber({ process, allowList, ...(this.o.namespaceChild ? { childScript: this.o.namespaceChild } : {}) });
    const results = await prober.resolve({ candidates, type: q.type, nameservers: conf.nameservers, timeoutMs: q.timeoutMs });
    return { from: `inside ${vantage.workload}`, resolvConfPath: path, conf, candidates, results, deniedNameservers: denied };
  }

  /**
   * Inside a container on this Docker host: the allow-list is the same as for a probe from the host (the
   * Docker networks' subnets), the process is found and checked now, right before nsenter. A refusal
   * rejects (the caller says it); a target the allow-list denies is reported as denied, never sent.
   */
  private async probeFromWorkload(vantage: WorkloadVantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (vantage.host.kind === 'node') return this.probeInsidePod(vantage, vantage.host, targets, opts);
    const can = this.insideWorkload(vantage.host);
    if (!can.ok || !this.o.workloadProcess) throw new Error(`probeFrom(inside ${vantage.workload}) called although ${can.ok ? 'it is off' : can.reason}`);
    const allowList = new AllowList(await this.o.localAllowedCidrs());
    const process = await this.o.workloadProcess(vantage);
    const { NamespaceProber } = await inProcess();
    return new NamespaceProber({ process, allowList, ...(this.o.namespaceChild ? { childScript: this.o.namespaceChild } : {}) }).probe(targets, opts);
  }

  /**
   * Inside a pod, by its node's agent (POST /v1/probe with `from`): the agent checks every target against
   * its allow-list, finds the pod's process from the container IDs and enters its namespace. A refusal to
   * enter rejects with AgentWorkloadRefusedError (probeFromChoice then probes from the node and says so).
   */
  private async probeInsidePod(vantage: WorkloadVantage, host: Extract<HostVantage, { kind: 'node' }>, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const client = this.router ? await this.router.clientFor(host.node, host.context) : undefined;
    if (!client) return targets.map((t) => unavailableResult(t, host.node, this.router ? 'no netpeek agent is known for that node; add it to NETPEEK_AGENTS or deploy the agent DaemonSet' : 'NETPEEK_AGENT_SECRET is not set, so no agent can be called'));
    const containers = vantage.containers ?? [{ id: vantage.containerId, name: vantage.workload }];
    return client.probeInside({ workload: vantage.workload, containers }, targets, opts);
  }
}

/**
 * The probers that send from this process (and the DNS code), loaded by the first probe or lookup that
 * needs them: most answers probe nothing, and a one-shot answer would otherwise load them at start-up
 * whatever it was asked (issue 19).
 */
function inProcess() {
  return Promise.all([import('./local-prober.js'), import('./namespace-prober.js'), import('./dns.js'), import('../net/resolv-conf.js')]).then(
    ([{ LocalProber }, { NamespaceProber }, { allowedNameservers, resolveCandidates }, { candidateNames, parseResolvConf }]) => ({ LocalProber, NamespaceProber, allowedNameservers, resolveCandidates, candidateNames, parseResolvConf }),
  );
}

function unavailableResult(t: ProbeTarget, node: string, why: string): ProbeResult {
  const message = `no netpeek agent can probe from node ${node}: ${why}`;
  return { kind: t.kind, ip: t.ip, ...(t.port !== undefined && t.kind !== 'icmp' ? { port: t.port } : {}), ok: false, error: 'error', detail: message, via: node, unavailable: { agent: '', node, reason: 'no-agent', message } };
}
