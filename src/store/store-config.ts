import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

/**
 * The store's environment variables (merged into src/config.ts's ENV_SCHEMA) and the typed StoreConfig.
 * NETPEEK_DATABASE_URL selects PostgreSQL; unset, netpeek keeps SQLite files (NETPEEK_SLACK_AUDIT_DB,
 * NETPEEK_REPORTS_DB). The URL may carry a password: it is never echoed in errors or logs.
 */

const int = (min: number, max: number, def: number) =>
  z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).default(def);

export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const databaseUrl = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a PostgreSQL URL like postgres://netpeek@db.example:5432/netpeek (the password may go in NETPEEK_DATABASE_PASSWORD_FILE)');

export const STORE_ENV_SCHEMA = z.object({
  NETPEEK_DATABASE_URL: databaseUrl
    .optional()
    .describe('PostgreSQL shared by every replica (audit, report history, tick keys, Slack event claims), e.g. postgres://netpeek@db:5432/netpeek. Unset: SQLite files of this process.'),
  NETPEEK_DATABASE_PASSWORD_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('File holding the database password (e.g. a mounted Secret); read at every new connection, so a rotated password is picked up. Wins over a password in the URL.'),
  NETPEEK_DATABASE_SSL: z
    .enum(SSL_MODES, { errorMap: () => ({ message: `must be one of ${SSL_MODES.join(', ')}` }) })
    .optional()
    .describe('TLS to PostgreSQL: disable, require (encrypted, certificate not checked), verify-ca (signed by NETPEEK_DATABASE_CA_FILE), verify-full (and the host name matches). Default: the URL\'s sslmode, else disable.'),
  NETPEEK_DATABASE_CA_FILE: z.string().min(1).optional().describe('PEM file of the CA that signed the PostgreSQL server certificate (verify-ca / verify-full). Default: the system CAs.'),
  NETPEEK_DATABASE_POOL: int(1, 100, 10).describe('Connections each replica keeps to PostgreSQL at most.'),
  NETPEEK_AUDIT_BUFFER: int(0, 1_000_000, 10_000).describe('Audit records kept in memory while PostgreSQL is unreachable, written when it returns; beyond that they are counted as lost (each is still a log line).'),
});

export type StoreEnv = z.infer<typeof STORE_ENV_SCHEMA>;

export interface StoreConfig {
  /** Never log this: it may hold a password. */
  databaseUrl?: string;
  passwordFile?: string;
  ssl?: SslMode;
  caFile?: string;
  poolSize: number;
  auditBuffer: number;
}

/** The typed config, plus problems only visible beyond the schema (unreadable files, TLS without a URL). */
export function storeConfigFrom(e: StoreEnv): { config: StoreConfig; problems: string[] } {
  const problems: string[] = [];
  const readable = (name: string, file: string | undefined) => {
    if (file === undefined) return;
    try {
      accessSync(file, constants.R_OK);
    } catch {
      problems.push(`${name}=${JSON.stringify(file)}: the file cannot be read; mount it (e.g. from a Secret) or unset the variable.`);
    }
  };
  readable('NETPEEK_DATABASE_PASSWORD_FILE', e.NETPEEK_DATABASE_PASSWORD_FILE);
  readable('NETPEEK_DATABASE_CA_FILE', e.NETPEEK_DATABASE_CA_FILE);
  if (!e.NETPEEK_DATABASE_URL) {
    for (const name of ['NETPEEK_DATABASE_PASSWORD_FILE', 'NETPEEK_DATABASE_SSL', 'NETPEEK_DATABASE_CA_FILE'] as const)
      if (e[name] !== undefined) problems.push(`${name} is set but NETPEEK_DATABASE_URL is not: set the URL (postgres://user@host:5432/db) or unset ${name}.`);
  }
  return {
    config: {
      ...(e.NETPEEK_DATABASE_URL ? { databaseUrl: e.NETPEEK_DATABASE_URL } : {}),
      ...(e.NETPEEK_DATABASE_PASSWORD_FILE ? { passwordFile: e.NETPEEK_DATABASE_PASSWORD_FILE } : {}),
      ...(e.NETPEEK_DATABASE_SSL ? { ssl: e.NETPEEK_DATABASE_SSL } : {}),
      ...(e.NETPEEK_DATABASE_CA_FILE ? { caFile: e.NETPEEK_DATABASE_CA_FILE } : {}),
      poolSize: e.NETPEEK_DATABASE_POOL,
      auditBuffer: e.NETPEEK_AUDIT_BUFFER,
    },
    problems,
  };
}

/** host:port/database of the URL, for `status` and logs: no user, no password, no query. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname && u.pathname !== '/' ? u.pathname : '/'}`;
}
