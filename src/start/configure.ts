import { kubeconfigFromArgv } from '../cli/kubeconfig-flag.js';
import { EXIT } from '../cli/exit-codes.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { describeFailure } from '../core/errors.js';
import { createLogger, deferredLogger, type Logger } from '../log.js';
import type { TextOutput } from '../cli/descriptor-output.js';
import { errorToText } from '../render/text.js';
import { instanceId } from '../reports/tick-key.js';
import type { OpenStoreOptions } from '../store/open-store.js';

export interface Configured {
  config: Config;
  log: Logger;
  /** PostgreSQL (NETPEEK_DATABASE_URL) or the SQLite files; opening never waits for the database. */
  storeOptions: OpenStoreOptions;
}

/**
 * The configuration, checked whole (a message naming each bad variable, exit 1), and the root logger
 * (deferred: pino is loaded once something is logged). `--kubeconfig` on the command line stands in for
 * KUBECONFIG, except under `serve`. Returns the exit code when netpeek cannot start.
 */
export function configure(argv: readonly string[], o: { deferLog: boolean }, stderr: TextOutput = process.stderr): Configured | number {
  let env: NodeJS.ProcessEnv = process.env;
  if (argv[0] !== 'serve') {
    try {
      const kubeconfig = kubeconfigFromArgv(argv);
      if (kubeconfig !== undefined) env = { ...process.env, KUBECONFIG: kubeconfig };
    } catch (err) {
      stderr.write(errorToText(describeFailure(err).message, describeFailure(err).details));
      return EXIT.userError;
    }
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr.write(`${err.message}\n`);
      return EXIT.userError;
    }
    throw err;
  }
  // A server logs from its first second; a terminal answer usually never, so it does not load pino for it.
  const log = o.deferLog ? deferredLogger(config.logLevel) : createLogger(config.logLevel);
  let identity: string | undefined;
  return {
    config,
    log,
    storeOptions: {
      store: config.store,
      auditDb: config.slackBot.auditDb,
      reportsDb: config.reports.db,
      retention: config.reports.retention,
      // Made when a store is opened: node:crypto costs a one-shot answer that opens none ~1.5 ms to load.
      get holder() {
        return (identity ??= instanceId(config.reports.podName, process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex')));
      },
      log,
    },
  };
}
