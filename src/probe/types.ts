/**
 * One shape for every probe, goldpinger style: a batch of targets in, one plain JSON-safe result per target
 * out, in the same order. A prober resolves even when every target fails; it rejects only when the caller's
 * AbortSignal fires (with the signal's reason), after stopping every socket and child process it started.
 */

import type { ProbeKind } from '../core/kinds.js';

/** What to probe. `ip` must be an IP address (never a hostname); probers normalise odd spellings. */
export interface ProbeTarget {
  kind: ProbeKind;
  /** IPv4 or IPv6 address. */
  ip: string;
  /** Required for tcp and http. */
  port?: number;
  /** http only; default `/`. */
  path?: string;
}

/**
 * Why a probe failed.
 * - refused: the address answered with a TCP RST (nothing listens on the port).
 * - timeout: no answer within the timeout or the batch deadline.
 * - unreachable: no route, no ARP/ND answer (EHOSTUNREACH/ENETUNREACH), or no ICMP echo reply at all.
 * - denied: the allow-list (or an agent's) refused the target; nothing was sent.
 * - error: anything else (bad HTTP status, local error, agent unavailable) — see `detail`.
 */
export type ProbeError = 'refused' | 'timeout' | 'unreachable' | 'denied' | 'error';

export interface IcmpStats {
  /** Echo requests sent. */
  sent: number;
  /** Echo replies received. */
  received: number;
  /** 0–100. */
  lossPct: number;
  /** Round-trip times in ms; absent when nothing came back. */
  minMs?: number;
  avgMs?: number;
  maxMs?: number;
}

export interface HttpStats {
  /** HTTP status code of the first response (redirects are not followed). */
  status: number;
  /** Time from the start of the probe to the response headers, ms. */
  ttfbMs: number;
}

/** Why an agent could not run a batch: shown as "degraded", not as a failed probe. */
export interface AgentUnavailable {
  /** Base URL of the agent. */
  agent: string;
  /** Node the agent runs on, when known. */
  node?: string;
  reason: 'refused' | 'unreachable' | 'timeout' | 'connection-lost' | 'unauthorized' | 'busy' | 'rejected' | 'server-error' | 'bad-response' | 'no-agent';
  /** HTTP status when the agent answered. */
  status?: number;
  /** Seconds the agent asked us to wait (429). */
  retryAfterSec?: number;
  /** One sentence naming the agent and why. */
  message: string;
}

export interface ProbeResult {
  kind: ProbeKind;
  /** Canonical address probed (or the input when it was not an address). */
  ip: string;
  port?: number;
  path?: string;
  ok: boolean;
  /** ICMP: average RTT; TCP: connect time; HTTP: time to response headers. Milliseconds. */
  ms?: number;
  error?: ProbeError;
  /** A sentence on what happened, safe to show. */
  detail?: string;
  icmp?: IcmpStats;
  http?: HttpStats;
  /** Where the probe ran: agent node name, when it went through an agent. */
  via?: string;
  /** Set when the result is only a placeholder because the agent could not run the batch. */
  unavailable?: AgentUnavailable;
}

export interface ProbeOptions {
  /** Per-probe timeout (per echo request for ICMP), ms. */
  timeoutMs: number;
  /** Wall-clock budget for the whole batch, ms; probes not answered by then are reported as timeouts. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** ICMP echo requests per target (default 1). TCP and HTTP make one attempt. */
  count?: number;
}

export interface Prober {
  probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]>;
}

/** Rounds a duration to microseconds so results stay small and stable in JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A result for a target that was never probed. */
export function notProbed(target: ProbeTarget, error: ProbeError, detail: string): ProbeResult {
  return { ...base(target), ok: false, error, detail };
}

export function base(target: ProbeTarget): Pick<ProbeResult, 'kind' | 'ip' | 'port' | 'path'> {
  const out: Pick<ProbeResult, 'kind' | 'ip' | 'port' | 'path'> = { kind: target.kind, ip: target.ip };
  if (target.port !== undefined && target.kind !== 'icmp') out.port = target.port;
  if (target.path !== undefined && target.kind === 'http') out.path = target.path;
  return out;
}

/** The error a rejected probe() carries when its signal fired. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The probe was aborted', 'AbortError');
}
