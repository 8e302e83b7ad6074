import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from '../log.js';
import { findKubeconfig } from '../sources/kubeconfig.js';
import type { Clock } from './clock.js';
import { ClusterReportState, configMapApi } from './cluster-state.js';
import { loadDefinitionsFile } from './definitions.js';
import type { ReportBackends } from './offline.js';
import type { ChangeLog } from '../sources/kube-recent-changes.js';
import { LeaseElector, leaseApi } from './leader.js';
import type { ReportHistory } from './history.js';
import type { ReportsConfig } from './report-config.js';
import { ReplicatedState } from './replicated-state.js';
import { ReportScheduler, type TickEvent } from './scheduler.js';
import type { ReportPoster } from './report-poster.js';
import { SqliteReportHistory } from './sqlite-history.js';
import { instanceId, type TickLedger } from './tick-key.js';

/**
 * Builds and starts the scheduled reports for `netpeek serve`: definitions from the file, the state
 * stores (SQLite alone, or the cluster's Lease and ConfigMaps with SQLite beside them), and the
 * scheduler, posting through the poster it is handed.
 */

export interface StartReportsOptions {
  reports: ReportsConfig;
  /** Sources and probes (kube, docker, probes) as every command gets them. */
  deps: ReportBackends;
  /** Kubeconfig settings (config.kube), for the Lease and ConfigMaps. */
  kube: { kubeconfig?: string; context?: string };
  /** Where runs are posted (src/slack/report-poster.ts under `netpeek serve`); absent: runs are stored but not posted. */
  poster?: ReportPoster;
  /** NETPEEK_SLACK_ALLOWED_CHANNELS: reports naming another channel are refused. */
  knownChannels?: readonly string[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  onTick?: (e: TickEvent) => void;
  /**
   * Where runs and tick keys are kept. A shared store (PostgreSQL) is the truth for every replica, so the
   * ConfigMaps are not used; a per-process store (SQLite) keeps them beside the cluster's ConfigMaps in
   * cluster mode. Its owner closes it. Absent: a SQLite file at NETPEEK_REPORTS_DB, closed by stop().
   */
  store?: { shared: boolean; reports(): ReportHistory & TickLedger };
  /** This instance's identity (holder of Lease and tick claims); default from the pod name. */
  identity?: string;
}

export interface RunningReports {
  scheduler: ReportScheduler;
  /** sqlite: one replica's file; cluster: Lease + ConfigMaps (+ the local file); postgres: the shared database (+ the Lease in a cluster). */
  mode: 'sqlite' | 'cluster' | 'postgres';
  /** The Lease elector in cluster mode. */
  elector?: LeaseElector;
  stop(): Promise<void>;
}

/** Reports built but not started: the composition root hands the scheduler to commands first. */
export interface PreparedReports extends RunningReports {
  /** Arms the schedules (and, in cluster mode, starts the Lease elector). */
  start(): void;
}

/** Undefined when NETPEEK_REPORTS_FILE is unset. Throws when cluster mode is asked for without a cluster. */
export async function startReports(o: StartReportsOptions): Promise<RunningReports | undefined> {
  const reports = await createReports(o);
  reports?.start();
  return reports;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function podNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Builds the reports without starting them; undefined when NETPEEK_REPORTS_FILE is unset. */
export async function createReports(o: StartReportsOptions): Promise<PreparedReports | undefined> {
  const cfg = o.reports;
  if (!cfg.file) return undefined;
  const log = o.log.child({ component: 'reports' });
  const env = o.env ?? process.env;
  const definitions = { ...(await loadDefinitionsFile(cfg.file, { knownChannels: o.knownChannels ?? [] })), file: cfg.file };
  const poster = o.poster;
  const sources = { ...(o.deps.kube ? { kube: o.deps.kube } : {}), ...(o.deps.docker ? { docker: o.deps.docker } : {}) };
  const identity = o.identity ?? instanceId(cfg.podName, randomBytes(4).toString('hex'));
  const shared = o.store?.shared ? o.store.reports() : undefined;
  const ownLocal = o.store ? undefined : new SqliteReportHistory(cfg.db, { retention: cfg.retention, ...(o.clock ? { now: () => o.clock!.now() } : {}) });
  const local = (ownLocal ?? o.store?.reports()) as SqliteReportHistory;
  const common = { definitions, sources, ...(o.deps.probes ? { probes: o.deps.probes } : {}), ...(poster ? { poster } : {}), identity, log, caps: { batchSize: cfg.batchSize }, ...(o.clock ? { clock: o.clock } : {}), ...(o.onTick ? { onTick: o.onTick } : {}), ...(o.deps.kube ? { changes: changesOf(o.deps.kube) } : {}) };

  const found = findKubeconfig(o.kube.kubeconfig, env);
  const cluster = cfg.state === 'cluster' || (cfg.state === 'auto' && Boolean(env.KUBERNETES_SERVICE_HOST) && !('missing' in found));
  if (!cluster) {
    // Without a Lease, every replica sharing a database runs the schedules; the tick claims in the
    // database still let exactly one of them post each tick.
    const state = shared ?? local;
    const scheduler = new ReportScheduler({ ...common, history: state, ticks: state });
    return {
      scheduler,
      mode: shared ? 'postgres' : 'sqlite',
      start: () => scheduler.start(),
      async stop() {
        await scheduler.stop();
        ownLocal?.close();
      },
    };
  }
  if ('missing' in found) {
    ownLocal?.close();
    throw new Error(`NETPEEK_REPORTS_STATE=cluster needs the Kubernetes API for its Lease and ConfigMaps, but ${found.missing}.`);
  }
  const context = o.kube.context ?? found.currentContext;
  // client-node only when the reports use the cluster: `serve` without it starts without the import.
  const [{ CoordinationV1Api, CoreV1Api }, { configForContext }] = await Promise.all([import('@kubernetes/client-node'), import('../sources/kube-api.js')]);
  const kc = configForContext(await found.kubeConfig(), context);
  const namespace = cfg.lease.namespace ?? podNamespace() ?? kc.getContextObject(context)?.namespace ?? 'default';
  const server = kc.getCurrentCluster()?.server;
  const elector = new LeaseElector({
    api: leaseApi(kc.makeApiClient(CoordinationV1Api)),
    namespace,
    name: cfg.lease.name,
    identity,
    leaseDurationMs: cfg.lease.durationMs,
    log,
  });
  // With a shared database the ConfigMaps are not needed: it holds history and tick keys for every replica.
  const state = shared ?? new ReplicatedState(new ClusterReportState(configMapApi(kc.makeApiClient(CoreV1Api)), { namespace, ...(server ? { server } : {}) }), local, () => elector.validForMs() > 2000, log);
  const scheduler = new ReportScheduler({ ...common, history: state, ticks: state, leader: elector });
  log.info({ namespace, lease: cfg.lease.name, identity, state: shared ? 'postgres' : 'configmaps' }, 'reports use the cluster for leader election');
  return {
    scheduler,
    mode: shared ? 'postgres' : 'cluster',
    elector,
    start() {
      scheduler.start();
      elector.start();
    },
    async stop() {
      await scheduler.stop();
      await elector.stop();
      ownLocal?.close();
    },
  };
}

/** A report's cluster's change history; none when Kubernetes is not configured. */
function changesOf(kube: NonNullable<ReportBackends['kube']>): (cluster?: string) => ChangeLog | undefined {
  return (cluster) => (kube.configured() ? kube.cluster(cluster) : undefined);
}
