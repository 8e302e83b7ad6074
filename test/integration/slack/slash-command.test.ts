import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectValidMessage, messageText, buttonsOf } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';

describe('/netpeek slash command over the real Bolt HTTP receiver', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.fake.calls.length = 0;
    h.fake.delayMs = 0;
  });

  it('acks with an empty 200 at once and answers ephemerally through response_url with IP, ports and why', async () => {
    h.fake.delayMs = 300; // the answer takes a while; the ack must not wait for it
    const { res, responseUrl } = await h.slash('container webserver-1');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    // Nothing posted yet proves the ack did not wait for the 300 ms answer (ack time is bench:slack's job).
    expect(h.responses.postsTo(responseUrl)).toHaveLength(0);

    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const [post] = h.responses.postsTo(responseUrl);
    const body = post!.body;
    expect(body.response_type).toBe('ephemeral');
    expectValidMessage(body);
    const text = messageText(body);
    expect(text).toContain('172.17.0.2/16');
    expect(text).toContain('172.17.0.0/16');
    expect(text).toContain('127.0.0.1:8080');
    expect(text).toContain('EXPOSE only documents the port');
    expect(text).toContain('Containers on a bridge network get a private address');
    expect(Object.keys(buttonsOf(body)).sort()).toEqual(['netpeek_explain', 'netpeek_ports', 'netpeek_probe']);
    expect(h.fake.calls).toEqual([{ command: 'container', args: ['webserver-1'], flags: {} }]);
  });

  it('posts in the channel with --public', async () => {
    const { responseUrl } = await h.slash('container webserver-1 --public');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('in_channel');
    expect(messageText(body)).toContain('172.17.0.2');
  });

  it('shows "probing …" first for a probe, then replaces it with the answer', async () => {
    const { responseUrl } = await h.slash('ping webserver-2 --port 8080');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 2);
    const [probing, answer] = h.responses.postsTo(responseUrl);
    expect(probing!.body.response_type).toBe('ephemeral');
    expect(messageText(probing!.body)).toContain('Probing: ping webserver-2 --port 8080');
    expect(answer!.body.replace_original).toBe(true);
    expect(answer!.body.response_type).toBe('ephemeral');
    expect(messageText(answer!.body)).toContain('refused the connection');
    expectValidMessage(answer!.body);
    expect(h.fake.calls).toEqual([{ command: 'ping', args: ['webserver-2'], flags: { port: 8080 } }]);
  });

  it('a public probe removes the ephemeral "probing" reply and posts the answer in the channel', async () => {
    const { responseUrl } = await h.slash('container webserver-1 --probe --public');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 3);
    const [probing, del, answer] = h.responses.postsTo(responseUrl);
    expect(probing!.body.response_type).toBe('ephemeral');
    expect(del!.body).toEqual({ delete_original: true });
    expect(answer!.body.response_type).toBe('in_channel');
    expect(messageText(answer!.body)).toContain('ICMP 172.17.0.2 from this host: ok');
  });

  it('an unknown command gets an ephemeral usage reply and runs nothing', async () => {
    const { res, responseUrl } = await h.slash('contianer webserver-1');
    expect(res.status).toBe(200);
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    const text = messageText(body);
    expect(text).toContain('"contianer" is not a netpeek command. Did you mean "container"?');
    expect(text).toContain('Commands: help, container, pod, ping');
    expectValidMessage(body);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('empty text shows help', async () => {
    const { responseUrl } = await h.slash('');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(messageText(h.responses.postsTo(responseUrl)[0]!.body)).toContain('netpeek commands');
  });

  it('an internal failure is a generic ephemeral sentence, never a stack trace', async () => {
    const { res, responseUrl } = await h.slash('container boom');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    const text = messageText(body);
    expect(body.response_type).toBe('ephemeral');
    expect(text).toContain('Something went wrong inside netpeek');
    expect(text).not.toContain('docker socket exploded');
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    const logged = h.logs.find((l) => l.msg === 'command failed');
    // The id the ack sent back is the one on the failure's log line, so an operator can find it.
    expect(logged?.requestId).toEqual(res.headers.get('x-request-id'));
    expect(logged?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a not-found answer is an ephemeral sentence with what exists', async () => {
    const { responseUrl } = await h.slash('container nope');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const text = messageText(h.responses.postsTo(responseUrl)[0]!.body);
    expect(text).toContain('No container is named "nope".');
    expect(text).toContain('Containers: webserver-1');
  });

  it('checks the bot token once at start, never per request', () => {
    expect(h.api.callsTo('auth.test')).toHaveLength(1);
  });

  it('serves /healthz', async () => {
    const res = await fetch(`${h.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', transport: 'http' });
  });
});
