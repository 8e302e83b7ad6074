import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config.js';
import { assembleDeps, type Deps, type NetpeekCommand } from '../../../src/deps.js';
import type { KubeSource } from '../../../src/sources/kubernetes.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { createLogger } from '../../../src/log.js';
import { createSlackBot, type SlackBot } from '../../../src/slack/app.js';
import type { BotMetrics } from '../../../src/slack/bot-metrics.js';
import { loadSlackConfig } from '../../../src/slack/slack-config.js';
import { SqliteAuditLog } from '../../../src/store/sqlite-audit.js';
import type { Store } from '../../../src/store/store.js';
import { expectValidMessage } from './block-kit.js';
import { FAKE_APP_TOKEN, FAKE_BOT, type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.js';
import type { FakeSocketMode } from './fake-socket-mode.js';
import { type FakeCommands, fakeCommands } from './fake-commands.js';
import { blockActions, type ClickOptions, eventCallback, messageAction, type MessageActionOptions, slashCommand } from './payloads.js';
import { type ResponseUrlServer, startResponseUrlServer } from './response-url-server.js';
import { formBody, postSigned, type SignOptions } from './sign.js';

export const SIGNING_SECRET = 'test-signing-secret-8f3a1c';

/**
 * A real bot (real Bolt HTTPReceiver on 127.0.0.1:0, real signature checks, real WebClient) wired to the
 * fake Slack Web API and a response_url recorder. Several harnesses can share one fake API to act as
 * replicas of the same app.
 */
export interface Harness {
  bot: SlackBot;
  api: FakeSlackApi;
  responses: ResponseUrlServer;
  fake: FakeCommands;
  /** http://127.0.0.1:<port>/slack/events */
  eventsUrl: string;
  base: string;
  auditDb: string;
  /** The bot's SQLite audit log (when no `store` was given). */
  audit: SqliteAuditLog;
  /** pino lines the bot wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Sends a signed slash command; returns the HTTP response and the response_url it carried. */
  slash(text: string, over?: Partial<Record<string, string>>, sign?: SignOptions): Promise<{ res: Response; responseUrl: string }>;
  /** Sends a signed Events API callback. */
  event(event: Record<string, unknown>, opts?: { id?: string; sign?: SignOptions }): Promise<Response>;
  /** Sends a signed block_actions payload in the `payload` form field. */
  click(o: Omit<ClickOptions, 'responseUrl'> & { responseUrl?: string }, sign?: SignOptions): Promise<{ res: Response; responseUrl: string }>;
  /** Sends a signed message_action ("Diagnose with netpeek") on a message. */
  shortcut(o: Omit<MessageActionOptions, 'responseUrl'>, sign?: SignOptions): Promise<{ res: Response; responseUrl: string }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra NETPEEK_SLACK_* variables. */
  env?: Record<string, string>;
  /** Share the fake API / response_url server / audit file with another harness (replicas). */
  api?: FakeSlackApi;
  responses?: ResponseUrlServer;
  fake?: FakeCommands;
  /** Use these commands (e.g. the real COMMANDS) instead of the fakes. */
  commands?: readonly NetpeekCommand[];
  /** A store to use (e.g. PostgreSQL shared with other replicas); its audit log and claims replace the SQLite file's. */
  store?: Store;
  /** A Kubernetes source for the commands (e.g. one on the test API server). */
  kube?: KubeSource;
  /** The commands' dependencies (real backends); default: none configured. */
  deps?: Deps;
  /** Served at /metrics (src/slack/bot-metrics.ts). */
  metrics?: BotMetrics;
  /** Socket Mode instead of HTTP: the bot connects to this server (apps.connections.open on the fake API). */
  socketMode?: FakeSocketMode;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const socket = o.socketMode;
  const api = o.api ?? (await startFakeSlackApi(socket ? { socketModeUrl: () => socket.nextUrl() } : {}));
  const responses = o.responses ?? (await startResponseUrlServer());
  const fake = o.fake ?? fakeCommands();
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-slack-'));
  const auditDb = join(dir, 'audit.db');
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const config = loadConfig({ SLACK_BOT_TOKEN: FAKE_BOT.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...(socket ? { SLACK_APP_TOKEN: FAKE_APP_TOKEN } : {}), PORT: '0', LOG_LEVEL: 'info' });
  const slackConfig = loadSlackConfig({ NETPEEK_SLACK_AUDIT_DB: auditDb, NETPEEK_SLACK_RETRY_BASE_MS: '20', NETPEEK_SLACK_RETRY_MAX_MS: '200', NETPEEK_SLACK_TRANSPORT: socket ? 'socket' : 'http', ...o.env });
  const log = createLogger('info', sink);
  const registry = new CommandRegistry(o.commands ?? fake.commands);
  const audit = new SqliteAuditLog(auditDb, log.child({ component: 'slack' }));
  const bot = createSlackBot({
    config,
    slackConfig,
    registry,
    deps: o.deps ?? assembleDeps({ config, log, ...(o.store ? { store: o.store } : {}), ...(o.kube ? { kube: o.kube } : {}) }),
    log,
    clientOptions: { slackApiUrl: api.url },
    ...(o.store ? { store: o.store } : { audit }),
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  const { port } = await bot.start(0);
  const base = `http://127.0.0.1:${port}`;
  const eventsUrl = `${base}/slack/events`;

  return {
    bot,
    api,
    responses,
    fake,
    eventsUrl,
    base,
    auditDb,
    audit,
    logs,
    async slash(text, over = {}, sign = {}) {
      const responseUrl = responses.newUrl();
      const res = await postSigned(eventsUrl, SIGNING_SECRET, formBody(slashCommand(text, responseUrl, over)), 'form', sign);
      return { res, responseUrl };
    },
    event(event, opts = {}) {
      return postSigned(eventsUrl, SIGNING_SECRET, JSON.stringify(eventCallback(event, opts.id)), 'json', opts.sign);
    },
    async shortcut(m, sign = {}) {
      const responseUrl = responses.newUrl();
      const body = formBody({ payload: JSON.stringify(messageAction({ ...m, responseUrl })) });
      const res = await postSigned(eventsUrl, SIGNING_SECRET, body, 'form', sign);
      return { res, responseUrl };
    },
    async click(c, sign = {}) {
      const responseUrl = c.responseUrl ?? responses.newUrl();
      const body = formBody({ payload: JSON.stringify(blockActions({ ...c, responseUrl })) });
      const res = await postSigned(eventsUrl, SIGNING_SECRET, body, 'form', sign);
      return { res, responseUrl };
    },
    async close() {
      await bot.stop();
      audit.close();
      // Every message this bot posted anywhere must be valid Block Kit.
      if (!o.api) for (const c of api.calls.filter((x) => /^chat\.(postMessage|postEphemeral|update)$/.test(x.method))) expectValidMessage(c.args);
      if (!o.responses) for (const p of responses.posts.filter((x) => !x.body.delete_original)) expectValidMessage(p.body);
      if (!o.api) await api.close();
      if (!o.responses) await responses.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
