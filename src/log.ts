import { createRequire } from 'node:module';
// Type-only: pino (with its redaction and stream modules, ~25 ms to load) is required when a logger is
// made, and a one-shot answer makes one only when it logs something (deferredLogger).
import type pino from 'pino';

export type Logger = pino.Logger;

/** pino's levels, quietest last; LOG_LEVEL takes one of these. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const LEVEL_VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

const requireHere = createRequire(import.meta.url);
const pinoLibrary = (): typeof pino => requireHere('pino') as typeof pino;

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.secret',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'headers["x-slack-signature"]',
  'headers["x-netpeek-signature"]',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
  'slack.botToken',
  'slack.appToken',
  'slack.signingSecret',
  'config.slack.botToken',
  'config.slack.appToken',
  'config.slack.signingSecret',
  // The database URL may carry a password: never logged, wherever it sits.
  'databaseUrl',
  '*.databaseUrl',
  'config.store.databaseUrl',
  'connectionString',
  '*.connectionString',
];

// Tokens that slip into free text (error messages, URLs) are masked as well.
const SECRET_IN_TEXT = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)/g;
// A PostgreSQL URL in free text is masked whole: user, password and host alike.
const DATABASE_URL_IN_TEXT = /\bpostgres(?:ql)?:\/\/[^\s"']+/g;

export function maskSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, (m) => `${m.slice(0, 5)}[Redacted]`).replace(DATABASE_URL_IN_TEXT, 'postgres://[Redacted]');
}

/** The one root logger; everything else is a child of it. Destination is stderr so stdout stays the answer. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const pinoLib = pinoLibrary();
  return pinoLib(
    {
      level,
      base: { service: 'netpeek' },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
      formatters: {
        log(obj) {
          const err = obj.err as { message?: string } | undefined;
          if (err && typeof err.message === 'string') err.message = maskSecrets(err.message);
          return obj;
        },
      },
    },
    destination ?? pinoLib.destination(2),
  );
}

/**
 * The same logger, made (and pino loaded) only when something is logged at an enabled level or the logger
 * is used in another way. A one-shot answer that logs nothing never loads pino. Children are deferred too,
 * each made from its parent when it first logs.
 */
export function deferredLogger(level: LogLevel, make: () => Logger = () => createLogger(level)): Logger {
  let real: Logger | undefined;
  const made = () => (real ??= make());
  const threshold = LEVEL_VALUES[level];
  const noop = () => {};
  return new Proxy({} as Logger, {
    get(_, prop) {
      if (real === undefined) {
        if (typeof prop === 'string' && prop in LEVEL_VALUES && prop !== 'silent') {
          if (LEVEL_VALUES[prop as LogLevel] < threshold) return noop;
          return (...args: unknown[]) => (made()[prop as 'info'] as (...a: unknown[]) => void)(...args);
        }
        if (prop === 'level') return level;
        if (prop === 'isLevelEnabled') return (l: string) => (LEVEL_VALUES[l as LogLevel] ?? Infinity) >= threshold;
        if (prop === 'child') {
          return (bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => {
            const childLevel = (options?.level ?? level) as LogLevel;
            return deferredLogger(LEVEL_VALUES[childLevel] === undefined ? level : childLevel, () => made().child(bindings, options));
          };
        }
      }
      const value = Reflect.get(made(), prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value;
    },
  });
}
