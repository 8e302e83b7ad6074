/**
 * "Probe again" across replicas: two real Bolt apps (two harnesses) on one real PostgreSQL. Replica A
 * answers the why question and holds its answer in the shared store; the click reaches replica B, which
 * reruns the live steps (the socket read and the probe, to this test's own container) from the held question. Without the shared row
 * (an id nobody holds), B refuses with "ask again".
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { deriveButtonKey, signButtonToken } from '../../../src/slack/button-token.js';
import { openStore } from '../../../src/store/open-store.js';
import type { PostgresStore } from '../../../src/store/postgres-store.js';
import { describeNeeding, DOCKER, ICMP } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';
import { POSTGRES, startPostgres, type PostgresServer } from '../../support/postgres.js';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { appMention, CHANNEL, slackTs } from '../../support/slack/payloads.js';

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

describeNeeding([...DOCKER, ...ICMP, ...POSTGRES], '"Probe again" on another replica (PostgreSQL shared by two bots)', () => {
  const fx = new DockerFixtures();
  let server: PostgresServer;
  let slack: FakeSlackApi;
  let stores: PostgresStore[] = [];
  let a: Harness;
  let b: Harness;
  let web = '';
  let db = '';
  let dbIp = '';

  beforeAll(async () => {
    await ensureBusyboxImages();
    const net = await fx.createNetwork('why-replicas');
    web = await fx.runContainer('web', ['--network', net.name], BUSYBOX_IMAGE, ['sleep', '600']);
    db = await fx.runContainer('db', ['--network', net.name], BUSYBOX_IMAGE, ['sh', '-c', 'httpd -f -p 8080 & echo $! > /tmp/httpd.pid; wait; sleep 600']);
    await untilListening(db, 8080);
    dbIp = (await inspect<Inspected>(db)).NetworkSettings.Networks[net.name]!.IPAddress;
    server = await startPostgres();
    const dbUrl = await server.createDatabase();
    slack = await startFakeSlackApi();
    stores = await Promise.all(
      ['bot-a', 'bot-b'].map(
        async (holder) =>
          (await openStore({ store: loadConfig({ NETPEEK_DATABASE_URL: dbUrl }).store, auditDb: ':memory:', reportsDb: ':memory:', retention: { maxAgeDays: 30, maxRunsPerReport: 10 }, holder, log: createLogger('silent') })) as PostgresStore,
      ),
    );
    await Promise.all(stores.map((s) => s.whenReady()));
    const deps = () => buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig' }), createLogger('silent'));
    const env = { NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL };
    a = await startHarness({ commands: COMMANDS, deps: deps(), store: stores[0]!, env, api: slack });
    b = await startHarness({ commands: COMMANDS, deps: deps(), store: stores[1]!, env, api: slack });
  }, 180_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await Promise.all(stores.map((s) => s.close()));
    await slack?.close();
    await server?.stop();
    await fx.cleanup();
  }, 60_000);

  it('replica A answers; the click on replica B reruns the live steps from the shared answer', async () => {
    await a.event(appMention(`<@U0BOT> why ${web} ${db} --port 8080`, { ts: slackTs() }));
    await slack.waitFor(() => slack.okCallsTo('chat.update').length === 1, 20_000);
    const first = slack.okCallsTo('chat.update')[0]!.args;
    expect(messageText(first)).toContain(`✓ probe: TCP ${dbIp}:8080 from the Docker host`);
    const token = buttonsOf(first).netpeek_reprobe!;
    expect(token).toBeTruthy();

    await docker('exec', db, 'sh', '-c', 'kill $(cat /tmp/httpd.pid)');
    await b.click({ actionId: 'netpeek_reprobe', value: token, messageTs: String(first.ts) });
    await slack.waitFor(() => slack.okCallsTo('chat.update').length === 2, 20_000);
    const again = slack.okCallsTo('chat.update')[1]!.args;
    expect(again.ts).toBe(first.ts);
    const text = messageText(again);
    // Replica B read the sockets again: the server is gone, so listening is where it breaks now.
    expect(text).toContain(`Broken at listening: Nothing listens on TCP 8080 in ${db}'s network namespace`);
    expect(text).toContain(`probe: TCP ${dbIp}:8080 from the Docker host`);
    expect(text).toContain('Probe again reran the live steps (listening, probe)');
  });

  it('an id no replica wrote is refused on B with "ask again", and nothing is probed', async () => {
    slack.reset();
    const token = signButtonToken({ c: 'reprobe', k: 'container', n: db, ch: CHANNEL, exp: 9_999_999_999, r: 'notheld0123456' }, deriveButtonKey(SIGNING_SECRET));
    const { responseUrl } = await b.click({ actionId: 'netpeek_reprobe', value: token });
    await b.responses.waitFor(() => b.responses.postsTo(responseUrl).length === 1);
    const body = b.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain('netpeek no longer holds the answer under this button');
    expect(slack.okCallsTo('chat.update')).toHaveLength(0);
  });
});
