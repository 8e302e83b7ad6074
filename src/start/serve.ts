import { COMMANDS } from '../../commands/index.js';
import { runConsole } from '../cli/console.js';
import { EXIT } from '../cli/exit-codes.js';
import { historyPath } from '../cli/history.js';
import { hasSlackCredentials } from '../config.js';
import { CommandRegistry } from '../core/registry.js';
import { assembleDeps, backendChecks, buildBackends, buildDeps, type Deps } from '../deps.js';
import { deferredStore, openStore } from '../store/open-store.js';
import { installUnhandledRejectionHandler } from '../unhandled-rejections.js';
import { configure } from './configure.js';

// The Slack bot (Bolt) and the report scheduler (client-node's Lease and ConfigMap APIs) are imported
// where `serve` starts them, not here: the console must not pay for loading them.

/**
 * netpeek [serve]   → the Slack bot when Slack credentials are configured, else the interactive console
 * netpeek console   → the interactive console
 */
export async function runServeOrConsole(argv: string[]): Promise<number> {
  const first = (argv[0] === '--' ? argv[1] : argv[0]) ?? '';
  const configured = configure(argv, { deferLog: first !== 'serve' });
  if (typeof configured === 'number') return configured;
  const { config, log, storeOptions } = configured;
  const registry = new CommandRegistry<Deps>(COMMANDS);

  if (first === 'serve' || (first === '' && hasSlackCredentials(config))) {
    if (!hasSlackCredentials(config)) {
      process.stderr.write('netpeek serve needs SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode); see .env.example.\n');
      return EXIT.userError;
    }
    // From here on the process serves many conversations: a bug in one request must not end the others.
    installUnhandledRejectionHandler(log);
    const store = await openStore(storeOptions);
    const [{ createSlackBot, createWebClient }, { SlackReportPoster }, { createReports }, { BotMetrics }] = await Promise.all([
      import('../slack/app.js'),
      import('../slack/report-poster.js'),
      import('../reports/start.js'),
      import('../slack/bot-metrics.js'),
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
      identity: storeOptions.holder,
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
  // The console opens the store only for a command that keeps or reads state (audit, status).
  const store = deferredStore(storeOptions);
  const deps = { ...buildDeps(config, log), store };
  try {
    await runConsole({
      input: process.stdin,
      output: process.stdout,
      registry,
      deps,
      checks: backendChecks(deps),
      historyFile: historyPath(config.console.historyFile),
      color: config.color && process.stdout.isTTY === true,
      reason: 'No Slack credentials configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN), so netpeek runs as a console.',
    });
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
