import type { AgentConfig } from './agent-config.js';
import { HttpError, sendJson } from './http-io.js';
import { parseProbeRequest, type ProbeRequest } from './probe-request.js';
import { abortOnDisconnect, acquireSlots, authenticate, checkTargets, readBodyLimited, takeRateToken, type AgentContext, type Handler } from './request-gate.js';

import { probeInsideWorkload, requireWorkloadVantage } from './workload.js';

export type { AgentContext, Handler } from './request-gate.js';

/**
 * POST /v1/probe: verify, limit, validate, allow-list, probe with a deadline, answer. The nonce is stored
 * last, once every check has passed: a request refused for rate, caps or targets leaves nothing behind.
 */
export const handleProbe: Handler = async (ctx, req, res, log) => {
  const body = await readBodyLimited(req, res, ctx.config.maxBodyBytes, log);
  if (!body) return;
  const signed = authenticate(ctx, req, body);
  takeRateToken(ctx);
  const request = parseProbeRequest(body, ctx.config.maxTargets);
  if (request.from) requireWorkloadVantage(ctx);
  const targets = checkTargets(ctx, request.probes);
  const release = acquireSlots(ctx, targets.length);
  if (ctx.replay.remember(signed.nonce, signed.timestampSec) === 'replayed') {
    release();
    throw new HttpError(401, 'nonce was already used (replayed request)');
  }
  const aborter = abortOnDisconnect(res);
  try {
    const opts = { timeoutMs: request.timeoutMs, count: request.count, deadlineMs: deadlineFor(request, ctx.config), signal: aborter.signal };
    const results = request.from ? await probeInsideWorkload(ctx, request.from, targets, opts) : await ctx.prober.probe(targets, opts);
    ctx.metrics.recordResults(results);
    log?.debug({ targets: targets.length, failed: results.filter((r) => !r.ok).length }, 'probe batch done');
    sendJson(res, 200, { node: ctx.config.nodeName, ...(request.from ? { from: request.from.workload } : {}), results });
  } finally {
    release();
    ctx.metrics.setInflight(ctx.gate.inFlight);
  }
};

// Unsigned, so anyone who reaches the port reads it: it says the agent is up and which node it is, not
// whether it runs with the workload-vantage privileges (hostPID, SYS_ADMIN), which would point at the agent
// worth attacking. The start-up log says that.
export const handleHealth: Handler = async (ctx, _req, res) => {
  sendJson(res, 200, { ok: true, node: ctx.config.nodeName });
};

export const handleReady: Handler = async (ctx, _req, res) => {
  const r = ctx.closing ? { ready: false, detail: 'shutting down' } : await ctx.ready();
  sendJson(res, r.ready ? 200 : 503, { ...r, node: ctx.config.nodeName });
};

export const handleMetrics: Handler = async (ctx, _req, res) => {
  const { contentType, body } = await ctx.metrics.render();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
};

/** The batch deadline: what the caller asked for, else enough for every echo request plus a margin; capped. */
export function deadlineFor(r: Pick<ProbeRequest, 'timeoutMs' | 'count' | 'deadlineMs'>, config: Pick<AgentConfig, 'maxDeadlineMs'>): number {
  return Math.min(config.maxDeadlineMs, r.deadlineMs ?? r.timeoutMs * (r.count + 1) + 1000);
}
