import pLimit from 'p-limit';
import type { AgentUnavailable, ProbeResult } from '../probe/types.js';
import { vantageName, type ProbeService, type Vantage } from '../probe/vantage.js';
import { systemClock, type Clock } from './clock.js';
import type { ReportDefinition } from './definitions.js';
import { countResults, type ReportRun, type RunTrigger, type TargetResult } from './model.js';
import { resolveTargets, type ResolvedTarget, type TargetSources } from './targets.js';

/**
 * One run of a report: resolve targets → probe them from their hosts, grouped per host and batched
 * (several hosts at once, a bounded number of batches per host) → one result row per target. Never
 * throws for a backend being down: those targets come back as not probed, with the reason.
 */

export interface ProbeCaps {
  /** Targets per probe request; keep ≤ the agents' NETPEEK_AGENT_MAX_TARGETS (default 256). */
  batchSize: number;
  /** Batches in flight per host (default 2: 2 × 256 fits the agent's default 512 probes in flight). */
  perVantage: number;
  /** Hosts probed at once (default 16). */
  vantages: number;
}

export const DEFAULT_CAPS: ProbeCaps = { batchSize: 256, perVantage: 2, vantages: 16 };

export interface RunContext {
  sources: TargetSources;
  probes?: ProbeService;
  clock?: Clock;
  caps?: Partial<ProbeCaps>;
  signal?: AbortSignal;
}

export interface TickInfo {
  tickKey: string;
  scheduledAt: Date;
  trigger: RunTrigger;
  late: boolean;
}

function vantageKey(v: Vantage): string {
  if (v.kind === 'workload') return `workload:${v.containerId}`;
  return v.kind === 'docker-host' ? 'docker-host' : `node:${v.node}`;
}

/** Why nothing was sent, in two or three words; the agent's sentence goes into `detail`. */
function unavailableReason(u: AgentUnavailable): string {
  switch (u.reason) {
    case 'no-agent':
      return 'no agent';
    case 'busy':
      return 'agent busy';
    case 'unauthorized':
      return 'agent refused signature';
    case 'refused':
    case 'unreachable':
    case 'timeout':
    case 'connection-lost':
      return 'agent down';
    default:
      return 'agent error';
  }
}

/** One probe result → the report's row, applying the definition's thresholds. */
export function evaluate(t: ResolvedTarget, r: ProbeResult, def: Pick<ReportDefinition, 'thresholds'>): TargetResult {
  const row: TargetResult = { id: t.id, group: t.group, subject: t.subject, kind: t.probe.kind, ip: t.probe.ip, ...(t.probe.port !== undefined ? { port: t.probe.port } : {}), from: vantageName(t.vantage), status: 'ok' };
  if (r.unavailable) return { ...row, status: 'not-probed', reason: unavailableReason(r.unavailable), detail: r.unavailable.message };
  if (r.error === 'denied') return { ...row, status: 'not-probed', reason: 'denied by allow-list', ...(r.detail ? { detail: r.detail } : {}) };
  if (r.ms !== undefined) row.ms = r.ms;
  if (r.icmp) row.lossPct = r.icmp.lossPct;
  if (!r.ok) return { ...row, status: 'failed', reason: r.error ?? 'error', ...(r.detail ? { detail: r.detail } : {}) };
  if (r.icmp && r.icmp.lossPct > def.thresholds.lossPct) return { ...row, status: 'failed', reason: 'loss', detail: `${r.icmp.lossPct}% of echo requests lost (threshold ${def.thresholds.lossPct}%)` };
  if (def.thresholds.latencyWarnMs !== undefined && r.ms !== undefined && r.ms > def.thresholds.latencyWarnMs) row.slow = true;
  return row;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** Probes every target from its host, in parallel within the caps; results in the targets' order. */
export async function probeTargets(def: Pick<ReportDefinition, 'timeoutMs' | 'count' | 'thresholds'>, targets: readonly ResolvedTarget[], ctx: RunContext): Promise<TargetResult[]> {
  const caps = { ...DEFAULT_CAPS, ...ctx.caps };
  const results = new Array<TargetResult>(targets.length);
  const probes = ctx.probes;
  if (!probes) {
    targets.forEach((t, i) => (results[i] = { id: t.id, group: t.group, subject: t.subject, kind: t.probe.kind, ip: t.probe.ip, ...(t.probe.port !== undefined ? { port: t.probe.port } : {}), from: vantageName(t.vantage), status: 'not-probed', reason: 'probing not configured', detail: 'this netpeek has no prober (agents or the local prober) configured' }));
    return results;
  }
  const byVantage = new Map<string, { vantage: Vantage; items: number[] }>();
  targets.forEach((t, i) => {
    const key = vantageKey(t.vantage);
    const g = byVantage.get(key) ?? { vantage: t.vantage, items: [] };
    g.items.push(i);
    byVantage.set(key, g);
  });
  const opts = { timeoutMs: def.timeoutMs, count: def.count, deadlineMs: def.timeoutMs * (def.count + 2) + 2000, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const hosts = pLimit(caps.vantages);
  await Promise.all(
    [...byVantage.values()].map((g) =>
      hosts(async () => {
        const perHost = pLimit(caps.perVantage);
        const batches: number[][] = [];
        for (let i = 0; i < g.items.length; i += caps.batchSize) batches.push(g.items.slice(i, i + caps.batchSize));
        await Promise.all(
          batches.map((batch) =>
            perHost(async () => {
              const send = () => probes.probeFrom(g.vantage, batch.map((i) => (targets[i] as ResolvedTarget).probe), opts);
              let out = await send();
              // An agent at its cap answers 429 with Retry-After: wait (up to 5 s) and try that batch once more.
              const busy = out.find((r) => r.unavailable?.reason === 'busy')?.unavailable;
              if (busy && !ctx.signal?.aborted) {
                await sleep(Math.min(5, busy.retryAfterSec ?? 1) * 1000);
                out = await send();
              }
              batch.forEach((ti, j) => (results[ti] = evaluate(targets[ti] as ResolvedTarget, out[j] as ProbeResult, def)));
            }),
          ),
        );
      }),
    ),
  );
  return results;
}

/** Resolves, probes and assembles one run (not yet stored, not yet diffed). */
export async function runReport(def: ReportDefinition, tick: TickInfo, ctx: RunContext, previous?: ReportRun): Promise<ReportRun> {
  const clock = ctx.clock ?? systemClock;
  const startedAt = new Date(clock.now()).toISOString();
  const resolution = await resolveTargets(def, ctx.sources, previous);
  const probed = await probeTargets(def, resolution.targets, ctx);
  const results = [...probed, ...resolution.unresolved];
  return {
    report: def.name,
    tickKey: tick.tickKey,
    scheduledAt: tick.scheduledAt.toISOString(),
    startedAt,
    finishedAt: new Date(clock.now()).toISOString(),
    trigger: tick.trigger,
    late: tick.late,
    results,
    counts: countResults(results),
    notes: resolution.notes,
  };
}
