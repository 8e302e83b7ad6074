import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { newAnswer } from '../../../src/core/answer.js';
import { sendsPackets } from '../../../src/core/command.js';
import { parseQuery } from '../../../src/core/query.js';
import type { NetpeekCommand } from '../../../src/deps.js';
import { messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { fakeCommands } from '../../support/slack/fake-commands.js';
import { appMention, CHANNEL, USER } from '../../support/slack/payloads.js';

/**
 * The probe allow-lists come from what a command declares (`sendsPackets`), not from a list kept in the
 * Slack adapter: a command that exists only in this test's registry is refused where probes are not
 * allowed, with no edit anywhere else.
 */
const PROBE_CHANNEL = 'C0PROBES01';
const REFUSED = `Probes (ping, reach, --probe, "Probe now") are not allowed in this channel (${CHANNEL}); lookups are.`;

describe('a command added only to a test registry, marked as sending packets', () => {
  const ran: string[][] = [];
  const trace: NetpeekCommand = {
    name: 'trace',
    summary: 'Test-only: sends packets',
    args: [{ name: '<target>', required: true }],
    flags: [],
    examples: ['trace webserver-2'],
    subject: { role: 'about', kind: 'ip' },
    sendsPackets: 'always',
    probeKinds: ['icmp'],
    async run(query) {
      ran.push(query.args);
      return newAnswer('trace', `trace ${query.args[0]}`, { summary: 'traced' });
    },
  };
  let h: Harness;
  beforeAll(async () => {
    const fake = fakeCommands();
    h = await startHarness({ fake, commands: [...fake.commands, trace], env: { NETPEEK_SLACK_PROBE_CHANNELS: PROBE_CHANNEL } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    ran.length = 0;
    h.api.reset();
  });

  it('is refused in a channel that may not probe, and does not run', async () => {
    const { responseUrl } = await h.slash('trace webserver-2');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain(REFUSED);
    expect(ran).toEqual([]);
  });

  it('is refused when asked in a mention too', async () => {
    await h.event(appMention('<@U0BOT> trace webserver-2', { ts: '1700000300.000100' }));
    await h.api.waitFor(() => h.api.okCallsTo('chat.postEphemeral').length === 1);
    const eph = h.api.okCallsTo('chat.postEphemeral')[0]!.args;
    expect(eph).toMatchObject({ channel: CHANNEL, user: USER });
    expect(messageText(eph)).toContain(REFUSED);
    expect(h.api.okCallsTo('chat.postMessage')).toHaveLength(0);
    expect(ran).toEqual([]);
  });

  it('runs in a probe channel', async () => {
    const { responseUrl } = await h.slash('trace webserver-2', { channel_id: PROBE_CHANNEL });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 2);
    expect(messageText(h.responses.postsTo(responseUrl)[1]!.body)).toContain('traced');
    expect(ran).toEqual([['webserver-2']]);
  });
});

describe('every packet-sending command of netpeek', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ commands: COMMANDS, env: { NETPEEK_SLACK_PROBE_CHANNELS: PROBE_CHANNEL } });
  });
  afterAll(async () => {
    await h.close();
  });

  // Each command's own example, with --probe where it sends packets only when asked to.
  const probing = COMMANDS.filter((c) => c.sendsPackets !== 'never').map((c) => ({ name: c.name, text: `${c.examples[0]}${c.sendsPackets === 'with --probe' ? ' --probe' : ''}` }));

  it('includes ping, reach, report and the --probe lookups', () => {
    expect(probing.map((p) => p.name)).toEqual(expect.arrayContaining(['ping', 'reach', 'report', 'container', 'pod']));
    for (const p of probing) expect(sendsPackets(COMMANDS.find((c) => c.name === p.name)!, parseQuery(p.text))).toBe(true);
  });

  it('reach --no-probe sends nothing, so it is not refused where probes are not allowed', async () => {
    const { responseUrl } = await h.slash('reach web/web-1 shop/db-0 --port 5432 --no-probe', { user_id: USER });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const text = messageText(h.responses.postsTo(responseUrl)[0]!.body);
    expect(text).not.toContain(REFUSED);
    // This harness has no cluster: the answer is about that, not about probing.
    expect(text).toContain('no Kubernetes cluster');
  });

  it.each(probing)('$name is refused where probes are not allowed ($text)', async ({ text }) => {
    const { responseUrl } = await h.slash(text, { user_id: USER });
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const body = h.responses.postsTo(responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(messageText(body)).toContain(REFUSED);
  });
});
