import type { BackendCheck } from './core/backend-check.js';
import type { Command } from './core/command.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { ChainedAgentDirectory, StaticAgentDirectory } from './probe/agent-directory.js';
import { ProbeRouter } from './probe/probe-router.js';
import type { ProbeService } from './probe/vantage.js';
import type { ReportCatalog } from './reports/catalog.js';
import { existsSync } from 'node:fs';
import type { OfflineReports, OpenHistory } from './reports/offline.js';
import type { ReportsConfig } from './reports/report-config.js';
import { DockerEngine, type DockerSource } from './sources/docker.js';
import { dockerContainerProcess } from './sources/container-process.js';
import { networkSubnets } from './sources/docker-facts.js';
import { KubeAgentDirectory } from './sources/kube-agent-directory.js';
import { kubeProbeResolvers } from './sources/kube-probe-targets.js';
import { createKubeSource, kubeBackendState, type KubeSource } from './sources/kubernetes.js';
import type { ProbeResolvers } from './sources/probe-targets.js';
import type { Store } from './store/store.js';

/**
 * The composition root's one dependency type: everything a command may use, typed up front. Adapters
 * get it built; commands never construct clients themselves. A source is absent when its backend is
 * not configured.
 */
export interface Deps {
  config: Config;
  /** The request's logger (a child per Slack request, the root logger in a terminal). */
  log: Logger;
  docker?: DockerSource;
  /** Kubernetes contexts with their watch caches. */
  kube?: KubeSource;
  /** Sends probes from the Docker host or a node's agent. */
  probes?: ProbeService;
  /** Pod and pod-CIDR placement for probe targets, per cluster context and namespace scope. */
  probeResolvers?: ProbeResolvers;
  /**
   * Kubernetes namespaces this conversation may see (a Slack channel's scope); undefined = all.
   * Lookups filter lists, suggestions and candidates by it.
   */
  namespaces?: readonly string[];
  /** Audit log, report history and Slack claims (SQLite or PostgreSQL); absent where nothing opened one. */
  store?: Store;
  /** Scheduled reports: the live scheduler under `netpeek serve`, else read from the configuration. */
  reports: ReportCatalog;
}

/** A netpeek command: core's Command over these Deps. */
export type NetpeekCommand = Command<Deps>;

/** What a caller supplies; the rest (the report catalog) is derived from it here. */
export type DepsParts = Omit<Deps, 'reports'> & Partial<Pick<Deps, 'reports'>>;

/**
 * Deps from parts: tests and `buildDeps` both come through here, so a Deps is always complete. Without a
 * running scheduler, reports are read from NETPEEK_REPORTS_FILE in this process.
 */
export function assembleDeps(parts: DepsParts): Deps {
  const { config } = parts;
  return { ...parts, reports: parts.reports ?? offlineReports(() => import('./reports/offline.js').then((m) => new m.OfflineReports(config.reports, parts, config.slackBot.access.channels, storedHistory(config.reports)))) };
}

/**
 * The catalog a terminal reads reports from, loaded when `report` or `status` first asks: the definitions'
 * parser, cron schedules and YAML are more than most one-shot answers take whole.
 */
function offlineReports(load: () => Promise<OfflineReports>): ReportCatalog {
  let loading: Promise<OfflineReports> | undefined;
  const catalog = () => (loading ??= load());
  return {
    list: async () => (await catalog()).list(),
    runNow: async (name, signal) => (await catalog()).runNow(name, signal),
  };
}

/**
 * The local history file `netpeek serve` writes, opened read-side only when it exists (a terminal never
 * creates it); better-sqlite3 is imported only then.
 */
function storedHistory(reports: ReportsConfig): OpenHistory {
  return async () => {
    if (reports.db === ':memory:' || !existsSync(reports.db)) return undefined;
    const { SqliteReportHistory } = await import('./reports/sqlite-history.js');
    return new SqliteReportHistory(reports.db, { retention: reports.retention });
  };
}

/**
 * Builds the sources every adapter hands to commands. Construction never touches the network:
 * a backend that is down shows up when asked (and in the banner / `status`), not as a crash at start.
 */
export function buildDeps(config: Config, log: Logger, opts: BackendOptions = {}): Deps {
  return assembleDeps(buildBackends(config, log, opts));
}

export interface BackendOptions {
  /** false for a one-shot answer: Kubernetes reads are direct GETs and selected lists, no watch caches (default true). */
  watchCaches?: boolean;
}

/** The sources and probes alone; `netpeek serve` builds its report scheduler on them, then the Deps. */
export function buildBackends(config: Config, log: Logger, opts: BackendOptions = {}): DepsParts & Required<Pick<Deps, 'docker' | 'kube' | 'probes' | 'probeResolvers'>> {
  const docker = new DockerEngine(config.docker);
  // Reads the kubeconfig on first use; each context's watches start with its first question.
  const kube = createKubeSource(config.kube, log.child({ component: 'kubernetes' }), opts.watchCaches === false ? { watchCaches: false } : {});
  return { config, log, docker, kube, probes: buildProbes(config, log, docker, kube), probeResolvers: kubeProbeResolvers(kube) };
}

/** The same Deps for one conversation: its logger and the namespaces its channel may see. */
export function forConversation(deps: Deps, conversation: { log: Logger; namespaces?: readonly string[] }): Deps {
  return { ...deps, log: conversation.log, ...(conversation.namespaces ? { namespaces: conversation.namespaces } : {}) };
}

function buildProbes(config: Config, log: Logger, docker: DockerSource, kube: KubeSource): ProbeRouter {
  return new ProbeRouter({
    dockerAgentUrl: config.docker.agentUrl,
    // NETPEEK_AGENTS overrides what the agent DaemonSet's pods say.
    directory: new ChainedAgentDirectory([new StaticAgentDirectory(config.agents.byNode), new KubeAgentDirectory(kube, config.agents.discovery)]),
    secret: config.agents.secret,
    agentTimeoutMs: config.agents.timeoutMs,
    // In-process probes only reach the subnets of Docker's own bridge-like networks.
    localAllowedCidrs: async () => (await docker.listNetworks()).filter((n) => n.Driver !== 'host' && n.Driver !== 'null').flatMap(networkSubnets),
    // Opt-in: only then may a probe start inside a container, whose process netpeek finds and checks itself.
    hostResolvConf: config.hostResolvConf,
    ...(config.workloadVantage ? { workloadProcess: (v) => dockerContainerProcess(docker, v.containerId, v.workload) } : {}),
    logger: log.child({ component: 'probe' }),
  });
}

/** What the console banner reports on (`status` goes further: versions, caches, agents). */
export function backendChecks(deps: Deps): BackendCheck[] {
  const checks: BackendCheck[] = [];
  if (deps.docker) {
    const docker = deps.docker;
    checks.push({ name: 'Docker', check: () => docker.probe() });
  }
  if (deps.kube) {
    const kube = deps.kube;
    checks.push({ name: 'Kubernetes', check: async () => kubeBackendState(kube) });
  }
  return checks;
}
