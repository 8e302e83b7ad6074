#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';
import { COMMANDS } from '../commands/index.js';
import { runConsole } from './cli/console.js';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import { describeFailure, isNetpeekError } from './core/errors.js';
import { errorToText } from './render/text.js';
import { historyPath } from './cli/history.js';
import { runOnce } from './cli/one-shot.js';
import { kubeconfigFromArgv } from './cli/kubeconfig-flag.js';
import { ConfigError, hasSlackCredentials, loadConfig } from './config.js';
import { CommandRegistry } from './core/registry.js';
import { assembleDeps, backendChecks, buildBackends, buildDeps, type Deps } from './deps.js';
import { createLogger } from './log.js';
import { instanceId } from './reports/tick-key.js';
import { deferredStore, openStore } from './store/open-store.js';
import { installUnhandledRejectionHandler } from './unhandled-rejections.js';

// The agent, the Slack bot (Bolt) and the report scheduler (client-node's Lease and ConfigMap APIs) are
// imported where `agent` / `serve` start them, not here: a one-shot answer must not pay for loading them.

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * netpeek [serve]        → the Slack bot when Slack credentials are configured, else the interactive console
 * netpeek console        → the interactive console
 * netpeek agent          → the host agent (probes from this node; see src/agent/)
 * netpeek <command> …    → one answer, then exit (0 ok, 1 user error, 2 backend unreachable, 3 bug, 4 `why` found a failed step)
 */
async function main(argv: string[]): Promise<number> {
  dotenv.config({ quiet: true });
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`netpeek ${version()}\n`);
    return EXIT.ok;
  }
  if (argv[0] === 'agent') {
    try {
      const { runAgent } = await import('./agent/run-agent.js');
      await runAgent(process.env);
      return new Promise<number>(() => {}); // serves until SIGTERM/SIGINT
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        return EXIT.userError;
      }
      throw err;
    }
  }
  let config;
  let env: NodeJS.ProcessEnv = process.env;
  if (argv[0] !== 'serve') {
    try {
      const kubeconfig = kubeconfigFromArgv(argv);
      if (kubeconfig !== undefined) env = { ...process.env, KUBECONFIG: kubeconfig };
    } catch (err) {
      process.stderr.write(errorToText(describeFailure(err).message, describeFailure(err).details));
      return EXIT.userError;
    }
  }
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.userError;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const registry = new CommandRegistry<Deps>(COMMANDS);
  const color = config.color && process.stdout.isTTY === true;
  const [first = '', ...rest] = argv[0] === '--' ? argv.slice(1) : argv;
  const identity = instanceId(config.reports.podName, randomBytes(4).toString('hex'));
  // PostgreSQL (NETPEEK_DATABASE_URL) or the SQLite files; opening never waits for the database.
  const storeOptions = {
    store: config.store,
    auditDb: config.slackBot.auditDb,
    reportsDb: config.reports.db,
    retention: config.reports.retention,
    holder: identity,
    log,
  };

  if (first === 'serve' || (first === '' && hasSlackCredentials(config))) {
    if (!hasSlackCredentials(config)) {
      process.stderr.write('netpeek serve needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode); see .env.example.\n');
      return EXIT.userError;
    }
    // From here on the process serves many conversations: a bug in one request must not end the others.
    installUnhandledRejectionHandler(log);
    const store = await openStore(storeOptions);
    const [{ createSlackBot, createWebClient }, { SlackReportPoster }, { createReports }, { BotMetrics }] = await Promise.all([
      import('./slack/app.js'),
      import('./slack/report-poster.js'),
      import('./reports/start.js'),
      import('./slack/bot-metrics.js'),
    ]);
    const backends = { ...buildBackends(config, log), store };
    const metrics = new BotMetrics({ commands: registry.list().map((c) => c.name), ...(backends.kube.configured() ? { kubeStates: () => backends.kube.states() } : {}) });
    store.start();
    // Warm the Kubernetes caches now so the first question is answered from memory.
    if (backends.kube.configured()) {
      try {
        backends.kube.start();
      } catch (err) {
        log.warn({ err }, 'Kubernetes watch caches not started; answers will use direct API calls');
      }
    }
    // Built before the bot so that `report` answers from the live scheduler (next runs, last verdicts);
    // started after it, once the bot's token has been checked.
    const reports = await createReports({
      reports: config.reports,
      deps: backends,
      kube: config.kube,
      // Report posts go through the same retry module as every Slack answer.
      poster: new SlackReportPoster(createWebClient(config.slack, config.slackBot, metrics), config.slackBot.retry, log),
      onTick: (e) => metrics.reportTick(e),
      knownChannels: config.slackBot.access.channels,
      log,
      store,
      identity,
    });
    const deps = assembleDeps({ ...backends, ...(reports ? { reports: reports.scheduler } : {}) });
    const bot = createSlackBot({ config, slackConfig: config.slackBot, registry, deps, log, store, metrics });
    const { port } = await bot.start();
    reports?.start();
    log.info({ transport: bot.transport, port, reports: reports?.mode ?? 'off', store: store.kind }, 'netpeek Slack bot running');
    if (!store.shared) log.warn('audit log and report history are SQLite files of this process: not shared with other replicas, and lost with its volume; set NETPEEK_DATABASE_URL for PostgreSQL');
    await new Promise<void>((done) => {
      const stop = () =>
        void (reports ? reports.stop() : Promise.resolve())
          .then(() => bot.stop())
          .then(() => store.close())
          .finally(done);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return EXIT.ok;
  }
  // A terminal opens the store only for a command that keeps or reads state (audit, status).
  const store = deferredStore(storeOptions);
  // One question and exit: no watch caches (a full list of every resource) for it, direct reads instead.
  const oneShot = first !== '' && first !== 'console';
  const deps = { ...buildDeps(config, log, { watchCaches: !oneShot }), store };
  try {
    return await runTerminal(first, rest, { registry, deps, color, config });
  } finally {
    await store.close();
  }
}

async function runTerminal(first: string, rest: string[], o: { registry: CommandRegistry<Deps>; deps: Deps; color: boolean; config: ReturnType<typeof loadConfig> }): Promise<number> {
  const { registry, deps, color, config } = o;
  if (first === '' || first === 'console') {
    await runConsole({
      input: process.stdin,
      output: process.stdout,
      registry,
      deps,
      checks: backendChecks(deps),
      historyFile: historyPath(config.console.historyFile),
      color,
      reason: 'No Slack credentials configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN), so netpeek runs as a console.',
    });
    return EXIT.ok;
  }
  return runOnce([first, ...rest], registry, deps, { stdout: process.stdout, stderr: process.stderr, color });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { message, details } = describeFailure(err);
    process.stderr.write(isNetpeekError(err) ? errorToText(message, details) : `netpeek: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
