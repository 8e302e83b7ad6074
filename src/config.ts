import { z } from 'zod';
import { AGENT_CLIENT_ENV_SCHEMA, AGENT_ENV_SCHEMA } from './agent/agent-config.js';
import { ConfigError, envProblems } from './config-error.js';
import { LOG_LEVELS } from './log.js';
import { coloursAllowed } from './no-color.js';
import { userCacheDir } from './start/code-cache.js';
import { parseLabelSelector } from './net/label-selector.js';
import { REPORTS_ENV_SCHEMA, reportsConfigFrom, type ReportsConfig } from './reports/report-config.js';
import { SLACK_ENV_SCHEMA, slackConfigFrom, type SlackConfig, type SlackCredentials } from './slack/slack-config.js';
import { STORE_ENV_SCHEMA, storeConfigFrom, type StoreConfig } from './store/store-config.js';

export { ConfigError };

/**
 * Every environment variable netpeek reads, with its default and meaning side by side.
 * `.env.example` and the README's configuration table are checked against this list by a test.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const CORE_ENV_SCHEMA = z.object({
  LOG_LEVEL: z
    .enum(LOG_LEVELS)
    .default('info')
    .describe('pino log level. Logs are JSON on stderr.'),
  DOCKER_HOST: z
    .string()
    .regex(/^(unix|tcp|http|https|npipe|ssh):\/\/\S+$/, 'must look like unix:///var/run/docker.sock or tcp://host:2375')
    .optional()
    .describe('Docker engine to ask; default is the local socket /var/run/docker.sock.'),
  NETPEEK_DOCKER_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60000)
    .default(5000)
    .describe('How long to wait for the Docker engine before saying it is unreachable (ms).'),
  NETPEEK_DOCKER_AGENT_URL: z
    .string()
    .url('must be a URL like http://127.0.0.1:7070')
    .optional()
    .describe('Agent on the Docker host. Unset: the bot probes containers itself (it runs on that host), limited to the Docker networks\' subnets.'),
  NETPEEK_WORKLOAD_VANTAGE: bool
    .default('false')
    .describe(
      'Opt-in: `ping --from <container>` (and reach, dns) probe from inside the container\'s own network namespace (nsenter into its namespace; needs root, or CAP_SYS_ADMIN + CAP_SYS_PTRACE, and pid: host in compose). Off: they probe from the Docker host and say so.',
    ),
  NETPEEK_DNS_RESOLV_CONF: z
    .string()
    .default('/etc/resolv.conf')
    .describe('The resolv.conf `dns <name>` (without --from) follows: the bot\'s own resolver, nameservers, search list and ndots.'),
  NETPEEK_AGENT_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')
    .default('netpeek')
    .describe('Namespace of the agent DaemonSet; the bot finds the agent of each node among its pods.'),
  NETPEEK_AGENT_SELECTOR: z
    .string()
    .default('app.kubernetes.io/name=netpeek-agent')
    .describe('Label selector of the agent pods (kubectl syntax).'),
  NETPEEK_AGENT_PORT: z.coerce.number().int().min(1).max(65535).default(7070).describe('Port the agents listen on, on their node\'s address.'),
  KUBECONFIG: z.string().optional().describe('Kubeconfig file(s); default ~/.kube/config, or the in-cluster service account.'),
  NETPEEK_KUBE_CONTEXT: z.string().optional().describe('Kubernetes context used when a question has no --context.'),
  NETPEEK_CHANGE_HISTORY_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000000)
    .default(5000)
    .describe('Reachability-relevant changes (pods, Services, EndpointSlices, NetworkPolicies, nodes) kept per cluster; 0 keeps none.'),
  NETPEEK_CHANGE_HISTORY_MAX_AGE_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(43200)
    .default(1440)
    .describe('Changes older than this many minutes are dropped from the change history.'),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must start with xoxb-')
    .optional()
    .describe('Bot token (xoxb-…). With a signing secret or app token, `npm start` runs the Slack bot.'),
  SLACK_SIGNING_SECRET: z.string().min(8, 'is too short to be a Slack signing secret').optional().describe('Signing secret for the HTTP receiver.'),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must start with xapp-')
    .optional()
    .describe('App-level token (xapp-…) for Socket Mode; used instead of the HTTP receiver when set.'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the Slack receiver and /healthz.'),
  NETPEEK_HISTORY_FILE: z
    .string()
    .optional()
    .describe('Where the interactive console keeps its history; default ~/.netpeek_history. Empty string disables it.'),
  NO_COLOR: z.string().optional().describe('Set to anything but the empty string to turn off colours in terminal output.'),
  NETPEEK_DEBUG: bool.default('false').describe('Show internal error details in the terminal (never in Slack).'),
});

/** The one schema: core variables plus the agent's (shared by `netpeek agent` and the bot that calls agents) the Slack bot's, the scheduled reports' and the store's. */
export const ENV_SCHEMA = CORE_ENV_SCHEMA.merge(AGENT_ENV_SCHEMA).merge(AGENT_CLIENT_ENV_SCHEMA).merge(SLACK_ENV_SCHEMA).merge(REPORTS_ENV_SCHEMA).merge(STORE_ENV_SCHEMA);

export type Env = z.infer<typeof ENV_SCHEMA>;

export interface Config {
  logLevel: Env['LOG_LEVEL'];
  /** identityFile: where the Docker engines' identities are remembered (docker-engine-identity.ts); none without HOME or XDG_CACHE_HOME. */
  docker: { host?: string; timeoutMs: number; agentUrl?: string; identityFile?: string };
  /** Probes may start inside a container's network namespace (NETPEEK_WORKLOAD_VANTAGE). */
  workloadVantage: boolean;
  /** resolv.conf of the bot's own DNS questions (NETPEEK_DNS_RESOLV_CONF). */
  hostResolvConf: string;
  /** changes: bounds of the change history (DEFAULT_CHANGE_LIMITS when absent, e.g. in tests). */
  kube: { kubeconfig?: string; context?: string; changes?: { maxEntries: number; maxAgeMs: number } };
  slack: SlackCredentials;
  /** The Slack bot's behaviour: allow-lists, scopes, buttons, audit, retries. */
  slackBot: SlackConfig;
  /** Scheduled reachability reports: definitions file, history, leader election. */
  reports: ReportsConfig;
  /** Where audit, report history and Slack claims are kept: PostgreSQL when a URL is set, else SQLite. */
  store: StoreConfig;
  console: { historyFile?: string };
  /** How the bot reaches host agents. */
  agents: {
    secret?: string;
    byNode: Record<string, string>;
    timeoutMs: number;
    /** Where the agent DaemonSet runs in Kubernetes. */
    discovery: { namespace: string; selector: string; port: number };
  };
  color: boolean;
  debug: boolean;
}

/** Reads and validates the environment. Tests pass their own `env` instead of touching process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty values in .env mean "unset", like most tools treat them.
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' || k === 'NETPEEK_HISTORY_FILE'));
  const parsed = ENV_SCHEMA.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(envProblems(parsed.error, env));
  }
  const e = parsed.data;
  const problems: string[] = [];
  try {
    parseLabelSelector(e.NETPEEK_AGENT_SELECTOR);
  } catch (err) {
    problems.push(`NETPEEK_AGENT_SELECTOR=${JSON.stringify(e.NETPEEK_AGENT_SELECTOR)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (e.SLACK_SIGNING_SECRET && !e.SLACK_BOT_TOKEN) problems.push('SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing: the bot needs both.');
  if (e.SLACK_APP_TOKEN && !e.SLACK_BOT_TOKEN) problems.push('SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is missing: Socket Mode needs both.');
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN)
    problems.push('SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode) is.');
  const store = storeConfigFrom(e);
  problems.push(...store.problems);
  if (problems.length) throw new ConfigError(problems);
  return {
    logLevel: e.LOG_LEVEL,
    docker: { host: e.DOCKER_HOST, timeoutMs: e.NETPEEK_DOCKER_TIMEOUT_MS, agentUrl: e.NETPEEK_DOCKER_AGENT_URL, identityFile: cacheFile(env, 'docker-engines.json') },
    workloadVantage: e.NETPEEK_WORKLOAD_VANTAGE,
    hostResolvConf: e.NETPEEK_DNS_RESOLV_CONF,
    kube: {
      kubeconfig: e.KUBECONFIG,
      context: e.NETPEEK_KUBE_CONTEXT,
      changes: { maxEntries: e.NETPEEK_CHANGE_HISTORY_MAX, maxAgeMs: e.NETPEEK_CHANGE_HISTORY_MAX_AGE_MIN * 60_000 },
    },
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, port: e.PORT },
    slackBot: slackConfigFrom(e, env),
    reports: reportsConfigFrom(e, env),
    store: store.config,
    console: { historyFile: e.NETPEEK_HISTORY_FILE },
    agents: {
      secret: e.NETPEEK_AGENT_SECRET,
      byNode: e.NETPEEK_AGENTS,
      timeoutMs: e.NETPEEK_AGENT_TIMEOUT_MS,
      discovery: { namespace: e.NETPEEK_AGENT_NAMESPACE, selector: e.NETPEEK_AGENT_SELECTOR, port: e.NETPEEK_AGENT_PORT },
    },
    color: coloursAllowed(e),
    debug: e.NETPEEK_DEBUG,
  };
}


/** True when Slack credentials are complete enough to run the bot. */
export function hasSlackCredentials(config: Config): boolean {
  return Boolean(config.slack.botToken && (config.slack.signingSecret || config.slack.appToken));
}

/** A file in netpeek's user cache directory (start/code-cache.ts); none without HOME or XDG_CACHE_HOME. */
function cacheFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const dir = userCacheDir(env);
  return dir === undefined ? undefined : `${dir}/${name}`;
}
