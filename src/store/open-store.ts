import type { Logger } from '../log.js';
import type { RetentionPolicy } from '../reports/history.js';
import { DeferredStore } from './deferred-store.js';
import type { StoreConfig } from './store-config.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  store: StoreConfig;
  /** SQLite files, used when no database URL is set. */
  auditDb: string;
  reportsDb: string;
  retention: RetentionPolicy;
  /** This instance's identity, recorded as the holder of its claims. */
  holder: string;
  log: Logger;
  now?: () => number;
  /** Wait between PostgreSQL connection attempts (ms): first, and at most. */
  retryMs?: { first: number; max: number };
}

/**
 * PostgreSQL when NETPEEK_DATABASE_URL is set (postgres-store.ts and `pg` are imported only then),
 * else the SQLite files (better-sqlite3 imported only then). Never waits for the database: a PostgreSQL
 * store connects in the background.
 */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  const log = o.log.child({ component: 'store' });
  const url = o.store.databaseUrl;
  if (!url) {
    const { SqliteStore } = await import('./sqlite-store.js');
    return new SqliteStore({ auditDb: o.auditDb, reportsDb: o.reportsDb, retention: o.retention, log, ...(o.now ? { now: o.now } : {}) });
  }
  const { PostgresStore } = await import('./postgres-store.js');
  return PostgresStore.open({ config: { ...o.store, databaseUrl: url }, log, retention: o.retention, holder: o.holder, ...(o.now ? { now: o.now } : {}), ...(o.retryMs ? { retryMs: o.retryMs } : {}) });
}

/**
 * The store for a terminal: opened by the first command that keeps or reads state (`audit`, `status`),
 * so that every other answer starts without better-sqlite3 or pg.
 */
export function deferredStore(o: OpenStoreOptions): Store {
  return new DeferredStore(o.store.databaseUrl ? 'postgres' : 'sqlite', () => openStore(o), o.log.child({ component: 'store' }));
}
