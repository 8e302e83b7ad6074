import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { AllowList } from '../net/address-policy.js';
import { LocalProber } from '../probe/local-prober.js';
import type { Prober } from '../probe/types.js';
import type { AgentConfig } from './agent-config.js';
import { handleHealth, handleMetrics, handleProbe, handleReady, type AgentContext, type Handler } from './handlers.js';
import { HttpError, sendJson } from './http-io.js';
import { handleHostDns } from './host-dns.js';
import { handleWorkloadDns, handleWorkloadSockets } from './workload.js';
import { InflightGate, TokenBucket } from './limits.js';
import { AgentMetrics } from './metrics.js';
import { ReplayCache } from './replay-cache.js';

export interface AgentDeps {
  /** Default: a LocalProber limited to the same allow-list. */
  prober?: Prober;
  logger?: Logger;
  metrics?: AgentMetrics;
}

export interface AgentHandle {
  /** Base URL to reach the agent (a wildcard listen address is shown as loopback). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const ROUTES: Record<string, { method: string; handler: Handler }> = {
  '/v1/probe': { method: 'POST', handler: handleProbe },
  // A name resolved in the node's own network namespace, its nameservers through the allow-list.
  '/v1/dns': { method: 'POST', handler: handleHostDns },
  // Opt-in (NETPEEK_AGENT_WORKLOAD_VANTAGE): 403 on an agent deployed without the workload-vantage component.
  '/v1/workload/sockets': { method: 'POST', handler: handleWorkloadSockets },
  '/v1/workload/dns': { method: 'POST', handler: handleWorkloadDns },
  '/healthz': { method: 'GET', handler: handleHealth },
  '/readyz': { method: 'GET', handler: handleReady },
  '/metrics': { method: 'GET', handler: handleMetrics },
};

function createContext(config: AgentConfig, deps: AgentDeps): { ctx: AgentContext; local?: LocalProber } {
  const allowList = new AllowList(config.allowCidrs, config.allowPorts);
  // The agent answers small batches all day: fping is started ahead of each (FpingSpare), not while it waits.
  const local = deps.prober ? undefined : new LocalProber({ allowList, logger: deps.logger, maxConcurrency: config.maxInflight, spareFping: true });
  let tool: Promise<'fping' | 'ping' | undefined> | undefined;
  const bucket = new TokenBucket(config.rps);
  const ctx: AgentContext = {
    config,
    allowList,
    prober: deps.prober ?? (local as LocalProber),
    bucket,
    // Sized from the rate limit: nonces are stored only for requests that got a token (replay-cache.ts).
    replay: new ReplayCache({ capacity: ReplayCache.capacityFor(config.rps, bucket.burst, config.signatureWindowMs), windowMs: config.signatureWindowMs }),
    gate: new InflightGate(config.maxInflight),
    metrics: deps.metrics ?? new AgentMetrics(),
    ready: async () => {
      if (!local) return { ready: true, detail: 'custom prober' };
      const t = await (tool ??= local.icmpTool());
      return t ? { ready: true, detail: `ICMP through ${t}` } : { ready: false, detail: 'neither fping nor ping is installed' };
    },
    closing: false,
  };
  return local ? { ctx, local } : { ctx };
}

async function route(ctx: AgentContext, req: IncomingMessage, res: ServerResponse, logger?: Logger): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const log = logger?.child({ requestId: String(req.headers['x-request-id'] ?? randomUUID()).slice(0, 64), method: req.method, path });
  try {
    const r = ROUTES[path];
    if (!r) throw new HttpError(404, `no such endpoint ${path}; try POST /v1/probe, /v1/dns, /v1/workload/sockets, /v1/workload/dns, GET /healthz, /readyz or /metrics`);
    if (req.method !== r.method) throw new HttpError(405, `${path} takes ${r.method}`, {}, { allow: r.method });
    await r.handler(ctx, req, res, log);
  } catch (err) {
    answerError(res, err, log);
  } finally {
    ctx.metrics.recordRequest(path, res.statusCode);
  }
}

function answerError(res: ServerResponse, err: unknown, log?: Logger): void {
  if (res.headersSent || res.destroyed) {
    log?.debug({ err }, 'request ended before an answer could be sent');
    return;
  }
  if (err instanceof HttpError) {
    log?.info({ status: err.status, reason: err.message }, 'request refused');
    sendJson(res, err.status, { error: err.message, ...err.extra }, err.headers);
    return;
  }
  log?.error({ err }, 'agent request failed');
  sendJson(res, 500, { error: 'the agent failed while answering; see its log' });
}

/** Starts the agent's HTTP server; `netpeek agent` and the tests both come through here. */
export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<AgentHandle> {
  if (config.secret.length < 16) throw new Error('the agent needs a shared secret of at least 16 characters');
  const { ctx, local } = createContext(config, deps);
  const server = http.createServer({ requestTimeout: config.maxDeadlineMs + 10_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    void route(ctx, req, res, deps.logger);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = address === '0.0.0.0' || address === '::' ? '127.0.0.1' : family === 'IPv6' ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  deps.logger?.info({ url, node: config.nodeName, allow: config.allowCidrs, maxTargets: config.maxTargets, rps: config.rps, workloadVantage: config.workloadVantage }, 'agent listening');
  return {
    url,
    port,
    close: async () => {
      await closeServer(server, ctx);
      local?.close();
    },
  };
}

function closeServer(server: http.Server, ctx: AgentContext): Promise<void> {
  ctx.closing = true;
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), 5000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
