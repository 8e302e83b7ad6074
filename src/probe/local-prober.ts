import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../log.js';
import { parseAddress, type AllowList } from '../net/address-policy.js';
import { runProgram } from './exec.js';
import { httpProbe } from './http.js';
import { FpingSpare } from './fping-spare.js';
import { fpingBatch, pingOne, type IcmpOutcome, type IcmpRunOptions } from './icmp.js';
import { tcpProbe } from './tcp.js';
import { abortReason, base, notProbed, type ProbeOptions, type ProbeResult, type ProbeTarget, type Prober } from './types.js';

export interface LocalProberOptions {
  /** TCP and HTTP probes in flight at once, across all batches of this prober (default 256). */
  maxConcurrency?: number;
  /** fping processes for one large batch, each taking up to 256 targets (default 4). */
  maxFpingProcesses?: number;
  /** `ping` processes at once when fping is missing (default 16). */
  maxPingProcesses?: number;
  /** `auto` (default) uses fping and falls back to ping when fping is not installed. */
  icmp?: 'auto' | 'fping' | 'ping';
  fpingPath?: string;
  pingPath?: string;
  /** Time between echo requests to one address when count > 1 (default 200 ms). */
  icmpPeriodMs?: number;
  /** Batch deadline when the caller gives none (default 30 s). */
  defaultDeadlineMs?: number;
  /**
   * Keep one fping process started ahead for the next batch (FpingSpare): for a prober that lives long
   * and answers small batches (the node's agent). Off by default: a one-shot command would start it for nothing.
   */
  spareFping?: boolean;
  /** Defence in depth: targets this list denies are reported as `denied` and never sent. */
  allowList?: AllowList;
  logger?: Logger;
}

type Prepared = { index: number; target: ProbeTarget };

const HTTP_PATH = /^\/[\x21-\x7e]{0,2047}$/;

/**
 * Probes from this host: ICMP through fping, one process per batch of up to 256 targets (ping as fallback), TCP connect and
 * HTTP GET through node:net / node:http with a shared concurrency cap. Every probe has a timeout and the
 * batch a deadline; an aborted signal stops everything and rejects.
 */
export class LocalProber implements Prober {
  private readonly limit: LimitFunction;
  private readonly pingLimit: LimitFunction;
  private fpingMissing = false;
  private readonly spare?: FpingSpare;

  constructor(private readonly o: LocalProberOptions = {}) {
    this.limit = pLimit(o.maxConcurrency ?? 256);
    this.pingLimit = pLimit(o.maxPingProcesses ?? 16);
    if (o.spareFping && (o.icmp ?? 'auto') !== 'ping') this.spare = new FpingSpare(o.fpingPath ?? 'fping');
  }

  /** Ends the spare fping process, if any; probing afterwards still works (fping is then started per batch). */
  close(): void {
    this.spare?.close();
  }

  /** Spare fping processes this prober has started (FpingSpare): none once fping is known to be missing. */
  get sparesStarted(): number {
    return this.spare?.started ?? 0;
  }

  async probe(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    if (!(opts.timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, got ${String(opts.timeoutMs)}`);
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    const batch = batchSignal(opts.signal);
    try {
      return await this.run(targets, { ...opts, signal: batch.signal });
    } finally {
      batch.dispose();
    }
  }

  private async run(targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    const deadlineAt = performance.now() + (opts.deadlineMs ?? this.o.defaultDeadlineMs ?? 30_000);
    const results: ProbeResult[] = new Array<ProbeResult>(targets.length);
    const icmp: Prepared[] = [];
    const connect: Prepared[] = [];
    targets.forEach((target, index) => {
      const prepared = this.prepare(target);
      if ('result' in prepared) results[index] = prepared.result;
      else (target.kind === 'icmp' ? icmp : connect).push({ index, target: prepared.target });
    });
    await Promise.all([
      this.probeIcmp(icmp, results, opts, deadlineAt),
      ...connect.map(({ index, target }) => this.limit(() => this.connectOne(target, opts, deadlineAt)).then((r) => (results[index] = r))),
    ]);
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    return results;
  }

  /** Which ICMP program this prober will use, or undefined when neither is installed. For readiness. */
  async icmpTool(): Promise<'fping' | 'ping' | undefined> {
    const mode = this.o.icmp ?? 'auto';
    if (mode !== 'ping' && !this.fpingMissing) {
      const out = await runProgram(this.o.fpingPath ?? 'fping', ['--version'], { timeoutMs: 5000 });
      if (!out.missing) return 'fping';
      if (mode === 'fping') return undefined;
    }
    const out = await runProgram(this.o.pingPath ?? 'ping', ['-V'], { timeoutMs: 5000 });
    return out.missing ? undefined : 'ping';
  }

  private prepare(target: ProbeTarget): { target: ProbeTarget } | { result: ProbeResult } {
    const parsed = parseAddress(target.ip);
    if (!parsed.ok) return { result: notProbed(target, 'error', parsed.reason) };
    const t: ProbeTarget = { ...target, ip: parsed.ip };
    if (t.kind !== 'icmp' && !(Number.isInteger(t.port) && (t.port ?? 0) >= 1 && (t.port ?? 0) <= 65535))
      return { result: notProbed(t, 'error', `a ${t.kind} probe needs a port 1-65535`) };
    if (t.kind === 'http' && t.path !== undefined && !HTTP_PATH.test(t.path))
      return { result: notProbed(t, 'error', 'an HTTP path must start with / and contain no spaces or control characters') };
    const verdict = this.o.allowList?.check(t);
    if (verdict && !verdict.allowed) return { result: notProbed(t, 'denied', verdict.reason) };
    return { target: t };
  }

  private async connectOne(target: ProbeTarget, opts: ProbeOptions, deadlineAt: number): Promise<ProbeResult> {
    if (opts.signal?.aborted) return notProbed(target, 'error', 'cancelled');
    const remaining = Math.floor(deadlineAt - performance.now());
    if (remaining <= 0) return notProbed(target, 'timeout', 'the batch deadline passed before this probe started');
    const attempt = { timeoutMs: Math.min(opts.timeoutMs, remaining), signal: opts.signal };
    return target.kind === 'http' ? httpProbe(target, attempt) : tcpProbe(target, attempt);
  }

  private async probeIcmp(items: Prepared[], results: ProbeResult[], opts: ProbeOptions, deadlineAt: number): Promise<void> {
    if (items.length === 0) return;
    const ips = [...new Set(items.map((i) => i.target.ip))];
    const run: IcmpRunOptions = {
      count: Math.max(1, Math.floor(opts.count ?? 1)),
      timeoutMs: Math.max(1, Math.floor(opts.timeoutMs)),
      periodMs: this.o.icmpPeriodMs ?? 200,
      budgetMs: Math.floor(deadlineAt - performance.now()),
      signal: opts.signal,
    };
    const outcomes = run.budgetMs > 0 ? await this.icmpOutcomes(ips, run) : new Map<string, IcmpOutcome>();
    for (const { index, target } of items) results[index] = icmpResult(target, outcomes.get(target.ip), run);
  }

  private async icmpOutcomes(ips: string[], run: IcmpRunOptions): Promise<Map<string, IcmpOutcome>> {
    const mode = this.o.icmp ?? 'auto';
    if (mode !== 'ping' && !this.fpingMissing) {
      // fping paces its packets (-i 1 ms): big batches go to a few fping processes side by side, so a
      // 1,000-target sweep is not four times slower than it needs to be. Small batches stay one process.
      const shards = shard(ips, FPING_SHARD_SIZE, this.o.maxFpingProcesses ?? 4);
      const spare = this.spare?.take(run);
      let runs;
      try {
        runs = await Promise.all(shards.map((part, i) => fpingBatch(this.o.fpingPath ?? 'fping', part, run, i === 0 ? spare : undefined)));
      } finally {
        this.spare?.batchDone(run);
      }
      if (!runs.some((r) => r.missing)) return new Map(runs.flatMap((r) => [...r.results]));
      // No spare either from now on (the one batchDone scheduled included): fping is not there to start.
      this.spare?.close();
      if (mode === 'fping') return new Map(ips.map((ip) => [ip, { note: 'fping is not installed' }]));
      this.fpingMissing = true;
      this.o.logger?.warn({ fping: this.o.fpingPath ?? 'fping' }, 'fping not found; falling back to one ping process per address');
    }
    const pingPath = this.o.pingPath ?? 'ping';
    const pairs = await Promise.all(ips.map((ip) => this.pingLimit(async () => [ip, (await pingOne(pingPath, ip, run)).outcome] as const)));
    return new Map(pairs.map(([ip, o]) => [ip, o.note === 'ping is not installed' ? { note: 'neither fping nor ping is installed' } : o]));
  }
}

/** Targets one fping process takes before a batch is split across several. */
export const FPING_SHARD_SIZE = 256;

/** Splits `items` into at most `maxParts` parts of at least `size` items each (fewer parts when small). */
export function shard<T>(items: readonly T[], size: number, maxParts: number): T[][] {
  const parts = Math.max(1, Math.min(maxParts, Math.ceil(items.length / size)));
  const per = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * per, (i + 1) * per)).filter((p) => p.length > 0);
}

/**
 * One signal per batch that every probe listens to (hundreds of listeners, so the listener warning is
 * lifted on it), following the caller's signal through a single listener that is removed afterwards.
 */
function batchSignal(outer?: AbortSignal): { signal?: AbortSignal; dispose(): void } {
  if (!outer) return { dispose: () => {} };
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  const forward = () => inner.abort(outer.reason);
  outer.addEventListener('abort', forward, { once: true });
  return { signal: inner.signal, dispose: () => outer.removeEventListener('abort', forward) };
}

/** Turns an address's ICMP outcome into the target's result. No reply at all counts as unreachable. */
export function icmpResult(target: ProbeTarget, outcome: IcmpOutcome | undefined, run: Pick<IcmpRunOptions, 'timeoutMs'>): ProbeResult {
  if (!outcome) return notProbed(target, 'timeout', 'the batch deadline passed before the echo requests were sent');
  const { stats, note } = outcome;
  if (!stats) return notProbed(target, note.includes('deadline') ? 'timeout' : 'error', note);
  if (stats.received > 0) {
    const r: ProbeResult = { ...base(target), ok: true, ms: stats.avgMs, icmp: stats };
    if (stats.received < stats.sent) r.detail = `${stats.received} of ${stats.sent} echo replies came back`;
    return r;
  }
  const why = note ?? `no echo reply to ${stats.sent} request${stats.sent === 1 ? '' : 's'} within ${run.timeoutMs} ms`;
  return { ...base(target), ok: false, error: 'unreachable', detail: why, icmp: stats };
}
