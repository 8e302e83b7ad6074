import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { DNS_RECORD_TYPES } from '../core/query.js';
import { candidateNames, parseResolvConf } from '../net/resolv-conf.js';
import { allowedNameservers, type DnsLookup } from '../probe/dns.js';
import { NamespaceProber } from '../probe/namespace-prober.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from '../probe/types.js';
import { findWorkloadProcess, type FoundWorkload } from '../probe/workload-process.js';
import { WORKLOAD_REF_SCHEMA, type WorkloadRef } from '../probe/workload-wire.js';
import { listeningSockets, type SocketReading } from '../sources/listening-sockets.js';
import { HttpError, sendJson } from './http-io.js';
import { authenticate, readBodyLimited, rememberNonce, takeRateToken, type AgentContext, type Handler } from './request-gate.js';

/**
 * The agent's side of "inside the workload": the opt-in gate and the way from a pod's container IDs to a
 * checked process. Every workload endpoint passes here after the signature and the rate limit, and
 * before anything is read or entered.
 */

/** 403 unless this agent was deployed with the workload-vantage component (NETPEEK_AGENT_WORKLOAD_VANTAGE). */
export function requireWorkloadVantage(ctx: AgentContext): void {
  if (ctx.config.workloadVantage) return;
  throw new HttpError(
    403,
    `the agent on node ${ctx.config.nodeName} does not look inside workloads: NETPEEK_AGENT_WORKLOAD_VANTAGE is off (the default deployment has CAP_NET_RAW only; deploy/kubernetes/components/workload-vantage turns it on); nothing was read or sent`,
    { code: 'workload-vantage-off' },
  );
}

/** A JSON body with a `workload` + `containers` part → the parsed body, or a 400 naming the field. */
export function parseWorkloadBody<T extends z.ZodTypeAny>(body: Buffer, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(body)';
    throw new HttpError(400, `invalid request: ${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  return parsed.data;
}

export const WORKLOAD_SOCKETS_REQUEST = WORKLOAD_REF_SCHEMA;

/**
 * The named workload's process on this node, found by cgroup and checked (its cgroup names the container,
 * its namespace is not the host's). A refusal is a 404 (no such process here) or a 403 (not the
 * container's, the host's namespace, or /proc not readable), with the sentence the user reads.
 */
export async function locateWorkload(ctx: AgentContext, ref: WorkloadRef): Promise<FoundWorkload> {
  try {
    return await findWorkloadProcess(ref.workload, ref.containers, { procRoot: ctx.config.procRoot });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const where = ` (node ${ctx.config.nodeName})`;
    if (err.code === 'not_found') throw new HttpError(404, `${err.message.replace(/^No process on this node/, `No process on node ${ctx.config.nodeName}`)}`, { code: 'no-process' });
    if (err.code === 'bad_input') throw new HttpError(400, err.message, { code: 'refused', field: 'containers' });
    throw new HttpError(403, `${err.message.replace(/\.$/, '')}${where}; nothing was read or sent`, { code: 'refused' });
  }
}

/**
 * POST /v1/workload/sockets: the listening sockets of a pod's network namespace on this node, each with
 * its process and container. Reading sends no packet, so the allow-list has nothing to check; the
 * signature, the window, the replay cache, the rate limit and the opt-in gate apply as to every request.
 */
export const handleWorkloadSockets: Handler = async (ctx, req, res, log) => {
  const body = await readBodyLimited(req, res, ctx.config.maxBodyBytes, log);
  if (!body) return;
  const signed = authenticate(ctx, req, body);
  takeRateToken(ctx);
  requireWorkloadVantage(ctx);
  const ref = parseWorkloadBody(body, WORKLOAD_SOCKETS_REQUEST);
  rememberNonce(ctx, signed);
  const found = await locateWorkload(ctx, ref);
  let reading: SocketReading;
  try {
    reading = await listeningSockets({ pid: found.process.pid, containers: found.running }, { procRoot: ctx.config.procRoot });
  } catch (err) {
    throw new HttpError(403, `the socket tables of ${ref.workload} cannot be read on node ${ctx.config.nodeName} (${(err as NodeJS.ErrnoException).code ?? 'error'}): the agent needs hostPID and CAP_SYS_PTRACE (the workload-vantage component)`, { code: 'refused' });
  }
  const container = found.running.find((c) => c.id === found.process.containerId)?.name ?? '';
  log?.debug({ workload: ref.workload, pid: found.process.pid, sockets: reading.sockets.length }, 'workload sockets read');
  sendJson(res, 200, { node: ctx.config.nodeName, workload: ref.workload, pid: found.process.pid, container, sockets: reading.sockets, procBytes: reading.procBytes, processes: reading.processes, missing: found.missing });
};

export const WORKLOAD_DNS_REQUEST = WORKLOAD_REF_SCHEMA.extend({
  name: z.string().min(1).max(254),
  type: z.enum(DNS_RECORD_TYPES).default('A'),
  timeoutMs: z.number().int().min(10).max(10_000).default(1500),
}).strict();

/**
 * POST /v1/workload/dns: a name resolved as the pod resolves it: its own resolv.conf (through
 * /proc/<pid>/root), its candidate names, queries sent from inside its namespace. Nameservers outside the
 * allow-list (except the namespace's own loopback) are named, never queried.
 */
export const handleWorkloadDns: Handler = async (ctx, req, res, log) => {
  const body = await readBodyLimited(req, res, ctx.config.maxBodyBytes, log);
  if (!body) return;
  const signed = authenticate(ctx, req, body);
  takeRateToken(ctx);
  requireWorkloadVantage(ctx);
  const q = parseWorkloadBody(body, WORKLOAD_DNS_REQUEST);
  rememberNonce(ctx, signed);
  const { process } = await locateWorkload(ctx, q);
  const path = join(ctx.config.procRoot, String(process.pid), 'root', 'etc', 'resolv.conf');
  const conf = parseResolvConf(await readFile(path, 'utf8').catch(() => ''));
  const candidates = candidateNames(q.name, conf, q.type);
  const { denied } = allowedNameservers(conf.nameservers, ctx.allowList, true);
  const results = await new NamespaceProber({ process, allowList: ctx.allowList, procRoot: ctx.config.procRoot }).resolve({ candidates, type: q.type, nameservers: conf.nameservers, timeoutMs: q.timeoutMs });
  const lookup: DnsLookup = { from: `inside ${q.workload} (node ${ctx.config.nodeName})`, resolvConfPath: path, conf, candidates, results, deniedNameservers: denied };
  sendJson(res, 200, { node: ctx.config.nodeName, ...lookup });
};

/**
 * The probe batch of POST /v1/probe with `from`: the targets have passed the allow-list already
 * (checkTargets); here the process is found and checked, and the batch runs inside its namespace through
 * the one nsenter path (NamespaceProber), which checks the allow-list again in the child.
 */
export async function probeInsideWorkload(ctx: AgentContext, ref: WorkloadRef, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
  const { process } = await locateWorkload(ctx, ref);
  return new NamespaceProber({ process, allowList: ctx.allowList, procRoot: ctx.config.procRoot }).probe(targets, opts);
}
