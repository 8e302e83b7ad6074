import type { Logger } from '../log.js';
import { KubeStatusError, httpStatusOf } from './kube-errors.js';

/**
 * One resource kept in memory by list + watch, the way client-go's reflector does it, because
 * client-node 1.4's informer gives up after the first watch error:
 *
 * - list (paged) → replace everything → watch from the list's resourceVersion → apply events;
 * - a watch that ends is resumed from the last resourceVersion seen (events and BOOKMARKs move it);
 * - `410 Expired` (or "too large resource version" after a server lost its state) → relist;
 * - failures back off exponentially with jitter, capped; a watch that ended quickly counts as a
 *   failure, so a server that accepts and drops at once cannot make it spin;
 * - the cache serves only while it is current: synced, and either watching or cut off for less than
 *   `staleAfterMs`. After that readers fall back to direct GETs, so an object deleted while the watch
 *   was down is never served longer than that; every relist drops objects that no longer exist.
 *
 * Its timers are unref'd: a cache alone never keeps a process (a one-shot CLI run) alive.
 */

/** What a cache needs to know about its resource. */
export interface CacheResource<T> {
  /** Plural resource name (pods), for logs and states. */
  resource: string;
  /** Cluster-wide watch path, e.g. /api/v1/pods. */
  watchPath: string;
  /** One page of the cluster-wide list. */
  listPage(page: { limit: number; continueToken?: string }): Promise<ListPage>;
  convert(raw: unknown): T;
  /** Unique key: namespace/name, or name for cluster-scoped objects. */
  key(o: T): string;
  /** Secondary indexes: name → values an object is found under. */
  indexes?: Record<string, (o: T) => readonly string[]>;
}

export interface ListPage {
  items: readonly unknown[];
  resourceVersion?: string;
  continueToken?: string;
}

/** client-node's Watch, as far as the cache uses it. */
export interface WatchClient {
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (type: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface WatchCacheOptions {
  watch: WatchClient;
  log?: Logger;
  /** Items per list page (default 500, like client-go). */
  pageSize?: number;
  /** First retry delay; doubles per consecutive failure up to maxBackoffMs (defaults 250 ms, 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A watch that lasted this long resets the failure count (default 5 s). */
  healthyAfterMs?: number;
  /** How long after losing its watch the cache still serves (default 60 s). */
  staleAfterMs?: number;
  /** Server-side watch timeout range in seconds; a random value in it per watch (default 300–600). */
  watchTimeoutSeconds?: [number, number];
  random?: () => number;
  /** Turns a failure into a sentence for states and logs. */
  describeError?: (err: unknown, phase: 'list' | 'watch') => string;
  /**
   * Called for every object that a watch event or a relist changed (prev undefined: created; next
   * undefined: deleted), with the raw object it came from. Not called for the first list: that is the
   * baseline. A relist calls it only for the differences between the cache and the relisted state, so
   * events lost to a 410 are recovered and nothing that stayed the same is reported.
   */
  onChange?: (change: CacheChange<unknown>) => void;
}

export interface CacheChange<T> {
  prev: T | undefined;
  next: T | undefined;
  raw: unknown;
  viaRelist: boolean;
}

/** A cache's state, for `status` and the banner. */
export interface CacheState {
  resource: string;
  started: boolean;
  /** Listed at least once. */
  synced: boolean;
  /** Serving from memory now (see the class comment). */
  current: boolean;
  watching: boolean;
  objects: number;
  resourceVersion: string;
  lastSyncAt?: number;
  /** Watches and lists started after the first one. */
  restarts: number;
  /** Consecutive failures (0 when healthy). */
  failures: number;
  lastError?: string;
}

const TOO_LARGE = /too large resource version/i;

export class WatchCache<T> {
  private objects = new Map<string, T>();
  private changes = 0;
  private readonly index = new Map<string, Map<string, Set<string>>>();
  private rv = '';
  private started = false;
  private stopped = false;
  private synced = false;
  private watching = false;
  private currentAsOf = 0;
  private lastSyncAt: number | undefined;
  private restarts = 0;
  private failures = 0;
  private lastError: string | undefined;
  private abortWatch: (() => void) | undefined;
  private wake: (() => void) | undefined;
  private syncWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;
  private readonly o: Required<Omit<WatchCacheOptions, 'log' | 'describeError' | 'onChange'>> & Pick<WatchCacheOptions, 'log' | 'describeError' | 'onChange'>;

  constructor(
    private readonly r: CacheResource<T>,
    opts: WatchCacheOptions,
  ) {
    this.o = {
      pageSize: 500,
      initialBackoffMs: 250,
      maxBackoffMs: 30_000,
      healthyAfterMs: 5_000,
      staleAfterMs: 60_000,
      watchTimeoutSeconds: [300, 600],
      random: Math.random,
      ...opts,
    };
    for (const name of Object.keys(r.indexes ?? {})) this.index.set(name, new Map());
  }

  /** Starts listing and watching in the background (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortWatch?.();
    this.wake?.();
    await this.loop;
    this.started = false;
  }

  /** True when answers may come from memory. */
  isCurrent(now = Date.now()): boolean {
    return this.synced && (this.watching || now - this.currentAsOf <= this.o.staleAfterMs);
  }

  /**
   * While the cache serves from memory without a watch (cut off, retrying), how long ago it was last
   * known to be up to date; undefined while it watches, before it synced, and once it no longer serves.
   */
  disconnectedForMs(now = Date.now()): number | undefined {
    if (!this.synced || this.watching || !this.isCurrent(now)) return undefined;
    return Math.max(0, now - this.currentAsOf);
  }

  /** Resolves true once listed (false after timeoutMs). Starts the cache. */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    this.start();
    if (this.synced) return true;
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      timer.unref?.();
      this.syncWaiters.push(done);
    });
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  values(): T[] {
    return [...this.objects.values()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** Grows with every change to the cached objects: what something derived from them (an index) is keyed on. */
  get revision(): number {
    return this.changes;
  }

  /** Objects found under `value` in index `name`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.index.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.objects.get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  /** Every value of index `name` (e.g. all pod names), without the objects. */
  indexValues(name: string): string[] {
    return [...(this.index.get(name)?.keys() ?? [])];
  }

  state(): CacheState {
    return {
      resource: this.r.resource,
      started: this.started,
      synced: this.synced,
      current: this.isCurrent(),
      watching: this.watching,
      objects: this.objects.size,
      resourceVersion: this.rv,
      ...(this.lastSyncAt !== undefined ? { lastSyncAt: this.lastSyncAt } : {}),
      restarts: this.restarts,
      failures: this.failures,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  // ---- the reflector loop ----

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      if (!first) this.restarts++;
      first = false;
      let healthy = false;
      let phase: 'list' | 'watch' = 'list';
      try {
        if (!this.rv) await this.relist();
        if (this.stopped) break;
        phase = 'watch';
        const lasted = await this.watchOnce();
        healthy = lasted >= this.o.healthyAfterMs;
      } catch (err) {
        if (this.stopped) break;
        const status = httpStatusOf(err);
        if (status === 410 || (err instanceof KubeStatusError && TOO_LARGE.test(err.message))) this.rv = '';
        this.lastError = this.o.describeError?.(err, phase) ?? (err instanceof Error ? err.message : String(err));
        this.o.log?.warn({ resource: this.r.resource, phase, status, err: this.lastError }, 'kubernetes watch cache: retrying');
      }
      this.failures = healthy ? 0 : this.failures + 1;
      if (this.failures > 0 && !this.stopped) await this.sleep(this.backoffMs(this.failures));
    }
  }

  /** Capped exponential backoff with "equal jitter": half fixed, half random. */
  private backoffMs(failures: number): number {
    const base = Math.min(this.o.maxBackoffMs, this.o.initialBackoffMs * 2 ** Math.min(failures - 1, 30));
    return Math.round(base / 2 + (base / 2) * this.o.random());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      timer.unref?.();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    const raws = this.o.onChange && this.synced ? new Map<string, unknown>() : undefined;
    let continueToken: string | undefined;
    let snapshotRv: string | undefined;
    do {
      const page = await this.r.listPage({ limit: this.o.pageSize, ...(continueToken ? { continueToken } : {}) });
      snapshotRv ??= page.resourceVersion;
      for (const raw of page.items) {
        const o = this.r.convert(raw);
        fresh.set(this.r.key(o), o);
        raws?.set(this.r.key(o), raw);
      }
      continueToken = page.continueToken || undefined;
    } while (continueToken && !this.stopped);
    if (this.stopped) return;
    const before = this.objects;
    this.replaceAll(fresh);
    if (raws) this.reportRelist(before, fresh, raws);
    this.rv = snapshotRv ?? '';
    this.synced = true;
    this.lastSyncAt = Date.now();
    this.currentAsOf = this.lastSyncAt;
    this.lastError = undefined;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  /** One watch from the current resourceVersion; resolves with how long it streamed when it ends cleanly. */
  private watchOnce(): Promise<number> {
    const [lo, hi] = this.o.watchTimeoutSeconds;
    const timeoutSeconds = Math.round(lo + (hi - lo) * this.o.random());
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      let failure: KubeStatusError | undefined;
      let openedAt: number | undefined;
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        if (this.watching) this.currentAsOf = Date.now();
        this.watching = false;
        this.abortWatch = undefined;
        const error = failure ?? err;
        if (error && !this.stopped) reject(error);
        else resolve(openedAt === undefined ? 0 : Date.now() - openedAt);
      };
      const onEvent = (type: string, obj: unknown) => {
        if (type === 'ERROR') {
          const s = (obj ?? {}) as { code?: number; reason?: string; message?: string };
          failure = new KubeStatusError(s.code ?? 500, s.reason ?? 'Unknown', s.message ?? 'watch error');
          return;
        }
        this.apply(type, obj);
      };
      this.o.watch
        .watch(this.r.watchPath, { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds }, onEvent, finish)
        .then(
          (ctrl) => {
            if (settled) return;
            if (this.stopped) {
              ctrl.abort();
              return;
            }
            openedAt = Date.now();
            this.watching = true;
            this.currentAsOf = openedAt;
            this.abortWatch = () => ctrl.abort();
          },
          finish,
        );
    });
  }

  /** The differences a relist found: what the lost events would have said. */
  private reportRelist(before: Map<string, T>, after: Map<string, T>, raws: Map<string, unknown>): void {
    for (const [k, next] of after) {
      const prev = before.get(k);
      if (prev !== next) this.report({ prev, next, raw: raws.get(k), viaRelist: true });
    }
    for (const [k, prev] of before) if (!after.has(k)) this.report({ prev, next: undefined, raw: undefined, viaRelist: true });
  }

  private report(change: CacheChange<T>): void {
    try {
      this.o.onChange?.(change);
    } catch (err) {
      // A broken listener must not stop the cache from serving.
      this.o.log?.warn({ resource: this.r.resource, err: err instanceof Error ? err.message : String(err) }, 'kubernetes watch cache: change listener failed');
    }
  }

  private apply(type: string, raw: unknown): void {
    const rv = (raw as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') {
      const next = this.r.convert(raw);
      const prev = this.objects.get(this.r.key(next));
      this.upsert(next);
      if (this.o.onChange) this.report({ prev, next, raw, viaRelist: false });
    } else if (type === 'DELETED') {
      const key = this.r.key(this.r.convert(raw));
      const prev = this.objects.get(key);
      this.remove(key);
      if (this.o.onChange && prev !== undefined) this.report({ prev, next: undefined, raw, viaRelist: false });
    } else if (type !== 'BOOKMARK') return;
    if (rv) this.rv = rv;
    this.currentAsOf = Date.now();
  }

  private upsert(o: T): void {
    const key = this.r.key(o);
    const prev = this.objects.get(key);
    if (prev !== undefined) this.unindex(key, prev);
    this.changes++;
    this.objects.set(key, o);
    this.indexObject(key, o);
  }

  private remove(key: string): void {
    const prev = this.objects.get(key);
    if (prev === undefined) return;
    this.changes++;
    this.unindex(key, prev);
    this.objects.delete(key);
  }

  private replaceAll(fresh: Map<string, T>): void {
    this.objects = fresh;
    this.changes++;
    for (const m of this.index.values()) m.clear();
    for (const [k, o] of fresh) this.indexObject(k, o);
  }

  private indexObject(key: string, o: T): void {
    for (const [name, fn] of Object.entries(this.r.indexes ?? {})) {
      const m = this.index.get(name)!;
      for (const v of fn(o)) {
        let set = m.get(v);
        if (!set) m.set(v, (set = new Set()));
        set.add(key);
      }
    }
  }

  private unindex(key: string, o: T): void {
    for (const [name, fn] of Object.entries(this.r.indexes ?? {})) {
      const m = this.index.get(name)!;
      for (const v of fn(o)) {
        const set = m.get(v);
        set?.delete(key);
        if (set?.size === 0) m.delete(v);
      }
    }
  }
}
