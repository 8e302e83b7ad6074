import { z } from 'zod';
import { ConfigError, envProblems } from '../config-error.js';
import { parseNoProxy, type NoProxyEntry } from '../net/no-proxy.js';
import { ALERTMANAGER_ENV_SCHEMA, alertmanagerConfigFrom, type AlertmanagerConfig } from './alertmanager-config.js';
import type { RetryPolicy } from './delivery.js';

/**
 * The Slack bot's own environment variables (besides SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET /
 * SLACK_APP_TOKEN / PORT, which live in the main schema). Merged into ENV_SCHEMA by src/config.ts.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
// RFC 1123 label: what a Kubernetes namespace (and most context names) look like.
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const CONTEXT = /^[A-Za-z0-9][A-Za-z0-9._@:/-]*$/;

const idList = (re: RegExp, what: string, example: string) =>
  z
    .string()
    .default('')
    .transform((s, ctx) => {
      const ids = s.split(/[\s,]+/).filter(Boolean);
      const bad = ids.filter((id) => !re.test(id));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `${bad.join(', ')} ${bad.length > 1 ? 'are not' : 'is not a'} Slack ${what} ID${bad.length > 1 ? 's' : ''} (e.g. ${example})` });
      return ids;
    });

/** `C123=a,b;C456=*` → Map; the key `*` stands for every channel not listed (and DMs). */
const channelMap = (valueRe: RegExp, what: string, multiple: boolean) =>
  z
    .string()
    .default('')
    .transform((s, ctx) => {
      const map = new Map<string, string[]>();
      for (const entry of s.split(';').map((e) => e.trim()).filter(Boolean)) {
        const [channel = '', values = ''] = entry.split('=', 2).map((p) => p.trim());
        if (channel !== '*' && !CHANNEL_ID.test(channel)) {
          ctx.addIssue({ code: 'custom', message: `"${channel}" in "${entry}" is not a channel ID (e.g. C0123ABCD) or *` });
          continue;
        }
        const list = values.split(',').map((v) => v.trim()).filter(Boolean);
        if (list.length === 0 || (!multiple && list.length > 1)) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" needs ${multiple ? 'one or more' : 'exactly one'} ${what} after "="` });
          continue;
        }
        const bad = list.filter((v) => v !== '*' && !valueRe.test(v));
        if (bad.length) ctx.addIssue({ code: 'custom', message: `${bad.join(', ')} in "${entry}" is not a valid ${what}` });
        map.set(channel, list);
      }
      return map;
    });

const proxyUrl = z
  .string()
  .url('must be a proxy URL like http://proxy.example.internal:3128')
  .refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https:// (the proxy is spoken to in HTTP, then CONNECT tunnels TLS to Slack)')
  .optional();

const SLACK_OWN_ENV_SCHEMA = z.object({
  NETPEEK_SLACK_COMMAND: z
    .string()
    .regex(/^\/[a-z0-9_-]{1,31}$/, 'must look like /netpeek')
    .default('/netpeek')
    .describe('Slash command the bot answers (must match the app manifest).'),
  NETPEEK_SLACK_TRANSPORT: z
    .enum(['auto', 'http', 'socket'])
    .default('auto')
    .describe('auto: Socket Mode when SLACK_APP_TOKEN is set, else HTTP with SLACK_SIGNING_SECRET. http/socket force one.'),
  NETPEEK_SLACK_ALLOWED_CHANNELS: idList(CHANNEL_ID, 'channel', 'C0123ABCD').describe(
    'Channel IDs where netpeek answers, comma-separated. Empty: every channel it is in.',
  ),
  NETPEEK_SLACK_ALLOWED_USERS: idList(USER_ID, 'user', 'U0123ABCD').describe('User IDs who may ask netpeek anything. Empty: everyone.'),
  NETPEEK_SLACK_PROBE_CHANNELS: idList(CHANNEL_ID, 'channel', 'C0123ABCD').describe(
    'Channel IDs where probes (ping, reach, --probe, "Probe now") may run. Empty: every allowed channel.',
  ),
  NETPEEK_SLACK_PROBE_USERS: idList(USER_ID, 'user', 'U0123ABCD').describe('User IDs who may run probes. Empty: every allowed user.'),
  NETPEEK_SLACK_AUDIT_USERS: idList(USER_ID, 'user', 'U0123ABCD').describe(
    'User IDs who may read the audit log in Slack (`audit`). Empty: nobody — `netpeek audit` in a terminal still works.',
  ),
  NETPEEK_SLACK_ALLOW_DMS: bool.default('true').describe('Answer direct messages (the user allow-lists still apply).'),
  NETPEEK_SLACK_CHANNEL_SCOPES: channelMap(NAMESPACE, 'namespace', true).describe(
    'Kubernetes namespaces each channel may see, e.g. "C123=shop,payments;C456=*;*=default". `*` as a key covers unlisted channels and DMs. Unset: no restriction.',
  ),
  NETPEEK_SLACK_CHANNEL_NAMESPACES: channelMap(NAMESPACE, 'namespace', false).describe(
    'Default namespace per channel when a question has no -n, e.g. "C123=shop;C456=payments".',
  ),
  NETPEEK_SLACK_CHANNEL_CLUSTERS: channelMap(CONTEXT, 'Kubernetes context', false).describe(
    'Default Kubernetes context per channel when a question has no --cluster, e.g. "C123=prod-eu;*=staging".',
  ),
  NETPEEK_BUTTON_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Key for signing button values. Default: derived from SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN); set it when replicas use different credentials.'),
  NETPEEK_SLACK_BUTTON_TTL_S: z.coerce
    .number()
    .int()
    .min(30)
    .max(86_400)
    .default(900)
    .describe('Seconds a button ("Probe now", "Show ports", "Explain") stays valid after the answer was posted.'),
  NETPEEK_SLACK_AUDIT_DB: z
    .string()
    .min(1)
    .default('netpeek-audit.db')
    .describe('SQLite file of the audit log (who asked what, where, outcome). ":memory:" keeps it in memory only (still logged).'),
  NETPEEK_SLACK_THREAD_CACHE: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(5000)
    .describe('Threads whose subject is cached in memory; a miss reads the thread back from Slack (replica-safe).'),
  NETPEEK_SLACK_DEDUPE_TTL_S: z.coerce
    .number()
    .int()
    .min(10)
    .max(86_400)
    .default(900)
    .describe('How long an event id / button trigger is remembered to drop Slack retries and duplicate deliveries.'),
  NETPEEK_SLACK_RETRY_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('Attempts to post a reply when Slack answers 429/5xx or the network fails.'),
  NETPEEK_SLACK_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(16 * 1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest request body the HTTP receiver reads, in bytes; a bigger one is refused with 413 while it streams, before its signature is checked. Slack\'s own payloads are far smaller.'),
  NETPEEK_SLACK_MAX_WAITING_ANSWERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(5000)
    .describe('Slash commands acked and waiting for their answer at most (HTTP receiver); past it a command is answered "netpeek is busy" at once, runs nothing, and is audited as refused (busy).'),
  SLACK_API_URL: z
    .string()
    .url('must be a URL like https://slack.com/api/')
    .optional()
    .describe('Base URL of Slack\'s Web API, for every Web API call and Socket Mode\'s apps.connections.open. Default https://slack.com/api/; GovSlack workspaces use https://slack-gov.com/api/.'),
  NETPEEK_SLACK_API_URL: z
    .string()
    .url('must be a URL like https://slack.com/api/')
    .optional()
    .describe('Older name of SLACK_API_URL, still read; SLACK_API_URL wins when both are set.'),
  HTTPS_PROXY: proxyUrl.describe('HTTP proxy (CONNECT) for netpeek\'s connections to Slack only: Web API, response_url, files and the Socket Mode WebSocket. Agents, the Kubernetes API and Docker never use it.'),
  https_proxy: proxyUrl.describe('Same as HTTPS_PROXY (the lower-case spelling many shells set); HTTPS_PROXY wins.'),
  NO_PROXY: z.string().optional().describe('Hosts that reach Slack directly instead of through HTTPS_PROXY: comma-separated, `*`, `.example.com`, `host:port`.'),
  no_proxy: z.string().optional().describe('Same as NO_PROXY; NO_PROXY wins.'),
  NETPEEK_SLACK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(500).describe('First retry delay (ms); doubles per attempt.'),
  NETPEEK_SLACK_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(300_000)
    .default(30_000)
    .describe('Cap of the retry delay (ms); a Retry-After longer than 60 s gives up and is logged.'),
});

/** The Slack bot's variables, with its Alertmanager receiver's. */
export const SLACK_ENV_SCHEMA = SLACK_OWN_ENV_SCHEMA.merge(ALERTMANAGER_ENV_SCHEMA);

export type SlackEnv = z.infer<typeof SLACK_ENV_SCHEMA>;

/** Who may ask what, where; read by `decideAccess`. Empty lists mean "everyone". */
export interface AccessPolicy {
  /** Channels netpeek answers in (DMs are governed by `allowDms`). */
  channels: readonly string[];
  users: readonly string[];
  probeChannels: readonly string[];
  probeUsers: readonly string[];
  /** Who may run commands that show the audit log (empty: nobody in Slack). */
  auditUsers: readonly string[];
  allowDms: boolean;
  /** Channel (or `*`) → namespaces it may see; `['*']` is every namespace. */
  scopes: ReadonlyMap<string, readonly string[]>;
  /** Channel (or `*`) → default namespace. */
  defaultNamespaces: ReadonlyMap<string, string>;
  /** Channel (or `*`) → default Kubernetes context. */
  defaultClusters: ReadonlyMap<string, string>;
}

/** Slack's credentials and the HTTP port, from the core variables (SLACK_BOT_TOKEN, …, PORT). */
export interface SlackCredentials {
  botToken?: string;
  signingSecret?: string;
  appToken?: string;
  port: number;
}

export interface SlackConfig {
  /** Slash command name, e.g. "/netpeek". */
  command: string;
  transport: 'auto' | 'http' | 'socket';
  access: AccessPolicy;
  buttons: { secret?: string; ttlSeconds: number };
  /** SQLite path of the audit log, or ":memory:". */
  auditDb: string;
  threadCacheSize: number;
  dedupeTtlMs: number;
  retry: RetryPolicy;
  /** Largest HTTP request body read, bytes. */
  maxBodyBytes: number;
  /** Acked slash commands waiting for Bolt at most (NETPEEK_SLACK_MAX_WAITING_ANSWERS). */
  maxWaitingAnswers: number;
  /** Slack Web API base URL when not Slack's default. */
  apiUrl?: string;
  /** HTTPS_PROXY / NO_PROXY, for Slack's connections only. */
  proxy?: SlackProxy;
  /** POST /alertmanager; absent when not configured. */
  alertmanager?: AlertmanagerConfig;
}

export interface SlackProxy {
  url: string;
  noProxy: NoProxyEntry[];
}

const single = (m: Map<string, string[]>): Map<string, string> => new Map([...m].map(([k, v]) => [k, v[0] ?? '']));

/** Reads and validates the Slack variables; tests pass their own `env`. Throws ConfigError naming each bad variable. */
export function loadSlackConfig(env: NodeJS.ProcessEnv = process.env): SlackConfig {
  // A merged schema's `shape` is rebuilt on every read: read it once, not once per variable.
  const shape = SLACK_ENV_SCHEMA.shape;
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in shape && v !== ''));
  const parsed = SLACK_ENV_SCHEMA.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(envProblems(parsed.error, env));
  }
  return slackConfigFrom(parsed.data, env);
}

/**
 * The Slack variables already validated (loadConfig validates them with every other variable, so it
 * does not parse them twice: ~1 ms of a one-shot answer, issue 19) → SlackConfig. Throws ConfigError
 * for what only the variables together can say (alert routes outside the allowed channels).
 */
export function slackConfigFrom(e: SlackEnv, env: NodeJS.ProcessEnv): SlackConfig {
  const alerts = alertmanagerConfigFrom(e);
  const allowed = e.NETPEEK_SLACK_ALLOWED_CHANNELS;
  const outside = [...new Set((alerts.config?.routes ?? []).map((r) => r.channel).filter((c) => allowed.length > 0 && !allowed.includes(c)))];
  // An alert routed to a channel where netpeek may not answer would be posted but never diagnosed.
  if (outside.length) alerts.problems.push(`NETPEEK_ALERTMANAGER_CHANNELS routes to ${outside.join(', ')}, not in NETPEEK_SLACK_ALLOWED_CHANNELS: add ${outside.length > 1 ? 'them' : 'it'} there, or route elsewhere.`);
  if (alerts.problems.length) throw new ConfigError(alerts.problems);
  return {
    command: e.NETPEEK_SLACK_COMMAND,
    transport: e.NETPEEK_SLACK_TRANSPORT,
    access: {
      channels: e.NETPEEK_SLACK_ALLOWED_CHANNELS,
      users: e.NETPEEK_SLACK_ALLOWED_USERS,
      probeChannels: e.NETPEEK_SLACK_PROBE_CHANNELS,
      probeUsers: e.NETPEEK_SLACK_PROBE_USERS,
      auditUsers: e.NETPEEK_SLACK_AUDIT_USERS,
      allowDms: e.NETPEEK_SLACK_ALLOW_DMS,
      scopes: e.NETPEEK_SLACK_CHANNEL_SCOPES,
      defaultNamespaces: single(e.NETPEEK_SLACK_CHANNEL_NAMESPACES),
      defaultClusters: single(e.NETPEEK_SLACK_CHANNEL_CLUSTERS),
    },
    buttons: { secret: e.NETPEEK_BUTTON_SECRET, ttlSeconds: e.NETPEEK_SLACK_BUTTON_TTL_S },
    auditDb: e.NETPEEK_SLACK_AUDIT_DB,
    threadCacheSize: e.NETPEEK_SLACK_THREAD_CACHE,
    dedupeTtlMs: e.NETPEEK_SLACK_DEDUPE_TTL_S * 1000,
    retry: { attempts: e.NETPEEK_SLACK_RETRY_ATTEMPTS, baseDelayMs: e.NETPEEK_SLACK_RETRY_BASE_MS, maxDelayMs: e.NETPEEK_SLACK_RETRY_MAX_MS },
    maxBodyBytes: e.NETPEEK_SLACK_MAX_BODY_BYTES,
    maxWaitingAnswers: e.NETPEEK_SLACK_MAX_WAITING_ANSWERS,
    ...(e.SLACK_API_URL || e.NETPEEK_SLACK_API_URL ? { apiUrl: (e.SLACK_API_URL ?? e.NETPEEK_SLACK_API_URL) as string } : {}),
    ...(e.HTTPS_PROXY || e.https_proxy ? { proxy: { url: (e.HTTPS_PROXY ?? e.https_proxy) as string, noProxy: parseNoProxy(e.NO_PROXY ?? e.no_proxy) } } : {}),
    ...(alerts.config ? { alertmanager: alerts.config } : {}),
  };
}
