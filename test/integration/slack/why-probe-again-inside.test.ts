/**
 * "Probe again" under a Docker why answer asked from inside the client container (the workload vantage
 * on): the click asks the destination's name again from inside the client, through its own resolver
 * (Docker's DNS), not just the probe. The client starts on another network than the server, so the name
 * does not resolve; the test connects it to the server's network and clicks: resolve now passes, the
 * probe from inside connects, and the route step — not live — is still the first answer's.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding, DOCKER, ICMP, NETNS } from '../../support/backends.js';
import { BUSYBOX_IMAGE, DockerFixtures, docker, ensureBusyboxImages, untilListening } from '../../support/docker-fixtures.js';
import { buttonsOf, messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, slackTs } from '../../support/slack/payloads.js';

describeNeeding([...DOCKER, ...ICMP, ...NETNS], 'why in Slack from inside a container: "Probe again" asks the name again from inside it', () => {
  const fx = new DockerFixtures();
  let net = { name: '', subnet: '' };
  let other = { name: '', subnet: '' };
  let db = '';
  let loner = '';
  let h: Harness;

  beforeAll(async () => {
    await ensureBusyboxImages();
    [net, other] = await Promise.all([fx.createNetwork('why-in'), fx.createNetwork('why-in-other')]);
    db = await fx.runContainer('db', ['--network', net.name], BUSYBOX_IMAGE, ['httpd', '-f', '-p', '8080']);
    // --dns: an unassigned address in the test's own subnet, so a name Docker's DNS does not know is never forwarded off this machine.
    loner = await fx.runContainer('loner', ['--network', other.name, '--dns', other.subnet.replace(/\.0\/24$/, '.250')], BUSYBOX_IMAGE, ['sleep', '600']);
    await untilListening(db, 8080);
    const deps = buildDeps(loadConfig({ KUBECONFIG: '/nonexistent/kubeconfig', NETPEEK_WORKLOAD_VANTAGE: 'true' }), createLogger('silent'));
    h = await startHarness({ commands: COMMANDS, deps, env: { NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL } });
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await fx.cleanup();
  }, 60_000);

  it('broken at resolve; after docker network connect, the click resolves from inside again and the first failure moves to route', async () => {
    await h.event(appMention(`<@U0BOT> why ${loner} ${db} --port 8080`, { ts: slackTs() }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 1, 20_000);
    const first = h.api.okCallsTo('chat.update')[0]!.args;
    const firstText = messageText(first);
    expect(firstText).toContain(`Broken at resolve: ${db} does not resolve from inside ${loner}`);
    expect(firstText).toContain(`Connect ${loner} to network ${net.name}: docker network connect ${net.name} ${loner}.`);
    const button = buttonsOf(first).netpeek_reprobe;
    expect(button).toBeDefined();

    await docker('network', 'connect', net.name, loner);
    await h.click({ actionId: 'netpeek_reprobe', value: button!, messageTs: String(first.ts) });
    await h.api.waitFor(() => h.api.okCallsTo('chat.update').length === 2, 20_000);
    const text = messageText(h.api.okCallsTo('chat.update')[1]!.args);
    // resolve ran again, from inside loner: Docker's DNS now knows db on the network they share.
    expect(text).toMatch(new RegExp(`✓ resolve: ${db} resolves from inside ${loner}`));
    expect(text).toMatch(new RegExp(`✓ probe: TCP \\S+:8080 from inside ${loner}`));
    // The route step is not live: it is still the first answer's, and now the first failure.
    expect(text).toContain('Broken at route');
    expect(text).toContain('Probe again reran the live steps (resolve, listening, probe)');
  });
});
