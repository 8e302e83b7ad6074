/**
 * `@netpeek policy map -n shop` in a thread: the answer in words, then the map as a PNG uploaded with
 * files.uploadV2 into the same thread (getUploadURLExternal → bytes → completeUploadExternal on the fake
 * Slack Web API). The real `policy` command runs against the test API server.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { createKubeSource, type KubeSource } from '../../../src/sources/kubernetes.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { messageText } from '../../support/slack/block-kit.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, slackTs } from '../../support/slack/payloads.js';
import { SHOP } from '../kube/policy-fixtures.js';

describe('policy map in Slack', () => {
  let api: KubeApiServer;
  let kube: KubeSource;
  let h: Harness;
  beforeAll(async () => {
    api = await startKubeApiServer({ objects: SHOP });
    kube = createKubeSource(loadConfig({ KUBECONFIG: api.kubeconfigPath }).kube, undefined, { env: {} });
    expect(await kube.cluster().waitForSync(10_000)).toBe(true);
    h = await startHarness({ commands: COMMANDS, kube });
  });
  afterAll(async () => {
    await h?.close();
    await kube?.stop();
    await api?.stop();
  });

  it('answers in the thread, then uploads the PNG of the map into that thread', async () => {
    const ts = slackTs();
    await h.event(appMention('policy map -n shop', { ts }));
    await h.api.waitFor(() => h.api.files.length === 1, 20_000);
    const answer = h.api.messages.find((m) => m.thread_ts === ts)!;
    expect(messageText(answer)).toContain('3 workloads in namespace shop; NetworkPolicies allow 1 of the 6 connections between them');
    expect(messageText(answer)).toMatch(/api\s+db\s+TCP 5432/);
    const file = h.api.files[0]!;
    expect(file).toMatchObject({ filename: 'policy-map-shop.png', title: 'policy-map-shop', channel_id: CHANNEL, thread_ts: ts, alt_text: 'Graph of 1 allowed connections between 3 workloads' });
    const img = PNG.sync.read(file.bytes);
    expect(img.width).toBeGreaterThan(100);
    expect(img.height).toBeGreaterThan(50);
    expect(h.api.okCallsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(h.api.okCallsTo('files.completeUploadExternal')).toHaveLength(1);
  }, 30_000);

  it('a slash command is private: no picture unless --public, then into the channel', async () => {
    const { responseUrl } = await h.slash('policy map -n shop');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    expect(messageText(h.responses.postsTo(responseUrl)[0]!.body)).toContain('policy map shop');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.api.files).toHaveLength(1);
    const pub = await h.slash('policy map -n shop --public');
    await h.responses.waitFor(() => h.responses.postsTo(pub.responseUrl).length === 1);
    await h.api.waitFor(() => h.api.files.length === 2, 20_000);
    expect(h.api.files[1]).toMatchObject({ filename: 'policy-map-shop.png', channel_id: CHANNEL });
    expect(h.api.files[1]).not.toHaveProperty('thread_ts');
  }, 30_000);
});
