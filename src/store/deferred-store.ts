import type { Logger } from '../log.js';
import type { AlertGroups } from './alert-groups.js';
import type { AuditLog } from './audit-log.js';
import type { EventClaims, HeldAnswers, ReportStore, Store, StoreState } from './store.js';

/**
 * A Store that opens the real one (SQLite files, or PostgreSQL with `pg`) on first use. A terminal
 * builds this one: most answers (explain, pod, container…) keep no state, and opening a store means
 * loading better-sqlite3 or pg, which a one-shot answer should not pay for. What it is (kind, shared)
 * is known from the configuration without opening anything.
 */
export class DeferredStore implements Store {
  readonly shared: boolean;
  readonly claims?: EventClaims;
  private opening: Promise<Store> | undefined;

  constructor(
    readonly kind: Store['kind'],
    private readonly open: () => Promise<Store>,
    private readonly log: Logger,
  ) {
    this.shared = kind === 'postgres';
    if (this.shared) this.claims = { claim: async (keys, ttlMs) => (await this.opened()).claims!.claim(keys, ttlMs) };
  }

  private opened(): Promise<Store> {
    return (this.opening ??= this.open());
  }

  readonly audit: AuditLog = {
    record: (entry) =>
      void this.opened().then(
        (s) => s.audit.record(entry),
        (err: unknown) => this.log.error({ err, audit: entry }, 'audit record not stored: the store could not be opened'),
      ),
    query: async (filter) => (await this.opened()).audit.query(filter),
    close: () => undefined,
  };

  reports(): ReportStore {
    const r = async () => (await this.opened()).reports();
    return {
      save: async (run) => (await r()).save(run),
      latest: async (report, opts) => (await r()).latest(report, opts),
      recent: async (report, limit) => (await r()).recent(report, limit),
      get: async (report, key) => (await r()).get(report, key),
      claim: async (claim, takeOver) => (await r()).claim(claim, takeOver),
      advance: async (report, key, holder, state, extra) => (await r()).advance(report, key, holder, state, extra),
    };
  }

  alertGroups(): AlertGroups {
    const g = async () => (await this.opened()).alertGroups();
    return {
      begin: async (groupKey, digest, holdMs) => (await g()).begin(groupKey, digest, holdMs),
      done: async (groupKey, digest, thread) => (await g()).done(groupKey, digest, thread),
      abandon: async (groupKey, digest) => (await g()).abandon(groupKey, digest),
    };
  }

  heldAnswers(): HeldAnswers {
    const h = async () => (await this.opened()).heldAnswers();
    return {
      put: async (id, body, ttlMs) => (await h()).put(id, body, ttlMs),
      get: async (id) => (await h()).get(id),
    };
  }

  start(): void {
    void this.opened().then(
      (s) => s.start(),
      (err: unknown) => this.log.error({ err }, 'the store could not be opened'),
    );
  }

  async check(): Promise<StoreState> {
    return (await this.opened()).check();
  }

  /** Closes what was opened; a store nobody used is not opened to be closed. */
  async close(): Promise<void> {
    if (this.opening) await (await this.opening).close();
  }
}
