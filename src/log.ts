import pino from 'pino';

export type Logger = pino.Logger;

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
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino(
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
    destination,
  );
}
