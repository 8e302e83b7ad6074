import type { Logger } from '../log.js';
import type { RetentionPolicy } from '../reports/history.js';
import { SqliteStore } from './sqlite-store.js';
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
 * else the SQLite files. Never waits for the database: a PostgreSQL store connects in the background.
 */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  const log = o.log.child({ component: 'store' });
  const url = o.store.databaseUrl;
  if (!url) return new SqliteStore({ auditDb: o.auditDb, reportsDb: o.reportsDb, retention: o.retention, log, ...(o.now ? { now: o.now } : {}) });
  const { PostgresStore } = await import('./postgres-store.js');
  return PostgresStore.open({ config: { ...o.store, databaseUrl: url }, log, retention: o.retention, holder: o.holder, ...(o.now ? { now: o.now } : {}), ...(o.retryMs ? { retryMs: o.retryMs } : {}) });
}
