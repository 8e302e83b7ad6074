import os from 'node:os';
import { z } from 'zod';
import { ConfigError, envProblems } from '../config-error.js';
import { parseCidr, parsePortRanges, type PortRange } from '../net/address-policy.js';
import { parseAgentMap } from '../probe/agent-directory.js';

/**
 * The agent's environment variables (schema fragments to merge into the main config), and the typed
 * AgentConfig that `startAgent` takes.
 */

function intVar(min: number, max: number, def: number) {
  return z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(min).max(max).default(def);
}

/** Parses with a function that throws a readable message; the message becomes the zod issue. */
function parsedBy<T>(parse: (s: string) => T) {
  return (s: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(s);
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      return z.NEVER;
    }
  };
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim()) ?? /^()()(\d{1,5})$/.exec(s.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error('must be host:port, [ipv6]:port or a port, e.g. 0.0.0.0:7070');
  return { host: m[1] || m[2] || '0.0.0.0', port };
}

function parseCidrList(s: string): string[] {
  return s
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map((c) => parseCidr(c).text);
}

/** Variables the agent reads. NETPEEK_AGENT_SECRET is optional here so the fragment can merge into the bot's config; the agent requires it. */
export const AGENT_ENV_SCHEMA = z.object({
  NETPEEK_AGENT_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Shared secret that signs bot→agent requests (HMAC-SHA256). Required by `netpeek agent`; the bot uses the same value.'),
  NETPEEK_AGENT_LISTEN: z.string().default('0.0.0.0:7070').transform(parsedBy(parseListen)).describe('Address and port the agent listens on.'),
  NETPEEK_AGENT_ALLOW_CIDRS: z
    .string()
    .default('')
    .transform(parsedBy(parseCidrList))
    .describe('Comma-separated CIDRs the agent may probe, e.g. 10.244.0.0/16,10.96.0.0/12. Empty = deny everything. Loopback and link-local/metadata need an explicit CIDR inside them.'),
  NETPEEK_AGENT_ALLOW_PORTS: z.string().default('1-65535').transform(parsedBy(parsePortRanges)).describe('Ports the agent may probe, e.g. 1-65535 or 80,443,8000-9000.'),
  NETPEEK_AGENT_MAX_TARGETS: intVar(1, 10_000, 256).describe('Most targets in one probe request; more is refused with 413.'),
  NETPEEK_AGENT_MAX_INFLIGHT: intVar(1, 100_000, 512).describe('Most probes running at once across requests; past it requests get 429.'),
  NETPEEK_AGENT_RPS: z.coerce.number({ invalid_type_error: 'must be a number' }).positive().max(100_000).default(50).describe('Probe requests per second the agent accepts (token bucket, burst of the same size); past it 429.'),
  NETPEEK_AGENT_MAX_BODY_BYTES: intVar(1024, 64 * 1024 * 1024, 256 * 1024).describe('Largest probe request body the agent reads, in bytes; a bigger one is refused with 413 while it streams, before its signature is checked.'),
  NETPEEK_AGENT_WORKLOAD_VANTAGE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .describe(
      "Opt-in: the agent reads pods' listening sockets and probes (ping, reach, dns --from pod/…) from inside their network namespaces on its node. Needs hostPID, CAP_SYS_ADMIN, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: deploy/kubernetes/components/workload-vantage. Off: those requests get 403 and the bot probes from the node, saying so.",
    ),
  NETPEEK_AGENT_RESOLV_CONF: z
    .string()
    .min(1)
    .default('/etc/resolv.conf')
    .describe(
      "The resolv.conf the agent follows for `why node/<name> <name>.<ns>.svc…` (POST /v1/dns: the name asked in the node's network namespace). Default its own, which with the shipped dnsPolicy ClusterFirstWithHostNet is the host-network pods' view; mount the node's /etc/resolv.conf and point here for the node's own.",
    ),
  NETPEEK_NODE_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,253}$/, 'must be a node name (letters, digits, . _ -)').optional().describe('Name the agent reports as its node; default the hostname. In Kubernetes set it from spec.nodeName.'),
});

/** Variables the bot/CLI side reads to reach agents. */
export const AGENT_CLIENT_ENV_SCHEMA = z.object({
  NETPEEK_AGENTS: z
    .string()
    .default('')
    .transform(parsedBy((s) => Object.fromEntries(parseAgentMap(s))))
    .describe('Static agent directory: node=url pairs, e.g. node-a=http://10.0.0.11:7070,node-b=http://10.0.0.12:7070.'),
  NETPEEK_AGENT_TIMEOUT_MS: intVar(100, 120_000, 5000).describe('Extra time allowed for an agent call on top of the probes themselves (ms).'),
});

export interface AgentConfig {
  secret: string;
  listen: { host: string; port: number };
  /** Canonical CIDRs. */
  allowCidrs: string[];
  allowPorts: PortRange[];
  maxTargets: number;
  maxInflight: number;
  rps: number;
  nodeName: string;
  /** Largest request body read, bytes. */
  maxBodyBytes: number;
  /** May read sockets of, and probe from inside, workloads on this node (NETPEEK_AGENT_WORKLOAD_VANTAGE). */
  workloadVantage: boolean;
  /** The resolv.conf of POST /v1/dns (NETPEEK_AGENT_RESOLV_CONF). */
  resolvConf: string;
  /** Not from the environment: */
  signatureWindowMs: number;
  /** Where procfs is (the host's, with hostPID). */
  procRoot: string;
  /** Longest batch the agent will run, ms. */
  maxDeadlineMs: number;
}

export const AGENT_DEFAULTS = { maxBodyBytes: 256 * 1024, signatureWindowMs: 30_000, maxDeadlineMs: 30_000, workloadVantage: false, procRoot: '/proc', resolvConf: '/etc/resolv.conf' } as const;

function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** Reads the agent's variables; throws ConfigError naming every bad one. Tests pass their own env. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AgentConfig> = {}): AgentConfig {
  const parsed = AGENT_ENV_SCHEMA.safeParse(present(env));
  const problems = parsed.success ? [] : envProblems(parsed.error, env);
  if (parsed.success && !parsed.data.NETPEEK_AGENT_SECRET) problems.push('NETPEEK_AGENT_SECRET is not set: the agent refuses to start without a shared secret (16+ characters).');
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    secret: e.NETPEEK_AGENT_SECRET ?? '',
    listen: e.NETPEEK_AGENT_LISTEN,
    allowCidrs: e.NETPEEK_AGENT_ALLOW_CIDRS,
    allowPorts: e.NETPEEK_AGENT_ALLOW_PORTS,
    maxTargets: e.NETPEEK_AGENT_MAX_TARGETS,
    maxInflight: e.NETPEEK_AGENT_MAX_INFLIGHT,
    rps: e.NETPEEK_AGENT_RPS,
    nodeName: e.NETPEEK_NODE_NAME ?? os.hostname(),
    ...AGENT_DEFAULTS,
    maxBodyBytes: e.NETPEEK_AGENT_MAX_BODY_BYTES,
    workloadVantage: e.NETPEEK_AGENT_WORKLOAD_VANTAGE,
    resolvConf: e.NETPEEK_AGENT_RESOLV_CONF,
    ...overrides,
  };
}

export interface AgentClientConfig {
  secret?: string;
  /** node name → agent base URL */
  agents: Record<string, string>;
  timeoutMs: number;
}

/** The bot/CLI side: where the agents are and how to sign for them. */
export function loadAgentClientConfig(env: NodeJS.ProcessEnv = process.env): AgentClientConfig {
  const schema = AGENT_CLIENT_ENV_SCHEMA.extend({ NETPEEK_AGENT_SECRET: AGENT_ENV_SCHEMA.shape.NETPEEK_AGENT_SECRET });
  const parsed = schema.safeParse(present(env));
  if (!parsed.success) throw new ConfigError(envProblems(parsed.error, env));
  return { secret: parsed.data.NETPEEK_AGENT_SECRET, agents: parsed.data.NETPEEK_AGENTS, timeoutMs: parsed.data.NETPEEK_AGENT_TIMEOUT_MS };
}
