import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { httpStatusOf } from '../sources/kube-errors.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { DEFAULT_LEASE_NAME } from './report-config.js';

/**
 * Leader election with a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it:
 *
 * - a candidate reads the Lease; if another holder renewed it within leaseDuration (measured from when
 *   *this* process saw the record change, so clocks need not agree) it waits; otherwise it writes
 *   itself as holder, carrying the resourceVersion it read — of two candidates, the second gets 409;
 * - the leader renews every retryPeriod, and stops leading when no renewal has succeeded for
 *   renewDeadline (< leaseDuration), before anyone else may take over;
 * - on stop the leader hands over: it clears holderIdentity, so a follower acquires at its next retry.
 *
 * client-node 1.4 returns renewTime/acquireTime as raw strings at runtime (its typings say Date), and
 * would send a Date with millisecond precision where the API expects MicroTime; both are handled here.
 */

/** The three calls the elector needs; `leaseApi` adapts client-node's CoordinationV1Api. */
export interface LeaseApi {
  /** undefined on 404. */
  read(namespace: string, name: string): Promise<V1Lease | undefined>;
  create(namespace: string, body: V1Lease): Promise<V1Lease>;
  replace(namespace: string, name: string, body: V1Lease): Promise<V1Lease>;
}

export function leaseApi(api: CoordinationV1Api): LeaseApi {
  return {
    async read(namespace, name) {
      try {
        return await api.readNamespacedLease({ namespace, name });
      } catch (err) {
        if (httpStatusOf(err) === 404) return undefined;
        throw err;
      }
    },
    create: (namespace, body) => api.createNamespacedLease({ namespace, body }),
    replace: (namespace, name, body) => api.replaceNamespacedLease({ namespace, name, body }),
  };
}

/** A MicroTime as the API wants it: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** renewTime/acquireTime as they arrive: a string (client-node 1.4 at runtime), a Date (its typings), or absent. */
export function parseMicroTime(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface LeaderOptions {
  api: LeaseApi;
  namespace: string;
  /** Lease name (default netpeek-reports-leader). */
  name?: string;
  /** This process's identity in holderIdentity; unique per process. */
  identity: string;
  /** How long a lease stays valid without renewal (default 15 s). */
  leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long (default 2/3 of the lease duration). */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew (default 1/5 of the lease duration). */
  retryPeriodMs?: number;
  clock?: Clock;
  log?: Logger;
}

export class LeaseElector {
  readonly name: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private leading = false;
  /** Local time when the last successful acquire/renew request was *started*. */
  private renewedAt = 0;
  private observed: { key: string; at: number; holder: string } | undefined;
  private timer: TimerHandle | undefined;
  private running = false;
  private inflight: Promise<void> | undefined;
  private readonly listeners = new Set<(leading: boolean) => void>();

  constructor(private readonly o: LeaderOptions) {
    this.name = o.name ?? DEFAULT_LEASE_NAME;
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? Math.round((this.leaseDurationMs * 2) / 3);
    this.retryPeriodMs = o.retryPeriodMs ?? Math.max(100, Math.round(this.leaseDurationMs / 5));
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('renewDeadline must be shorter than the lease duration');
    this.clock = o.clock ?? systemClock;
  }

  get identity(): string {
    return this.o.identity;
  }

  /** Leading now: acquired, and renewed within renewDeadline. */
  isLeader(): boolean {
    if (this.leading && this.clock.now() - this.renewedAt >= this.renewDeadlineMs) this.setLeading(false);
    return this.leading;
  }

  /**
   * How much longer nobody else can acquire the lease (ms): the lease duration from the start of the
   * last successful renewal, less 10 % for clock-rate drift. 0 when not leading.
   */
  validForMs(): number {
    if (!this.leading) return 0;
    return Math.max(0, this.renewedAt + this.leaseDurationMs * 0.9 - this.clock.now());
  }

  /** The holder this process last saw in the Lease. */
  observedHolder(): string | undefined {
    return this.observed?.holder || undefined;
  }

  onChange(fn: (leading: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  /** Stops campaigning; a leader releases the lease so another replica takes over at once. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    await this.inflight;
    const wasLeading = this.leading;
    this.setLeading(false);
    if (wasLeading && opts.release !== false) await this.release();
  }

  /** One acquire/renew attempt now (tests and start-up use it; the loop calls it every retryPeriod). */
  async tryOnce(): Promise<boolean> {
    const started = this.clock.now();
    try {
      const won = await this.withTimeout(this.acquireOrRenew(started));
      // Not winning is definitive (another holder's lease is valid, or a 409): stop leading at once.
      if (won) this.renewedAt = started;
      this.setLeading(won);
      return won;
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message, lease: `${this.o.namespace}/${this.name}` }, 'lease acquire/renew failed');
      if (this.leading && !this.isLeader()) this.o.log?.error({ lease: `${this.o.namespace}/${this.name}`, renewDeadlineMs: this.renewDeadlineMs }, 'could not renew the lease in time; no longer leading');
      return false;
    }
  }

  private loop(): void {
    if (!this.running) return;
    this.inflight = this.tryOnce().then(() => undefined);
    void this.inflight.finally(() => {
      if (this.running) this.timer = this.clock.setTimer(() => this.loop(), this.retryPeriodMs);
    });
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    this.o.log?.info({ lease: `${this.o.namespace}/${this.name}`, identity: this.o.identity, leading: v }, v ? 'became the reports leader' : 'stopped leading');
    for (const fn of this.listeners) fn(v);
  }

  private spec(now: number, previous: V1Lease['spec'] | undefined, keepAcquire: boolean): NonNullable<V1Lease['spec']> {
    const transitions = previous?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      // MicroTime strings: see microTime(). The typings say Date; the wire wants this exact format.
      acquireTime: (keepAcquire ? (previous?.acquireTime ?? microTime(now)) : microTime(now)) as unknown as Date,
      renewTime: microTime(now) as unknown as Date,
      leaseTransitions: keepAcquire ? transitions : transitions + (previous?.holderIdentity ? 1 : 0),
    };
  }

  private async acquireOrRenew(now: number): Promise<boolean> {
    const { api, namespace } = this.o;
    const lease = await api.read(namespace, this.name);
    if (!lease) {
      try {
        await api.create(namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace }, spec: this.spec(now, undefined, false) });
        this.observe(this.o.identity, `created/${now}`, now);
        return true;
      } catch (err) {
        if (httpStatusOf(err) === 409) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renew = parseMicroTime(spec.renewTime);
    const durationMs = spec.leaseDurationSeconds !== undefined ? spec.leaseDurationSeconds * 1000 : this.leaseDurationMs;
    this.observe(holder, `${holder}/${renew ?? ''}/${lease.metadata?.resourceVersion ?? ''}`, now);
    const mine = holder === this.o.identity;
    const observedAt = this.observed?.at ?? now;
    if (!mine && holder !== '' && observedAt + durationMs > now) return false;
    try {
      const updated = await api.replace(namespace, this.name, { ...lease, metadata: { ...lease.metadata, name: this.name, namespace }, spec: this.spec(now, spec, mine) });
      this.observe(this.o.identity, `${this.o.identity}/${now}/${updated.metadata?.resourceVersion ?? ''}`, now);
      if (!mine) this.o.log?.info({ lease: `${namespace}/${this.name}`, previous: holder || '(released)' }, 'acquired the reports lease');
      return true;
    } catch (err) {
      if (httpStatusOf(err) === 409) return false;
      throw err;
    }
  }

  private observe(holder: string, key: string, now: number): void {
    if (this.observed?.key !== key) this.observed = { key, at: now, holder };
  }

  /** Clears holderIdentity (if still ours) so the next candidate acquires without waiting. */
  private async release(): Promise<void> {
    try {
      const lease = await this.withTimeout(this.o.api.read(this.o.namespace, this.name));
      if (!lease || lease.spec?.holderIdentity !== this.o.identity) return;
      const now = this.clock.now();
      await this.withTimeout(
        this.o.api.replace(this.o.namespace, this.name, {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) as unknown as Date, acquireTime: lease.spec?.acquireTime },
        }),
      );
      this.o.log?.info({ lease: `${this.o.namespace}/${this.name}` }, 'released the reports lease');
    } catch (err) {
      this.o.log?.warn({ err: (err as Error).message }, 'could not release the lease; another replica takes over when it expires');
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = Math.max(500, this.renewDeadlineMs);
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the API server did not answer within ${ms} ms`)), ms);
      t.unref();
      p.then(
        (v) => (clearTimeout(t), resolve(v)),
        (e: unknown) => (clearTimeout(t), reject(e)),
      );
    });
  }
}
