import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type CustomRoute, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { CommandRegistry } from '../core/registry.js';
import type { Deps } from '../deps.js';
import type { Logger } from '../log.js';
import type { AuditLog } from '../store/audit-log.js';
import { SqliteAuditLog } from '../store/sqlite-audit.js';
import type { Store } from '../store/store.js';
import { boltLogger } from './bolt-logger.js';
import { AnswerTurns } from './answer-turns.js';
import { registerButtons } from './button-actions.js';
import { registerAppHome } from './app-home.js';
import { deriveButtonKey } from './button-token.js';
import { type HandlerContext, requestScope } from './context.js';
import { edgeRequestId, guardBoltListener } from './edge-guard.js';
import { EventGate } from './event-gate.js';
import { healthRoute, type HealthState } from './health.js';
import { registerMentions } from './mentions.js';
import { registerMessageShortcut } from './message-shortcut.js';
import { alertmanagerRoute } from './alertmanager-receiver.js';
import { createPipeline } from './pipeline.js';
import type { SlackConfig, SlackCredentials } from './slack-config.js';
import { registerSlashCommand } from './slash-command.js';
import { ThreadMemory } from './thread-subject.js';
import { safeError } from './safe-error.js';
import type { BotMetrics } from './bot-metrics.js';
import type { QuestionObserver } from './pipeline.js';
import { errorCountingAdapter } from './slack-api-errors.js';
import { SlackProxyAgent } from './slack-proxy.js';
import { BackendError } from '../core/errors.js';
import { RerunStore } from './rerun-store.js';

/** Answers held for "Probe again" at most (oldest dropped first); each is one why answer. */
const RERUNS_HELD = 1000;
import { maskSecrets } from '../log.js';

export interface SlackBotOptions {
  /** The credentials and port (config.slack). */
  config: { slack: SlackCredentials };
  slackConfig: SlackConfig;
  registry: CommandRegistry<Deps>;
  deps: Deps;
  log: Logger;
  /** Passed to the WebClient; tests set `slackApiUrl` to a local fake. */
  clientOptions?: webApi.WebClientOptions;
  /** Defaults to the store's, else SQLite at slackConfig.auditDb. */
  audit?: AuditLog;
  /** Audit log and, when shared (PostgreSQL), cross-replica claims; its owner closes it. */
  store?: Store;
  /** Served at GET /metrics and fed by the answer flow and every Slack Web API call. */
  metrics?: BotMetrics;
}

const EVENTS_PATH = '/slack/events';

/** How netpeek's WebClients talk to Slack: netpeek retries posts itself (delivery.ts), so the client fails fast instead of retrying for 30 minutes. */
const CLIENT_OPTIONS: webApi.WebClientOptions = { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000, attachOriginalToWebAPIRequestError: false };

/** A WebClient with the bot token, configured like the bot's own (for posts made outside a request, e.g. reports). */
export function createWebClient(slack: SlackCredentials, slackConfig: Pick<SlackConfig, 'apiUrl' | 'proxy'>, metrics?: BotMetrics, extra: webApi.WebClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(slack.botToken, slackClientOptions(slackConfig, metrics, proxyAgentFor(slackConfig), extra));
}

/** One agent per client set: HTTPS_PROXY/NO_PROXY for Slack's hosts (src/slack/slack-proxy.ts), none without a proxy. */
function proxyAgentFor(slackConfig: Pick<SlackConfig, 'proxy'>): SlackProxyAgent | undefined {
  return slackConfig.proxy ? new SlackProxyAgent(slackConfig.proxy) : undefined;
}

/** How every WebClient of the bot talks to Slack: SLACK_API_URL, the proxy, failures counted; `extra` (tests) last. */
function slackClientOptions(slackConfig: Pick<SlackConfig, 'apiUrl'>, metrics: BotMetrics | undefined, agent: SlackProxyAgent | undefined, extra: webApi.WebClientOptions = {}): webApi.WebClientOptions {
  return {
    ...CLIENT_OPTIONS,
    ...(metrics ? { adapter: errorCountingAdapter((method, kind) => metrics.slackError(method, kind)) } : {}),
    ...(slackConfig.apiUrl ? { slackApiUrl: slackConfig.apiUrl } : {}),
    ...(agent ? { agent } : {}),
    ...extra,
  };
}

export interface SlackBot {
  app: App;
  transport: 'http' | 'socket';
  audit: AuditLog;
  /** auth.test, then listen (HTTP: on `port`, default config PORT; 0 picks a free one) or connect (Socket Mode). */
  start(port?: number): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/** HTTP when a signing secret is configured, Socket Mode when an app token is (it wins in `auto`, as config.ts documents). */
export function chooseTransport(slack: SlackCredentials, wanted: SlackConfig['transport']): 'http' | 'socket' {
  if (!slack.botToken) throw new Error('SLACK_BOT_TOKEN is not set: the Slack bot needs a bot token (xoxb-…).');
  if (wanted === 'socket' || (wanted === 'auto' && slack.appToken)) {
    if (!slack.appToken) throw new Error('NETPEEK_SLACK_TRANSPORT=socket needs SLACK_APP_TOKEN (xapp-…).');
    return 'socket';
  }
  if (!slack.signingSecret) throw new Error('The HTTP receiver needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode).');
  return 'http';
}

/** The key that signs button values: NETPEEK_BUTTON_SECRET, else derived from the signing secret or app token. */
function buttonKey(slack: SlackCredentials, slackConfig: SlackConfig): Buffer {
  const secret = slackConfig.buttons.secret ?? slack.signingSecret ?? slack.appToken;
  if (!secret) throw new Error('No secret to sign buttons with: set NETPEEK_BUTTON_SECRET, SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.');
  return deriveButtonKey(secret);
}

/**
 * The Slack bot: Bolt with the HTTP receiver (signing secret) or Socket Mode (app token), the
 * `/netpeek` slash command, @mentions and DMs with thread memory, buttons, authorization and audit.
 * Command-agnostic: everything goes through the registry and the Answer renderers.
 */
export function createSlackBot(opts: SlackBotOptions): SlackBot {
  const { config, slackConfig, registry, deps, log } = opts;
  const slackLog = log.child({ component: 'slack' });
  const transport = chooseTransport(config.slack, slackConfig.transport);
  const health: HealthState = { transport, ready: false };
  const logger = boltLogger(slackLog);
  const routes: CustomRoute[] = [healthRoute(() => health), ...(opts.metrics ? [opts.metrics.route()] : [])];
  const agent = proxyAgentFor(slackConfig);
  const clientOptions = slackClientOptions(slackConfig, opts.metrics, agent, opts.clientOptions);
  // Built below, after Bolt: the Alertmanager route only needs them when a notification arrives.
  let ctx: HandlerContext | undefined;
  let app: App | undefined;
  const alerts = slackConfig.alertmanager;
  if (alerts) {
    const groups = opts.store?.alertGroups();
    if (!groups) throw new Error('The Alertmanager receiver needs the store (alert threads are kept there); pass the store to createSlackBot.');
    routes.push(alertmanagerRoute({ config: alerts, groups, ctx: () => ctx as HandlerContext, client: () => (app as App).client }));
  }

  const given = opts.audit ?? opts.store?.audit;
  const ownAudit = given ? undefined : new SqliteAuditLog(slackConfig.auditDb, slackLog);
  const audit: AuditLog = given ?? (ownAudit as SqliteAuditLog);
  let receiver: HTTPReceiver | SocketModeReceiver;
  if (transport === 'http') {
    const http = new HTTPReceiver({
      signingSecret: config.slack.signingSecret as string,
      endpoints: EVENTS_PATH,
      port: config.slack.port,
      customRoutes: routes,
      logger,
      processBeforeResponse: false,
      // The edge guard's id reaches the listeners in their context (requestScope in context.ts).
      customPropertiesExtractor: (req) => {
        const requestId = edgeRequestId(req);
        return requestId ? { requestId } : {};
      },
    });
    // Size cap, signature window and payload shapes are checked before Bolt sees a request (edge-guard.ts).
    http.requestListener = guardBoltListener(http.requestListener, { signingSecret: config.slack.signingSecret as string, maxBodyBytes: slackConfig.maxBodyBytes, maxWaitingAnswers: slackConfig.maxWaitingAnswers, endpoints: [EVENTS_PATH], audit, log: slackLog, ackSlashCommand: slackConfig.command });
    receiver = http;
  } else {
    // Its own WebClient makes the apps.connections.open call, and its agent carries the WebSocket.
    receiver = new SocketModeReceiver({ appToken: config.slack.appToken as string, customRoutes: routes, installerOptions: { port: config.slack.port, clientOptions }, logger });
  }

  app = new App({
    token: config.slack.botToken,
    receiver,
    logger,
    clientOptions,
    // Bolt's own axios (respond() to response_url) goes through the same proxy as the WebClient.
    ...(agent ? { agent } : {}),
    // auth.test runs in start(), never on the first request (nothing but ack happens before a reply).
    deferInitialization: true,
    convoStore: false,
    ignoreSelf: true,
  });

  ctx = {
    pipeline: createPipeline({ registry, deps, policy: slackConfig.access, audit, ...(opts.metrics ? { onQuestion: onQuestionOf(opts.metrics) } : {}) }),
    registry,
    dedupe: new EventGate(slackConfig.dedupeTtlMs, opts.store?.claims, slackLog),
    turns: new AnswerTurns(),
    memory: new ThreadMemory(slackConfig.threadCacheSize, slackLog),
    slackConfig,
    buttonKey: buttonKey(config.slack, slackConfig),
    reruns: new RerunStore({ max: RERUNS_HELD, ttlMs: slackConfig.buttons.ttlSeconds * 1000, ...(opts.store ? { shared: opts.store.heldAnswers() } : {}), log: slackLog }),
    log: slackLog,
  };
  app.use(requestScope);
  registerSlashCommand(app, ctx);
  registerMentions(app, ctx);
  registerButtons(app, ctx);
  registerAppHome(app, ctx);
  registerMessageShortcut(app, ctx);
  app.error(async (err) => {
    slackLog.error({ err: safeError(err) }, 'unhandled error in a Slack listener');
  });

  let started = false;
  return {
    app,
    transport,
    audit,
    async start(port) {
      try {
        await app.init();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // A request error is the network; an API error (invalid_auth, token_revoked…) is the token.
        if (/request error|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|timeout/i.test(message)) {
          throw new BackendError('slack', `Slack's Web API could not be reached for auth.test: ${maskSecrets(message)}`, ['Check outbound HTTPS to slack.com (or a proxy), then start again.']);
        }
        throw new BackendError('slack', `Slack rejected the bot token (auth.test failed): ${maskSecrets(message)}`, ['Check SLACK_BOT_TOKEN: copy the Bot User OAuth Token (xoxb-…) from the app\'s OAuth & Permissions page.']);
      }
      let listening = config.slack.port;
      if (transport === 'http') {
        const server = (await app.start(port ?? config.slack.port)) as Server;
        listening = (server.address() as AddressInfo).port;
      } else {
        await app.start();
        listening = await socketModePort(receiver as SocketModeReceiver, listening);
      }
      started = true;
      health.ready = true;
      health.startedAt = new Date().toISOString();
      slackLog.info({ transport, port: listening, command: slackConfig.command }, 'slack bot started');
      return { port: listening };
    },
    async stop() {
      health.ready = false;
      if (started) {
        started = false;
        await app.stop();
      }
      ownAudit?.close();
    },
  };
}

function onQuestionOf(metrics: BotMetrics): QuestionObserver {
  return (q) => metrics.question(q.command, q.source, q.outcome, q.durationMs);
}

/** The port Socket Mode's own HTTP server (health, metrics) listens on: PORT=0 picks a free one. */
async function socketModePort(receiver: SocketModeReceiver, configured: number): Promise<number> {
  const server = (receiver as unknown as { httpServer?: Server }).httpServer;
  if (!server) return configured;
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}
