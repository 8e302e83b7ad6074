/**
 * Issue 10: for up to a minute after the Kubernetes API server went away, answers came silently from
 * the watch cache. Now an answer built from a cache whose watch is down says so — in the terminal's
 * text, in --json, and in the Block Kit the Slack pipeline posts — and stops saying it once the watch
 * is back. The API server is the test API server; "going away" is stopping it (connection refused).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnce } from '../../../src/cli/one-shot.js';
import type { Answer } from '../../../src/core/answer.js';
import { createLogger } from '../../../src/log.js';
import { SqliteAuditLog } from '../../../src/store/sqlite-audit.js';
import { answerMessage } from '../../../src/slack/messages.js';
import { createPipeline } from '../../../src/slack/pipeline.js';
import { loadSlackConfig } from '../../../src/slack/slack-config.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { kubeDeps, registry, until } from './helpers.js';

const NOTICE = /^Cache of cluster netpeek-test not updated for (\d+) s: the API server is not answering, so this answer may be out of date\.$/;

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
  const code = await runOnce(argv, registry, deps, { stdout: sink as unknown as NodeJS.WriteStream, stderr: sink as unknown as NodeJS.WriteStream, color: false });
  return { code, out };
}

async function slackAnswer(text: string): Promise<Answer> {
  const log = createLogger('silent');
  const audit = new SqliteAuditLog(':memory:', log);
  const pipeline = createPipeline({ registry, deps, policy: loadSlackConfig({}).access, audit });
  const asker = { requestId: 'r1', source: 'slash' as const, user: 'U0ALICE001', channel: 'C0NETPEEK1', isDm: false, log, startedMs: Date.now() };
  const ready = pipeline.prepare(asker, { text });
  if (!ready.ok) throw new Error(ready.message);
  const ran = await pipeline.run(asker, ready);
  audit.close();
  if (!ran.ok) throw new Error(ran.message);
  return ran.answer;
}

const podsWatched = () => api.activeWatches().some((w) => w.resource === 'pods');

beforeAll(async () => {
  api = await startKubeApiServer({ objects: [node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }), pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' })] });
  deps = kubeDeps(api.kubeconfigPath);
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
  await until(podsWatched, 5000, 'the pods watch');
});

afterAll(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('answers from a cache whose watch is down say so', () => {
  it('while the watch is live, nothing is said', async () => {
    const { code, out } = await cli('pod', 'web-1', '--json');
    expect(code).toBe(0);
    const answer = JSON.parse(out) as Answer;
    expect(answer.addresses[0]?.ip).toBe('10.244.1.10');
    expect(answer.stale).toBeUndefined();
    expect(answer.warnings.some((w) => NOTICE.test(w))).toBe(false);
  });

  it('after the API server went away: text, JSON and Block Kit all carry the notice, with the facts still shown', async () => {
    await api.stop();
    await new Promise((r) => setTimeout(r, 4000));

    const json = await cli('pod', 'web-1', '--json');
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.out) as Answer;
    expect(answer.addresses[0]?.ip).toBe('10.244.1.10');
    expect(answer.stale).toMatchObject({ source: 'cluster netpeek-test', reason: 'the API server is not answering' });
    expect(answer.stale!.secondsSinceUpdate).toBeGreaterThanOrEqual(3);
    expect(answer.stale!.secondsSinceUpdate).toBeLessThan(60);
    expect(answer.warnings[0]).toMatch(NOTICE);

    const text = await cli('pod', 'web-1');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/Cache of cluster netpeek-test not updated for \d+ s: the API server is not answering/);
    expect(text.out).toContain('10.244.1.10');

    const slack = answerMessage(await slackAnswer('pod web-1'));
    const blocksText = JSON.stringify(slack.blocks);
    expect(blocksText).toMatch(/Cache of cluster netpeek-test not updated for \d+ s: the API server is not answering/);
    expect(blocksText).toContain('10.244.1.10');
  }, 20_000);

  it('once the API server is back and the watch resumes, the notice goes away', async () => {
    await api.restart();
    await until(podsWatched, 15_000, 'the pods watch after the restart');
    await until(() => deps.kube.cluster().staleness() === undefined, 15_000, 'every cache watching again');
    const answer = JSON.parse((await cli('pod', 'web-1', '--json')).out) as Answer;
    expect(answer.stale).toBeUndefined();
    expect(answer.addresses[0]?.ip).toBe('10.244.1.10');
  }, 40_000);
});
