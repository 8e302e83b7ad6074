import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { SIGNATURE_WINDOW_MS, signRequest } from './request-signature.js';
import { BackendError } from '../core/errors.js';
import { PROBE_KINDS } from '../core/kinds.js';
import { normaliseAgentUrl } from './agent-directory.js';
import { abortReason, notProbed, type AgentUnavailable, type ProbeOptions, type ProbeResult, type ProbeTarget, type Prober } from './types.js';
import type { DnsLookup, DnsQuestion } from './dns.js';
import { WORKLOAD_SOCKETS_ANSWER, type WorkloadRef, type WorkloadRefusalCode, type WorkloadSocketsReading } from './workload-wire.js';

/** An agent could not run a batch. `info` is plain data, also attached to each placeholder result. */
export class AgentUnavailableError extends BackendError {
  constructor(readonly info: AgentUnavailable) {
    super('agent', info.message);
  }
}

/** The agent refused the batch because of its allow-list (403): nothing was sent. */
export class AgentDeniedError extends BackendError {
  constructor(
    readonly agent: string,
    message: string,
    readonly denied: Array<{ index: number; reason: string; rule?: string }>,
  ) {
    super('agent', message);
  }
}

/**
 * The agent would not look inside the workload: it is not opted in (`workload-vantage-off`), no process on
 * its node belongs to the containers (`no-process`), or the process failed its checks (`refused`).
 * Nothing was read or sent; `message` is the agent's sentence.
 */
export class AgentWorkloadRefusedError extends BackendError {
  constructor(
    readonly agent: string,
    readonly refusal: WorkloadRefusalCode,
    message: string,
  ) {
    super('agent', message);
  }
}

const WORKLOAD_REFUSAL = z.object({ error: z.string(), code: z.enum(['workload-vantage-off', 'no-process', 'refused']) });

export interface AgentClientOptions {
  /** Time allowed on top of the probes themselves (connect, queueing, answer), ms. Default 5000. */
  timeoutMs?: number;
  /** Node the agent runs on; used in sentences and as `via` when the agent does not say. */
  node?: string;
}

export interface AgentAnswer {
  node: string;
  results: ProbeResult[];
}

const ANSWER = z.object({
  node: z.string(),
  results: z.array(z.object({ kind: z.enum(PROBE_KINDS), ip: z.string(), ok: z.boolean() }).passthrough()),
});

const DENIED = z.object({
  error: z.string(),
  denied: z.array(z.object({ index: z.number(), reason: z.string(), rule: z.string().optional() })).default([]),
});

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/**
 * A Prober that asks a netpeek agent to probe from its node. It never rejects because of the agent: an
 * agent that is down, slow, busy or refuses our signature yields placeholder results carrying
 * `unavailable` (degraded, not failed); an allow-list refusal yields `denied` results.
 */
export class AgentClient implements Prober {
  readonly baseUrl: string;
  /**
   * Connections kept open between calls: a question asks the same agent twice at once (its socket read and
   * its probe), and each new connection was a handshake and an accept more on both sides. An idle one is
   * closed before the agent's own 5 s keep-alive timeout would, and never holds the process open.
   */
  private readonly pool: http.Agent;

  constructor(
    baseUrl: string,
    private readonly secret: string,
    private readonly options: AgentClientOptions = {},
  ) {
    this.baseUrl = normaliseAgentUrl(baseUrl);
    const keep = { keepAlive: true, timeout: IDLE_CONNECTION_MS };
    this.pool = this.baseUrl.startsWith('https:') ? new https.Agent(keep) : new http.Agent(keep);
  }

  async probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (targets.length === 0) return [];
    try {
      const answer = await this.call(targets, opts);
      return answer.results.map((r) => ({ ...r, via: answer.node }));
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (err instanceof AgentDeniedError) return deniedResults(targets, err);
      if (err instanceof AgentUnavailableError) return targets.map((t) => ({ ...notProbed(t, 'error', err.info.message), unavailable: err.info, ...this.via() }));
      throw err;
    }
  }

  /**
   * Probes from inside a workload on the agent's node (POST /v1/probe with `from`). Like probe(), an agent
   * that cannot be asked yields placeholder results; a refusal to enter the workload rejects with
   * AgentWorkloadRefusedError, so the caller can say so and probe from the node instead.
   */
  async probeInside(from: WorkloadRef, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (targets.length === 0) return [];
    try {
      const answer = await this.call(targets, opts, from);
      return answer.results.map((r) => ({ ...r, via: `inside ${from.workload}` }));
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (err instanceof AgentDeniedError) return deniedResults(targets, err);
      if (err instanceof AgentUnavailableError) return targets.map((t) => ({ ...notProbed(t, 'error', err.info.message), unavailable: err.info, ...this.via() }));
      throw err;
    }
  }

  /**
   * The listening sockets of a workload on the agent's node (POST /v1/workload/sockets). Throws
   * AgentWorkloadRefusedError (not opted in, no such process, refused) or AgentUnavailableError.
   */
  async workloadSockets(ref: WorkloadRef): Promise<WorkloadSocketsReading> {
    const res = await this.post('/v1/workload/sockets', JSON.stringify(ref), this.options.timeoutMs ?? 5000);
    if (res.status === 200) {
      const parsed = WORKLOAD_SOCKETS_ANSWER.safeParse(safeJson(res.body));
      if (parsed.success) return parsed.data as WorkloadSocketsReading;
      throw this.unavailable('bad-response', `${this.name()} answered 200 with something that is not a socket reading`, { status: 200 });
    }
    throw this.workloadRefusal(res) ?? this.failure(res);
  }

  /** A DNS question answered from inside a workload on the agent's node (POST /v1/workload/dns). Throws like workloadSockets. */
  async workloadDns(ref: WorkloadRef, q: DnsQuestion): Promise<DnsLookup> {
    const res = await this.post('/v1/workload/dns', JSON.stringify({ ...ref, name: q.name, type: q.type, timeoutMs: q.timeoutMs }), this.dnsBudget(q));
    if (res.status === 200) return this.dnsLookup(res);
    throw this.workloadRefusal(res) ?? this.failure(res);
  }

  /** A DNS question answered in the agent's node's own network namespace (POST /v1/dns). Throws AgentUnavailableError. */
  async hostDns(q: DnsQuestion): Promise<DnsLookup> {
    const res = await this.post('/v1/dns', JSON.stringify({ name: q.name, type: q.type, timeoutMs: q.timeoutMs }), this.dnsBudget(q));
    if (res.status === 200) return this.dnsLookup(res);
    throw this.failure(res);
  }

  /** Every candidate name may take a query timeout; the agent call itself gets the usual margin on top. */
  private dnsBudget(q: DnsQuestion): number {
    return q.timeoutMs * 8 + (this.options.timeoutMs ?? 5000);
  }

  private dnsLookup(res: RawResponse): DnsLookup {
    const json = safeJson(res.body) as DnsLookup | undefined;
    if (json && Array.isArray(json.results) && Array.isArray(json.candidates) && json.conf) return { from: json.from, resolvConfPath: json.resolvConfPath, conf: json.conf, candidates: json.candidates, results: json.results, deniedNameservers: json.deniedNameservers ?? [] };
    throw this.unavailable('bad-response', `${this.name()} answered 200 with something that is not a DNS lookup`, { status: 200 });
  }

  private workloadRefusal(res: RawResponse): AgentWorkloadRefusedError | undefined {
    if (res.status !== 403 && res.status !== 404 && res.status !== 400) return undefined;
    const r = WORKLOAD_REFUSAL.safeParse(safeJson(res.body));
    return r.success ? new AgentWorkloadRefusedError(this.baseUrl, r.data.code, r.data.error) : undefined;
  }

  /** One signed POST /v1/probe. Throws AgentUnavailableError, AgentDeniedError or AgentWorkloadRefusedError. */
  async call(targets: ProbeTarget[], opts: ProbeOptions, from?: WorkloadRef): Promise<AgentAnswer> {
    const count = Math.max(1, Math.round(opts.count ?? 1));
    const timeoutMs = Math.min(10_000, Math.max(10, Math.round(opts.timeoutMs)));
    const deadlineMs = opts.deadlineMs === undefined ? undefined : Math.max(10, Math.round(opts.deadlineMs));
    const probes = targets.map(({ kind, ip, port, path }) => (kind === 'icmp' ? { kind, ip } : kind === 'tcp' ? { kind, ip, port } : { kind, ip, port, path }));
    const body = JSON.stringify({ probes, timeoutMs, count, deadlineMs, ...(from ? { from } : {}) });
    const budget = (deadlineMs ?? timeoutMs * (count + 1) + 1000) + (this.options.timeoutMs ?? 5000);
    const res = await this.post('/v1/probe', body, budget, opts.signal);
    const refused = from ? this.workloadRefusal(res) : undefined;
    if (refused) throw refused;
    return this.interpret(res, targets.length);
  }

  private via(): { via?: string } {
    return this.options.node ? { via: this.options.node } : {};
  }

  private name(): string {
    return `agent ${this.baseUrl}${this.options.node ? ` (node ${this.options.node})` : ''}`;
  }

  private unavailable(reason: AgentUnavailable['reason'], message: string, extra: Partial<AgentUnavailable> = {}): AgentUnavailableError {
    return new AgentUnavailableError({ agent: this.baseUrl, ...(this.options.node ? { node: this.options.node } : {}), reason, message, ...extra });
  }

  private interpret(res: RawResponse, expected: number): AgentAnswer {
    const json = safeJson(res.body);
    const said = typeof (json as { error?: unknown })?.error === 'string' ? (json as { error: string }).error : `HTTP ${res.status}`;
    if (res.status === 200) {
      const parsed = ANSWER.safeParse(json);
      if (parsed.success && parsed.data.results.length === expected) return parsed.data as AgentAnswer;
      throw this.unavailable('bad-response', `${this.name()} answered 200 with something that is not a probe answer for ${expected} targets`, { status: 200 });
    }
    if (res.status === 403) {
      const d = DENIED.safeParse(json);
      throw new AgentDeniedError(this.baseUrl, `${this.name()} refused the batch: ${said}`, d.success ? d.data.denied : []);
    }
    throw this.failure(res);
  }

  /** A non-200 answer other than an allow-list or workload refusal, as the error callers see. */
  private failure(res: RawResponse): AgentUnavailableError {
    const json = safeJson(res.body);
    const said = typeof (json as { error?: unknown })?.error === 'string' ? (json as { error: string }).error : `HTTP ${res.status}`;
    if (res.status === 401)
      return this.unavailable('unauthorized', `${this.name()} refused our signature (${said}); check that NETPEEK_AGENT_SECRET is the same on both sides and that clocks agree within ${SIGNATURE_WINDOW_MS / 1000} s`, { status: 401 });
    if (res.status === 429) {
      const retryAfterSec = Number(res.retryAfter) || 1;
      return this.unavailable('busy', `${this.name()} is busy (${said}); retry in ${retryAfterSec} s`, { status: 429, retryAfterSec });
    }
    if (res.status === 400 || res.status === 413) return this.unavailable('rejected', `${this.name()} rejected the request (${said})`, { status: res.status });
    if (res.status >= 500) return this.unavailable('server-error', `${this.name()} failed with HTTP ${res.status} (${said})`, { status: res.status });
    return this.unavailable('bad-response', `${this.name()} answered HTTP ${res.status} (${said}); is that URL really a netpeek agent?`, { status: res.status });
  }

  /**
   * One signed POST. A kept connection the agent closed just as it was reused fails with ECONNRESET before
   * the agent read anything: that request is sent once more, signed again (a nonce is never sent twice),
   * on a new connection. Every other failure is the caller's to hear.
   */
  private async post(path: string, body: string, budgetMs: number, signal?: AbortSignal): Promise<RawResponse> {
    try {
      return await this.postOnce(path, body, budgetMs, signal);
    } catch (err) {
      if (!(err instanceof StaleConnection)) throw err;
      return this.postOnce(path, body, budgetMs, signal, false);
    }
  }

  private postOnce(path: string, body: string, budgetMs: number, signal?: AbortSignal, reuse = true): Promise<RawResponse> {
    const url = new URL(path, `${this.baseUrl}/`);
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...signRequest(this.secret, { method: 'POST', path: url.pathname, body }) };
    return new Promise((resolve, reject) => {
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, { method: 'POST', headers, agent: reuse ? this.pool : false });
      let answered = false;
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('agent call timed out'), { code: 'NETPEEK_TIMEOUT' })), budgetMs);
      const onAbort = () => req.destroy(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.once('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(Object.assign(new Error('answer too large'), { code: 'NETPEEK_TOO_LARGE' }));
          else chunks.push(c);
        });
        res.once('end', () => {
          done();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] });
        });
        res.once('error', (err: NodeJS.ErrnoException) => {
          done();
          reject(this.networkError(err, budgetMs));
        });
      });
      req.once('error', (err: NodeJS.ErrnoException) => {
        done();
        reject(req.reusedSocket && !answered && err.code === 'ECONNRESET' ? new StaleConnection() : this.networkError(err, budgetMs));
      });
      req.end(body);
    });
  }

  private networkError(err: NodeJS.ErrnoException, budgetMs: number): Error {
    const code = err.code ?? '';
    if (code === 'ABORT_ERR') return err;
    if (code === 'ECONNREFUSED') return this.unavailable('refused', `${this.name()} refused the connection (ECONNREFUSED): is netpeek agent running there?`);
    if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return this.unavailable('unreachable', `${this.name()} is unreachable (${code})`);
    if (code === 'NETPEEK_TIMEOUT' || code === 'ETIMEDOUT') return this.unavailable('timeout', `${this.name()} did not answer within ${budgetMs} ms`);
    if (code === 'NETPEEK_TOO_LARGE') return this.unavailable('bad-response', `${this.name()} sent an answer larger than ${MAX_ANSWER_BYTES} bytes`);
    return this.unavailable('connection-lost', `the connection to ${this.name()} was lost before it answered (${code || err.message}); the agent may have restarted or been killed`);
  }
}

/** How long a connection to an agent stays open unused; under the agent's keepAliveTimeout (5 s). */
const IDLE_CONNECTION_MS = 4000;

/** A kept connection that turned out closed by the agent: post() sends the request again on a new one. */
class StaleConnection extends Error {}

interface RawResponse {
  status: number;
  body: string;
  retryAfter?: string;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** 403: the named targets are denied with the agent's reason; the others were not probed because of them. */
function deniedResults(targets: ProbeTarget[], err: AgentDeniedError): ProbeResult[] {
  const byIndex = new Map(err.denied.map((d) => [d.index, d.reason]));
  return targets.map((t, i) => notProbed(t, 'denied', byIndex.get(i) ?? `not probed: ${err.message}`));
}
