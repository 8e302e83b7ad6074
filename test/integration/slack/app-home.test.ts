import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { HOME_RUN_REPORT_ACTION } from '../../../src/render/home-view.js';
import { messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { FAKE_BOT } from '../../support/slack/fake-slack-api.js';
import { CHANNEL, DM_CHANNEL, OTHER_USER, USER } from '../../support/slack/payloads.js';
import { formBody, postSigned } from '../../support/slack/sign.js';
import { SIGNING_SECRET } from '../../support/slack/bot-harness.js';

interface HomeBlock {
  type: string;
  text?: { text: string };
  elements?: { text: string }[];
  accessory?: { type: string; action_id: string; value: string; text: { text: string } };
}
interface PublishedView {
  type: string;
  private_metadata: string;
  blocks: HomeBlock[];
}

// One report whose only target is on loopback: running it sends nothing beyond this machine.
const REPORTS = `reports:
  - name: nightly
    schedule: "0 3 * * *"
    timezone: UTC
    channel: ${CHANNEL}
    targets:
      - address: 127.0.0.1:9
        from: docker-host
`;

const viewText = (v: PublishedView): string => v.blocks.map((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)].join('\n')).join('\n');

/**
 * The App Home tab through the real Bolt HTTP receiver: a signed app_home_opened event makes the bot
 * ask `status` and `report` as the viewer and publish the view; a signed block_actions click on
 * "Run now" runs `report <name>` with the slash command's authorization and answers in the DM.
 */
describe('App Home: backends, reports, Run now', () => {
  let dir: string;
  const harnesses: Harness[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netpeek-home-'));
    writeFileSync(join(dir, 'reports.yaml'), REPORTS);
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string> = {}) => {
    const deps = buildDeps(loadConfig({ NETPEEK_REPORTS_FILE: join(dir, 'reports.yaml'), NETPEEK_REPORTS_DB: join(dir, 'reports.db'), NETPEEK_SLACK_ALLOWED_CHANNELS: CHANNEL }), createLogger('silent'));
    const h = await startHarness({ commands: COMMANDS, deps, env: { NETPEEK_SLACK_ALLOWED_CHANNELS: CHANNEL, ...env } });
    harnesses.push(h);
    return h;
  };
  const openHome = async (h: Harness, user = USER) => {
    const before = h.api.okCallsTo('views.publish').length;
    const res = await h.event({ type: 'app_home_opened', user, channel: DM_CHANNEL, tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000100` });
    expect(res.status).toBe(200);
    await h.api.waitFor(() => h.api.okCallsTo('views.publish').length === before + 1, 20_000);
    const call = h.api.okCallsTo('views.publish').at(-1)!;
    return { userId: call.args.user_id, view: call.args.view as PublishedView };
  };
  const clickRunNow = (h: Harness, value: string, user = USER) => {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: 'alice', team_id: FAKE_BOT.teamId },
      api_app_id: 'A0NETPEEK1',
      token: 'verification-token-unused',
      container: { type: 'view', view_id: 'V00000001' },
      trigger_id: `${Date.now()}.3333.home${Math.random().toString(36).slice(2, 8)}`,
      team: { id: FAKE_BOT.teamId, domain: 'netpeek-test' },
      view: { id: 'V00000001', type: 'home', private_metadata: DM_CHANNEL },
      actions: [{ action_id: HOME_RUN_REPORT_ACTION, block_id: 'r1', text: { type: 'plain_text', text: 'Run now' }, value, type: 'button', action_ts: `${Date.now() / 1000}` }],
    };
    return postSigned(h.eventsUrl, SIGNING_SECRET, formBody({ payload: JSON.stringify(payload) }), 'form');
  };

  it('opening the Home tab publishes the backends (as status says) and each report with its next run and a Run now button', async () => {
    const h = await start();
    const { userId, view } = await openHome(h);
    expect(userId).toBe(USER);
    expect(view.type).toBe('home');
    expect(view.private_metadata).toBe(DM_CHANNEL);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = viewText(view);
    expect(text).toContain('Backends');
    expect(text).toMatch(/\*Docker\* — (answers|does not answer)/);
    expect(text).toContain('*nightly*');
    expect(text).toContain('0 3 * * * (UTC)');
    expect(text).toMatch(/Next run: \S+/);
    const buttons = view.blocks.filter((b) => b.accessory).map((b) => b.accessory!);
    expect(buttons).toEqual([expect.objectContaining({ type: 'button', action_id: HOME_RUN_REPORT_ACTION, value: 'nightly', text: expect.objectContaining({ text: 'Run now' }) })]);
    // Audited like the questions they are.
    const audited = h.audit.recent(10).filter((r) => r.source === 'home');
    expect(audited.map((r) => [r.command, r.outcome]).sort()).toEqual([['report', 'ok'], ['status', 'ok']]);
  }, 60_000);

  it('Run now runs the report as the viewer and answers in the DM, then refreshes the tab', async () => {
    const h = await start();
    await openHome(h);
    const before = h.api.okCallsTo('views.publish').length;
    expect((await clickRunNow(h, 'nightly')).status).toBe(200);
    await h.api.waitFor(() => h.api.okCallsTo('views.publish').length === before + 1, 30_000);
    const dm = [...h.api.okCallsTo('chat.postMessage'), ...h.api.okCallsTo('chat.update')].filter((c) => c.args.channel === DM_CHANNEL);
    expect(dm.length).toBeGreaterThanOrEqual(1);
    const answer = messageText(dm.at(-1)!.args);
    expect(answer).toContain('report nightly');
    expect(answer).toContain('127.0.0.1:9');
    expect(viewText(h.api.okCallsTo('views.publish').at(-1)!.args.view as PublishedView)).toContain('Ran report *nightly*');
    expect(h.audit.recent(20).some((r) => r.source === 'home' && r.command === 'report' && r.target === 'nightly' && r.outcome === 'ok')).toBe(true);
  }, 60_000);

  it('where probes are not allowed in DMs, the tab says so for reports and Run now is refused without running', async () => {
    const h = await start({ NETPEEK_SLACK_PROBE_CHANNELS: CHANNEL });
    const { view } = await openHome(h);
    expect(viewText(view)).toContain('not allowed in direct messages');
    expect(view.blocks.some((b) => b.accessory)).toBe(false);
    const posted = h.api.okCallsTo('chat.postMessage').length;
    await clickRunNow(h, 'nightly');
    await h.api.waitFor(() => h.api.okCallsTo('chat.postMessage').length === posted + 1, 20_000);
    expect(messageText(h.api.okCallsTo('chat.postMessage').at(-1)!.args)).toContain('not allowed in direct messages');
    expect(h.audit.recent(20).some((r) => r.source === 'home' && r.command === 'report' && r.target === 'nightly' && r.outcome === 'refused')).toBe(true);
  }, 60_000);

  it('a user outside NETPEEK_SLACK_ALLOWED_USERS sees why, and nothing else', async () => {
    const h = await start({ NETPEEK_SLACK_ALLOWED_USERS: USER });
    const { view } = await openHome(h, OTHER_USER);
    const text = viewText(view);
    expect(text).not.toContain('*Docker*');
    expect(text).not.toContain('*nightly*');
    expect(text).toContain(`You (${OTHER_USER}) are not on netpeek's list of allowed users`);
  }, 60_000);
});
