import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, kubeDeps, question, until } from '../kube/helpers.js';

/**
 * The Kubernetes API server goes away under a running netpeek (the Deps a bot holds: watch caches with
 * the default backoff) and comes back: while the cache is fresh it answers from it, once it is stale the
 * answer names the outage, and after the restart answers and the watch recover without restarting
 * netpeek. The recovery times are printed.
 */

const STALE_AFTER_MS = 1500;
const OUTAGE_MS = 4000;
const ANSWER_BOUND_MS = 5000;
/** The default backoff doubles from 250 ms; after a 4 s outage the next retry is at most ~4 s away. */
const WATCH_BOUND_MS = 10_000;

describe('fault: the Kubernetes API server goes away and comes back', () => {
  let api: KubeApiServer;
  let deps: ReturnType<typeof kubeDeps>;

  beforeAll(async () => {
    api = await startKubeApiServer({ objects: [node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }), pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' })] });
    deps = kubeDeps(api.kubeconfigPath, { cache: { staleAfterMs: STALE_AFTER_MS } });
    expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
  });

  afterAll(async () => {
    await deps?.kube.stop();
    await api?.stop();
  });

  it(`answers from the cache, then names the outage, then recovers: answers within ${ANSWER_BOUND_MS / 1000} s, the watch within ${WATCH_BOUND_MS / 1000} s`, async () => {
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
    const pods = () => deps.kube.cluster().cacheStates().find((s) => s.resource === 'pods')!;

    await api.stop();
    const down = Date.now();
    // Fresh enough: the cache still answers right after the server went away.
    expect((await question(deps, 'pod web-1')).addresses[0]!.ip).toBe('10.244.1.10');
    await until(() => !pods().current, STALE_AFTER_MS + 2000, 'the cache to go stale');
    const err = await failure(deps, 'pod web-1');
    expect(err).toMatchObject({ code: 'backend_unavailable' });
    expect((err as Error).message).toBe(`The Kubernetes API server at ${api.url} (context netpeek-test) did not answer: connection refused.`);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));

    await api.restart();
    const up = Date.now();
    let answered: number | undefined;
    while (Date.now() - up < ANSWER_BOUND_MS) {
      try {
        if ((await question(deps, 'pod web-1')).addresses[0]?.ip === '10.244.1.10') {
          answered = Date.now() - up;
          break;
        }
      } catch {
        // still down for this reader: try again
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => pods().current && pods().watching, WATCH_BOUND_MS, 'the pods watch to resume');
    const watching = Date.now() - up;
    api.add(pod('web-2', { ip: '10.244.1.11', nodeName: 'node-1' }));
    await until(async () => (await deps.kube.cluster().pod('default', 'web-2')) !== undefined, 5000, 'web-2 through the resumed watch');
    process.stdout.write(`[fault] kubernetes API back after a ${OUTAGE_MS} ms outage: answers again after ${String(answered)} ms, watch current again after ${watching} ms\n`);
    expect(answered).toBeDefined();
    expect(answered!).toBeLessThanOrEqual(ANSWER_BOUND_MS);
    expect((await question(deps, 'pod web-2')).addresses[0]!.ip).toBe('10.244.1.11');
  }, 60_000);
});
