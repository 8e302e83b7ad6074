/**
 * The watch caches against a test API server that misbehaves: watches cut cleanly and abruptly, 410
 * Expired after compaction, 500s, a server restart (with and without its state). Answers must stay
 * correct, deleted objects must not be served after the resync, and request counts over a window show
 * that retries back off instead of spinning.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeCluster } from '../../../src/sources/kubernetes.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, kubeDeps, question, until } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;
let cluster: KubeCluster;

const podRequests = (verb: 'list' | 'watch', since = 0) => api.requests.filter((r) => r.resource === 'pods' && r.verb === verb && r.at >= since);
const podsState = () => cluster.cacheStates().find((s) => s.resource === 'pods')!;
const watchingPods = () => api.activeWatches().some((w) => w.resource === 'pods');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  api = await startKubeApiServer({
    objects: [node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }), pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' }), pod('web-2', { ip: '10.244.1.11', nodeName: 'node-1' })],
  });
  deps = kubeDeps(api.kubeconfigPath);
  cluster = deps.kube.cluster();
  expect(await cluster.waitForSync(10_000)).toBe(true);
  await until(watchingPods, 5000, 'the pods watch');
});

afterEach(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('the server ends the watch', () => {
  it.each([false, true])('resumes from the last resourceVersion without relisting (abrupt: %s)', async (abrupt) => {
    const rv = String(api.resourceVersion);
    api.dropAllWatches({ abrupt });
    await until(() => podRequests('watch').length === 2 && watchingPods(), 5000, 'the second watch');
    expect(podRequests('watch')[1]!.query.resourceVersion).toBe(rv);
    expect(podRequests('list')).toHaveLength(1);
    api.add(pod('web-3', { ip: '10.244.1.12', nodeName: 'node-1' }));
    await until(async () => (await cluster.pod('default', 'web-3')) !== undefined, 5000, 'web-3 in the cache');
    expect((await question(deps, 'pod web-3')).addresses[0]!.ip).toBe('10.244.1.12');
    expect(podsState()).toMatchObject({ synced: true, current: true, watching: true, failures: expect.any(Number) });
  });
});

describe('410 Expired', () => {
  it('relists after a watch from a compacted resourceVersion; a pod deleted meanwhile is not served after the resync', async () => {
    const lastSync = podsState().lastSyncAt!;
    api.dropAllWatches();
    api.remove({ kind: 'Pod', namespace: 'default', name: 'web-2' });
    api.compactHistory();
    await until(() => podRequests('list').length === 2 && podsState().lastSyncAt! > lastSync, 5000, 'the relist');
    expect(await cluster.pod('default', 'web-2')).toBeUndefined();
    expect(await failure(deps, 'pod web-2')).toMatchObject({ code: 'not_found' });
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
    await until(watchingPods, 5000, 'the watch after the relist');
  });

  it('a server that answers every watch with 410 gets relists at a backed-off pace', async () => {
    api.failNext(1000, { code: 410, asWatchEvent: true, match: { resource: 'pods', verb: 'watch' } });
    const since = Date.now();
    api.dropAllWatches();
    await sleep(3000);
    const lists = podRequests('list', since).length;
    const watches = podRequests('watch', since).length;
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(lists + watches).toBeLessThanOrEqual(14);
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
  });
});

describe('500 Internal Server Error', () => {
  it('watch failures back off exponentially, answers stay correct, and the cache recovers', async () => {
    api.failNext(1000, { code: 500, match: { resource: 'pods', verb: 'watch' } });
    const since = Date.now();
    api.dropAllWatches();
    await sleep(3000);
    const attempts = podRequests('watch', since);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(6);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
    expect(podsState()).toMatchObject({ watching: false, current: true });
    expect(podsState().failures).toBeGreaterThanOrEqual(2);
    expect(podsState().lastError).toBe(`The Kubernetes API server at ${api.url} (context netpeek-test) answered 500 to watch pods.`);
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
    api.clearFaults();
    await until(watchingPods, 10_000, 'the watch after the faults');
    api.add(pod('web-4', { ip: '10.244.1.14', nodeName: 'node-1' }));
    await until(async () => (await cluster.pod('default', 'web-4')) !== undefined, 5000, 'web-4 in the cache');
  });

  it('failing lists are retried with backoff while direct GETs answer', async () => {
    await deps.kube.stop();
    api.failNext(1000, { code: 500, match: { resource: 'pods', verb: 'list' } });
    const fresh = kubeDeps(api.kubeconfigPath);
    try {
      const since = Date.now();
      const a = await question(fresh, 'pod web-1 -n default');
      expect(a.addresses[0]!.ip).toBe('10.244.1.10');
      await sleep(2500);
      const lists = podRequests('list', since).length;
      expect(lists).toBeGreaterThanOrEqual(2);
      expect(lists).toBeLessThanOrEqual(6);
      const state = fresh.kube.cluster().cacheStates().find((s) => s.resource === 'pods')!;
      expect(state).toMatchObject({ synced: false, current: false });
      expect(state.lastError).toMatch(/answered 500 InternalError to list pods/);
      api.clearFaults();
      expect(await fresh.kube.cluster().waitForSync(10_000)).toBe(true);
    } finally {
      await fresh.kube.stop();
    }
  });
});

describe('the API server restarts', () => {
  it('with its state: the watch reconnects and continues', async () => {
    await api.restart();
    await until(watchingPods, 10_000, 'the watch after the restart');
    api.add(pod('web-5', { ip: '10.244.1.15', nodeName: 'node-1' }));
    await until(async () => (await cluster.pod('default', 'web-5')) !== undefined, 5000, 'web-5 in the cache');
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
  });

  it('without its state: the cache relists and forgets what is gone', async () => {
    const lists = podRequests('list').length;
    await api.restart({ clearState: true });
    api.add(node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }), pod('fresh-1', { ip: '10.244.1.20', nodeName: 'node-1' }));
    await until(() => podRequests('list').length > lists && watchingPods(), 10_000, 'the relist after the restart');
    await until(async () => (await cluster.pod('default', 'fresh-1')) !== undefined, 5000, 'fresh-1 in the cache');
    expect(await cluster.pod('default', 'web-1')).toBeUndefined();
    expect(await failure(deps, 'pod web-1')).toMatchObject({ code: 'not_found' });
    expect((await question(deps, 'pod fresh-1')).addresses[0]!.ip).toBe('10.244.1.20');
  });
});

describe('nothing spins when the server is gone', () => {
  it('connection refused: a handful of attempts over a window, and the cache stops serving after staleAfterMs', async () => {
    await deps.kube.stop();
    const short = kubeDeps(api.kubeconfigPath, { cache: { staleAfterMs: 1500 } });
    const c = short.kube.cluster();
    try {
      expect(await c.waitForSync(10_000)).toBe(true);
      await api.stop();
      const since = Date.now();
      await sleep(3000);
      // the server is gone, so count attempts from the cache's own state instead of the request log
      const state = c.cacheStates().find((s) => s.resource === 'pods')!;
      expect(state.failures).toBeGreaterThanOrEqual(2);
      expect(state.failures).toBeLessThanOrEqual(6);
      expect(state.current).toBe(false);
      expect(state.lastError).toMatch(/did not answer: connection refused/);
      expect(podRequests('watch', since)).toHaveLength(0);
      const err = await failure(short, 'pod web-1');
      expect(err).toMatchObject({ code: 'backend_unavailable' });
      expect((err as Error).message).toBe(`The Kubernetes API server at ${api.url} (context netpeek-test) did not answer: connection refused.`);
    } finally {
      await short.kube.stop();
      await api.restart();
    }
  });
});
