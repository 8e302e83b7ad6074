import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps, type Deps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { BotMetrics } from '../../../src/slack/bot-metrics.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { histogramBuckets, sample, scrape } from '../../support/prometheus-text.js';
import { type Harness, startHarness } from '../../support/slack/bot-harness.js';
import { appMention, CHANNEL, USER } from '../../support/slack/payloads.js';

// Fixture addresses of the test API server: evaluated, never probed.
const POD_IP = '10.244.1.7';

/**
 * GET /metrics on the real bot (Bolt's HTTP receiver, real WebClient against the fake Slack Web API,
 * real watch caches on the test API server), scraped over HTTP and parsed by an independent
 * Prometheus text-format parser.
 */
describe('bot /metrics: questions, latency, caches, Slack API errors', () => {
  let api: KubeApiServer;
  let deps: Deps;
  let h: Harness;
  let metrics: BotMetrics;

  beforeAll(async () => {
    api = await startKubeApiServer({
      namespaces: ['default', 'shop'],
      objects: [
        node('node-a', { internalIP: '10.0.0.11', podCIDR: '10.244.1.0/24' }),
        pod('webserver-2', { namespace: 'shop', ip: POD_IP, hostIP: '10.0.0.11', nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] }),
      ],
    });
    deps = buildDeps(loadConfig({ KUBECONFIG: api.kubeconfigPath }), createLogger('silent'));
    metrics = new BotMetrics({ commands: COMMANDS.map((c) => c.name), kubeStates: () => deps.kube!.states() });
    h = await startHarness({ commands: COMMANDS, deps, metrics });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await deps?.kube?.stop();
    await api?.stop();
  });

  it('counts a question by command, outcome and source, with its latency, and nothing unbounded in the labels', async () => {
    const { responseUrl } = await h.slash('pod webserver-2 -n shop');
    await h.responses.waitFor(() => h.responses.postsTo(responseUrl).length === 1);
    const bad = await h.slash('frobnicate webserver-2');
    await h.responses.waitFor(() => h.responses.postsTo(bad.responseUrl).length === 1);

    const { contentType, text, families } = await scrape(`${h.base}/metrics`);
    expect(contentType).toContain('text/plain');
    expect(sample(families, 'netpeek_questions_total', { command: 'pod', outcome: 'ok', source: 'slash' })?.value).toBe('1');
    // An unknown command is one series, whatever was typed.
    expect(sample(families, 'netpeek_questions_total', { command: 'unknown', outcome: 'user_error', source: 'slash' })?.value).toBe('1');
    expect(families.get('netpeek_answer_duration_seconds')?.type).toBe('HISTOGRAM');
    const latency = histogramBuckets(text, 'netpeek_answer_duration_seconds', { command: 'pod' });
    expect(latency?.['+Inf']).toBe('1');
    expect(latency?.['30']).toBe('1');
    for (const unbounded of ['webserver-2', 'frobnicate', POD_IP, USER, CHANNEL]) expect(text).not.toContain(unbounded);
  });

  it('reports each watch cache of the context as synced, with its object count and restarts', async () => {
    deps.kube!.start();
    await h.api.waitFor(() => deps.kube!.states().some((c) => c.caches.length > 0 && c.caches.every((x) => x.synced)), 20_000);
    const { families } = await scrape(`${h.base}/metrics`);
    const context = deps.kube!.defaultContext();
    expect(sample(families, 'netpeek_kube_cache_synced', { context, resource: 'pods' })?.value).toBe('1');
    expect(sample(families, 'netpeek_kube_cache_objects', { context, resource: 'pods' })?.value).toBe('1');
    expect(sample(families, 'netpeek_kube_cache_objects', { context, resource: 'nodes' })?.value).toBe('1');
    expect(sample(families, 'netpeek_kube_watch_restarts_total', { context, resource: 'pods' })?.value).toBe('0');
    expect(families.get('netpeek_kube_watch_restarts_total')?.type).toBe('COUNTER');
  });

  it('counts a failed Slack Web API call by method, and the question it left undelivered', async () => {
    h.api.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    await h.event(appMention('pod webserver-2 -n shop'));
    await h.api.waitFor(() => h.api.callsTo('chat.postMessage').length >= 1);
    await h.api.waitFor(() => h.logs.some((l) => l.msg === 'slack delivery failed; the reply was not delivered'));
    const { families } = await scrape(`${h.base}/metrics`);
    expect(sample(families, 'netpeek_slack_api_errors_total', { method: 'chat.postMessage', kind: 'platform' })?.value).toBe('1');
    // auth.test at start succeeded: no error series for it.
    expect(sample(families, 'netpeek_slack_api_errors_total', { method: 'auth.test' })).toBeUndefined();
    await vi.waitFor(async () => {
      const after = await scrape(`${h.base}/metrics`);
      expect(sample(after.families, 'netpeek_questions_total', { command: 'pod', outcome: 'undelivered', source: 'mention' })?.value).toBe('1');
    }, { timeout: 10_000, interval: 100 });
  });

  it('keeps the standard process_* and nodejs_* names a stock Node.js dashboard looks for', async () => {
    const { families } = await scrape(`${h.base}/metrics`);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(families.has(name), name).toBe(true);
    }
    expect([...families.keys()].filter((n) => /^netpeek_(process|nodejs)_/.test(n))).toEqual([]);
  });
});
