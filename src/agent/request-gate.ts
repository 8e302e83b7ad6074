import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { AllowList } from '../net/address-policy.js';
import type { ProbeTarget, Prober } from '../probe/types.js';
import type { AgentConfig } from './agent-config.js';
import { HttpError } from './http-io.js';
import { BodyTooLarge, readCappedBody, refuseTooLarge } from '../http/capped-body.js';
import type { InflightGate, TokenBucket } from './limits.js';
import type { AgentMetrics } from './metrics.js';
import type { ReplayCache } from './replay-cache.js';
import { verifyRequest } from './signing.js';

/**
 * What every agent endpoint shares: its context, and the checks each request passes in order (body cap,
 * signature and window, rate, allow-list, in-flight cap). Handlers for probes and for workloads both
 * build on these, so a new endpoint cannot skip one.
 */

/** Everything a handler needs; built once by startAgent. */
export interface AgentContext {
  config: AgentConfig;
  prober: Prober;
  allowList: AllowList;
  replay: ReplayCache;
  bucket: TokenBucket;
  gate: InflightGate;
  metrics: AgentMetrics;
  /** Readiness of the probe tools (fping/ping present), decided at start. */
  ready: () => Promise<{ ready: boolean; detail: string }>;
  closing: boolean;
}

export type Handler = (ctx: AgentContext, req: IncomingMessage, res: ServerResponse, log?: Logger) => Promise<void>;

/** The body under the cap, or undefined once a 413 has been sent and the connection closed. */
export async function readBodyLimited(req: IncomingMessage, res: ServerResponse, limit: number, log?: Logger): Promise<Buffer | undefined> {
  try {
    return await readCappedBody(req, limit);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    log?.info({ status: 413, limit }, 'request body over NETPEEK_AGENT_MAX_BODY_BYTES refused');
    refuseTooLarge(res, limit);
    return undefined;
  }
}

/** Signature and window; a nonce already accepted is refused here, before it can take a rate token. */
export function authenticate(ctx: AgentContext, req: IncomingMessage, body: Buffer): { nonce: string; timestampSec: number } {
  const v = verifyRequest({ method: req.method ?? '', path: req.url ?? '', body }, { secret: ctx.config.secret, headers: req.headers, windowMs: ctx.config.signatureWindowMs });
  if (!v.ok) throw new HttpError(401, v.reason);
  if (ctx.replay.seen(v.nonce)) throw new HttpError(401, 'nonce was already used (replayed request)');
  return v;
}

/** Stores the nonce once every check of a request has passed: a request refused earlier leaves nothing behind. */
export function rememberNonce(ctx: AgentContext, signed: { nonce: string; timestampSec: number }): void {
  if (ctx.replay.remember(signed.nonce, signed.timestampSec) === 'replayed') throw new HttpError(401, 'nonce was already used (replayed request)');
}

export function takeRateToken(ctx: AgentContext): void {
  const t = ctx.bucket.take();
  if (!t.ok) throw new HttpError(429, `more than ${ctx.config.rps} requests per second; retry in ${t.retryAfterSec} s`, { retryAfterSec: t.retryAfterSec }, { 'retry-after': String(t.retryAfterSec) });
}

/** Every target is checked before anything is sent; one denied target refuses the whole batch. */
export function checkTargets(ctx: AgentContext, probes: ProbeTarget[]): ProbeTarget[] {
  const verdicts = probes.map((p) => ctx.allowList.check(p));
  const denied = verdicts.flatMap((v, index) => (v.allowed ? [] : [{ index, target: probes[index]?.ip, ip: v.ip, reason: v.reason, rule: v.rule }]));
  const first = denied[0];
  if (first) {
    ctx.metrics.recordDenied(denied.map((d) => probes[d.index]?.kind ?? 'icmp'));
    const more = denied.length > 1 ? ` (and ${denied.length - 1} more denied target${denied.length > 2 ? 's' : ''})` : '';
    throw new HttpError(403, `${first.reason}${more}; nothing was probed`, { target: first.target, rule: first.rule, denied });
  }
  return probes.map((p, i) => ({ ...p, ip: (verdicts[i] as { ip: string }).ip }));
}

export function acquireSlots(ctx: AgentContext, n: number): () => void {
  const release = ctx.gate.tryAcquire(n);
  if (!release) throw new HttpError(429, `${ctx.gate.inFlight} probes are in flight and this batch of ${n} would pass the cap of ${ctx.gate.max}; retry in 1 s`, { retryAfterSec: 1 }, { 'retry-after': '1' });
  ctx.metrics.setInflight(ctx.gate.inFlight);
  return release;
}

/** A caller that hangs up cancels its batch. */
export function abortOnDisconnect(res: ServerResponse): AbortController {
  const aborter = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) aborter.abort(new Error('client disconnected'));
  });
  return aborter;
}
