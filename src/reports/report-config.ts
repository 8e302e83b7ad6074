import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, envProblems } from '../config-error.js';
import { DEFAULT_RETENTION, type RetentionPolicy } from './history.js';

/**
 * The scheduled reports' environment variables: a zod fragment to merge into src/config.ts's ENV_SCHEMA
 * (variable, default and meaning side by side), and the typed ReportsConfig read from it.
 */

/** The SQLite file of report history when NETPEEK_REPORTS_DB is unset (sqlite-history.ts opens it). */
export const DEFAULT_REPORTS_DB = './data/netpeek.db';

/**
 * The Lease the replicas elect the schedules' runner with (leader.ts). Here, beside its variable, so that
 * reading the configuration does not load the elector itself (issue 19: every one-shot answer reads it).
 */
export const DEFAULT_LEASE_NAME = 'netpeek-reports-leader';

const int = (min: number, max: number, def: number) =>
  z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).default(def);

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const REPORTS_ENV_SCHEMA = z.object({
  NETPEEK_REPORTS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('YAML file of scheduled reachability reports (see deploy/reports.example.yaml). Unset: no scheduled reports.'),
  NETPEEK_REPORTS_DB: z.string().min(1).default(DEFAULT_REPORTS_DB).describe('SQLite file of report history and tick keys (WAL). ":memory:" keeps nothing across restarts.'),
  NETPEEK_REPORTS_STATE: z
    .enum(['auto', 'sqlite', 'cluster'])
    .default('auto')
    .describe('Where the state that a diff and the one-post-per-tick rule need lives. cluster: a Lease elects the replica that runs schedules and each report keeps a ConfigMap; sqlite: one replica, local file only; auto: cluster inside Kubernetes, else sqlite.'),
  NETPEEK_REPORTS_RETENTION_DAYS: int(1, 3650, DEFAULT_RETENTION.maxAgeDays).describe('Runs older than this many days are deleted from the history.'),
  NETPEEK_REPORTS_RETENTION_RUNS: int(2, 1_000_000, DEFAULT_RETENTION.maxRunsPerReport).describe('At most this many runs are kept per report (the oldest go first).'),
  NETPEEK_REPORTS_BATCH: int(1, 10_000, 256).describe('Targets per probe request to one agent; keep it at or below the agents\' NETPEEK_AGENT_MAX_TARGETS.'),
  NETPEEK_LEASE_NAME: z.string().regex(RFC1123_SUBDOMAIN, 'must be a Kubernetes object name').default(DEFAULT_LEASE_NAME).describe('coordination.k8s.io Lease that elects the replica running the schedules.'),
  NETPEEK_LEASE_NAMESPACE: z
    .string()
    .regex(RFC1123_LABEL, 'must be a Kubernetes namespace name')
    .optional()
    .describe('Namespace of the Lease and the report-state ConfigMaps. Default: the pod\'s own namespace (service account), else the kubeconfig context\'s.'),
  NETPEEK_LEASE_DURATION_S: int(2, 300, 15).describe('Seconds a leader\'s Lease stays valid without renewal: a replica that dies is replaced within about this long.'),
  NETPEEK_POD_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,253}$/, 'must be a pod or host name')
    .optional()
    .describe('This replica\'s name in the Lease (holderIdentity, with the process id). Default: HOSTNAME, which Kubernetes sets to the pod name.'),
});

export type ReportsEnv = z.infer<typeof REPORTS_ENV_SCHEMA>;

export interface ReportsConfig {
  /** Definitions file; undefined = no scheduled reports. */
  file?: string;
  db: string;
  state: 'auto' | 'sqlite' | 'cluster';
  retention: RetentionPolicy;
  batchSize: number;
  lease: { name: string; namespace?: string; durationMs: number };
  /** Pod (or host) name; the holder identity adds the pid and a random suffix. */
  podName: string;
}

/** The typed config from already-validated variables (what config.ts's loadConfig calls). */
export function reportsConfigFrom(e: ReportsEnv, env: NodeJS.ProcessEnv = process.env): ReportsConfig {
  return {
    ...(e.NETPEEK_REPORTS_FILE ? { file: e.NETPEEK_REPORTS_FILE } : {}),
    db: e.NETPEEK_REPORTS_DB,
    state: e.NETPEEK_REPORTS_STATE,
    retention: { maxAgeDays: e.NETPEEK_REPORTS_RETENTION_DAYS, maxRunsPerReport: e.NETPEEK_REPORTS_RETENTION_RUNS },
    batchSize: e.NETPEEK_REPORTS_BATCH,
    lease: { name: e.NETPEEK_LEASE_NAME, ...(e.NETPEEK_LEASE_NAMESPACE ? { namespace: e.NETPEEK_LEASE_NAMESPACE } : {}), durationMs: e.NETPEEK_LEASE_DURATION_S * 1000 },
    podName: e.NETPEEK_POD_NAME ?? (env.HOSTNAME || hostname()),
  };
}

/** Reads and validates the reports' variables; throws ConfigError naming each bad one. Tests pass their own env. */
export function loadReportsConfig(env: NodeJS.ProcessEnv = process.env): ReportsConfig {
  const shape = REPORTS_ENV_SCHEMA.shape;
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in shape && v !== undefined && v !== ''));
  const parsed = REPORTS_ENV_SCHEMA.safeParse(present);
  if (!parsed.success) throw new ConfigError(envProblems(parsed.error, env));
  return reportsConfigFrom(parsed.data, env);
}
