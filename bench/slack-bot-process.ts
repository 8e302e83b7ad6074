/**
 * The bot side of bench:slack, in its own process so the client's work is not counted as the bot's:
 * the real Slack bot (Bolt HTTP receiver) with the real commands and Deps, a local fake Slack Web API,
 * and — when KUBECONFIG is set — warm Kubernetes caches. Prints one JSON line ({ port }) when ready;
 * answers `rss` on stdin with its RSS; exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { CommandRegistry } from '../src/core/registry.js';
import { buildDeps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { createSlackBot } from '../src/slack/app.js';
import { FAKE_BOT, startFakeSlackApi } from '../test/support/slack/fake-slack-api.js';

async function main(): Promise<void> {
  const api = await startFakeSlackApi();
  const config = loadConfig({
    SLACK_BOT_TOKEN: FAKE_BOT.token,
    SLACK_SIGNING_SECRET: process.env.BENCH_SIGNING_SECRET ?? '',
    PORT: '0',
    LOG_LEVEL: 'warn',
    NETPEEK_SLACK_AUDIT_DB: ':memory:',
    ...(process.env.KUBECONFIG ? { KUBECONFIG: process.env.KUBECONFIG } : {}),
  });
  const log = createLogger('warn');
  const deps = buildDeps(config, log);
  let syncMs = 0;
  if (deps.kube?.configured()) {
    const t0 = performance.now();
    if (!(await deps.kube.cluster().waitForSync(120_000))) throw new Error('the Kubernetes caches did not sync within 120 s');
    syncMs = performance.now() - t0;
  }
  const bot = createSlackBot({ config, slackConfig: config.slackBot, registry: new CommandRegistry(COMMANDS), deps, log, clientOptions: { slackApiUrl: api.url } });
  const { port } = await bot.start(0);
  process.stdout.write(`${JSON.stringify({ port, syncMs })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l.trim() === 'rss') process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss })}\n`);
  });
  lines.on('close', () => {
    void bot.stop().then(() => api.close()).then(() => deps.kube?.stop()).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`slack bot process failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
