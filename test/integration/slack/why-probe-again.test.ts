/**
 * "Probe again" under a why answer, through the real Bolt receiver with the real commands: the click
 * reruns the live steps (the socket read from /proc and the probe, sent to this test's own container),
 * keeps the other steps as the first answer found them, names the first failure anew, and is refused
 * when netpeek no longer holds that answer or the clicker may not probe.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { deriveButtonKey, signButtonToken } from '../../../src/slack/button-token.js';
import { describeNeeding, DOCKER, ICMP } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, inspect, untilListening } from '../../support/docker-fixtures.js';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, slackTs } from '../../support/slack/payloads.js';

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !cond(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the audit record');
  }
}

interface Inspected {
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

describeNeeding([...DOCKER, ...ICMP], 'why in Slack: "Probe again" reruns only the live steps', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let web = '';
  let db = '';
  let dbIp = '';
  let deps: Deps;
  let h: Harness;

  beforeAll(async () => {
    await ensureBusyboxImages();
    net = await fx.createNetwork('why-slack');
    web = await fx.runContainer('web', ['--network', net.name], BUSYBOX_IMAGE, ['sleep', '600']);
    // The server runs beside a shell that outlives it, so the test can stop the server and keep the container.
    db = await fx.runContainer('db', ['--network', net.name], BUSYBOX_IMAGE, ['sh', '-c', 'httpd -f -p 8080 & echo $! > /tmp/httpd.pid; wait; sleep 600']);
    dbIp = (await inspect<Inspected>(db)).NetworkSettings.Networks[net.name]!.IPAddress;
    for (let i = 0; i < 100 && !(await docker('exec', db, 'netstat', '-ltn').catch(() => '')).includes(':8080'); i++) await new Promise((r) => setTimeout(r, 100));
    deps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig' }), createLogger('silent'));
    h = await startHarness({ commands: COMMANDS, deps, env: { NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL } });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await fx.cleanup();
  }, 60_000);

  it('the answer has "Probe again"; after the server stops, the click flips listening to fail and names it first; after it starts again, everything passes', async () => {
    const ts = slackTs();
    await h.event(appMention(`<@U0BOT> why ${web} ${db} --port 8080`, { ts }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1, 20_000);
    const first = h.api.okCallsTo('chat.update')[0]!.args;
    const firstText = messageText(first);
    // Without NETPEEK_WORKLOAD_VANTAGE the name is not looked up from inside web: resolve is a skip, not a pass.
    expect(firstText).toContain('No broken step found: 3 of 5 checks pass (not checked: resolve, policy)');
    expect(firstText).toMatch(/✓ listening: \S+ listens on (0\.0\.0\.0|::):8080 \(every address\)/);
    expect(firstText).toContain(`✓ probe: TCP ${dbIp}:8080 from the Docker host`);
    const buttons = buttonsOf(first);
    expect(Object.keys(buttons)).toEqual(['netpeek_reprobe']);
    expect(buttons.netpeek_reprobe).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    await docker('exec', db, 'sh', '-c', 'kill $(cat /tmp/httpd.pid)');
    await h.click({ actionId: 'netpeek_reprobe', value: buttons.netpeek_reprobe!, messageTs: String(first.ts) });
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 2, 20_000);
    const again = h.api.okCallsTo('chat.update')[1]!.args;
    expect(again.ts).toBe(first.ts);
    const text = messageText(again);
    // The socket read ran again: nothing listens now, and that is the first failure (before the probe's).
    expect(text).toContain(`Broken at listening: Nothing listens on TCP 8080 in ${db}'s network namespace: connections are refused.`);
    expect(text).toContain(`probe: TCP ${dbIp}:8080 from the Docker host`);
    expect(text).toContain('refused: the address is there but nothing accepts on that port');
    // The route step is not live: it is the first answer's.
    expect(text).toContain(`${web} and ${db} share network ${net.name}`);
    expect(text).toContain('Probe again reran the live steps (listening, probe)');
    const againButtons = buttonsOf(again);
    expect(Object.keys(againButtons)).toEqual(['netpeek_reprobe']);
    // The audit record is written once the reply is out: wait for it rather than race it.
    await until(() => h.audit.recent(1)[0]?.source === 'button');
    expect(h.audit.recent(1)[0]).toMatchObject({ source: 'button', command: 'why', outcome: 'ok' });

    await docker('exec', '-d', db, 'sh', '-c', 'httpd -f -p 8080 & echo $! > /tmp/httpd.pid; wait');
    await untilListening(db, 8080);
    await h.click({ actionId: 'netpeek_reprobe', value: againButtons.netpeek_reprobe!, messageTs: String(first.ts) });
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 3, 20_000);
    const healed = messageText(h.api.okCallsTo('chat.update')[2]!.args);
    expect(healed).toContain('No broken step found: 3 of 5 checks pass (not checked: resolve, policy)');
    expect(healed).toMatch(/✓ listening: \S+ listens on (0\.0\.0\.0|::):8080 \(every address\)/);
    expect(healed).toContain(`✓ probe: TCP ${dbIp}:8080 from the Docker host`);
    // One hint saying what ran again, not one per click.
    expect(healed.match(/Probe again reran/g)).toHaveLength(1);
  });

  it('a button whose answer netpeek no longer holds is refused, and nothing is probed', async () => {
    h.api.reset();
    const token = signButtonToken({ c: 'reprobe', k: 'container', n: db, ch: CHANNEL, exp: 9_999_999_999, r: 'notheld0123456' }, deriveButtonKey(SIGNING_SECRET));
    const { responseUrl } = await h.click({ actionId: 'netpeek_reprobe', value: token });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain('netpeek no longer holds the answer under this button');
    expect(h.api.okCallsTo('chat.update')).toHaveLength(0);
    await until(() => h.audit.recent(1)[0]?.reason === 'button_rerun_gone');
    expect(h.audit.recent(1)[0]).toMatchObject({ source: 'button', outcome: 'refused', reason: 'button_rerun_gone' });
  });
});
