import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { BotMetrics } from '../../../src/slack/bot-metrics.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { fakeCommands } from '../../support/slack/fake-commands.js';
import { sample, scrape } from '../../support/prometheus-text.js';
import { type FakeSocketMode, startFakeSocketMode } from '../../support/slack/fake-socket-mode.js';
import { appMention, blockActions, eventCallback, slackTs, slashCommand } from '../../support/slack/payloads.js';

/**
 * The real Bolt SocketModeReceiver (its SocketModeClient, WebClient and `ws`) connected to a local server
 * that speaks Slack's Socket Mode protocol: apps.connections.open on the fake Web API hands out a ws://
 * URL, the server says hello, sends envelopes and reads the acks; disconnects and dropped sockets are
 * the server's doing, as Slack's would be.
 */
describe('Socket Mode end to end: the real SocketModeReceiver against a local Socket Mode server', () => {
  let socket: FakeSocketMode;
  let h: Harness;

  beforeAll(async () => {
    socket = await startFakeSocketMode();
    const fake = fakeCommands();
    h = await startHarness({ socketMode: socket, fake, metrics: new BotMetrics({ commands: fake.commands.map((c) => c.name), defaultMetrics: false }) });
    await socket.waitFor(() => socket.connected());
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await socket?.close();
  });

  const slash = async (text: string) => {
    const responseUrl = h.responses.newUrl();
    const ack = await socket.send('slash_commands', slashCommand(text, responseUrl));
    return { ack, responseUrl };
  };

  it('connects with the app token through apps.connections.open, and serves /healthz on its own port', async () => {
    const opens = h.api.callsTo('apps.connections.open');
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.every((c) => c.token?.startsWith('xapp-'))).toBe(true);
    expect(socket.connections).toBe(1);
    const health = await fetch(`${h.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', transport: 'socket' });
  });

  it('serves /metrics on that port too, counting what came over the socket', async () => {
    const { responseUrl } = await slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const { families } = await scrape(`${h.base}/metrics`);
    expect(Number(sample(families, 'netpeek_questions_total', { command: 'container', outcome: 'ok', source: 'slash' })?.value)).toBeGreaterThanOrEqual(1);
  });

  it('a slash command is acked by envelope id and answered through its response_url', async () => {
    const { ack, responseUrl } = await slash('container webserver-1');
    expect(ack.envelope_id).toMatch(/^env-/);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain('172.17.0.2');
  });

  it('a mention in a thread is answered in that thread', async () => {
    const threadTs = slackTs();
    h.api.seedMessage({ channel: 'C0NETPEEK1', ts: threadTs, text: 'webserver-1 is down', user: 'U0ALICE001' });
    const mention = appMention('container webserver-1', { threadTs });
    await socket.send('events_api', eventCallback(mention));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').some((c) => c.args.thread_ts === threadTs));
    const reply = h.api.okCallsTo('chat.postMessage').find((c) => c.args.thread_ts === threadTs)!;
    expect(reply.args.channel).toBe('C0NETPEEK1');
    expect(messageText(reply.args)).toContain('172.17.0.2');
  });

  it('a button on an answer works over the socket', async () => {
    const { responseUrl } = await slash('container webserver-1');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const ports = buttonsOf(h.responses.postsTo(responseUrl)[0]!.body).netpeek_ports;
    expect(ports).toBeDefined();
    const clickUrl = h.responses.newUrl();
    const ack = await socket.send('interactive', blockActions({ actionId: 'netpeek_ports', value: ports!, responseUrl: clickUrl, isEphemeral: true }));
    expect(ack.envelope_id).toMatch(/^env-/);
    await h.responses.waitFor(() => h.responses.postsTo(clickUrl).length === 1);
    const body = h.responses.postsTo(clickUrl)[0]!.body;
    expect(body.replace_original).toBe(true);
    expect(messageText(body)).toContain('container webserver-1: ports');
  });

  it('reconnects after disconnect (refresh_requested, then warning) with a fresh URL each time, and answers on the new connection', async () => {
    for (const reason of ['refresh_requested', 'warning'] as const) {
      const before = socket.connections;
      socket.disconnect(reason);
      await socket.waitFor(() => socket.connections === before + 1 && socket.connected(), 20_000);
      const { ack, responseUrl } = await slash('container webserver-1');
      expect(ack.connection).toBe(before + 1);
      await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    }
    expect(socket.opened).toBe(socket.connections);
  }, 60_000);

  it('a dropped socket loses nothing: what Slack sent meanwhile is delivered on the new connection and answered once each', async () => {
    const before = socket.connections;
    socket.drop();
    const responseUrl = h.responses.newUrl();
    const threadTs = slackTs();
    h.api.seedMessage({ channel: 'C0NETPEEK1', ts: threadTs, text: 'is webserver-1 up?', user: 'U0ALICE001' });
    const [slashAck, mentionAck] = await Promise.all([
      socket.send('slash_commands', slashCommand('container webserver-1', responseUrl)),
      socket.send('events_api', eventCallback(appMention('container webserver-1', { threadTs }))),
    ]);
    expect(slashAck.connection).toBe(before + 1);
    expect(mentionAck.connection).toBe(before + 1);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').some((c) => c.args.thread_ts === threadTs));
    // Give a duplicate time to show up, then check there is none.
    await new Promise((r) => setTimeout(r, 500));
    expect(h.responses.postsTo(responseUrl)).toHaveLength(1);
    expect(h.api.okCallsTo('chat.postMessage').filter((c) => c.args.thread_ts === threadTs)).toHaveLength(1);
  }, 60_000);
});
