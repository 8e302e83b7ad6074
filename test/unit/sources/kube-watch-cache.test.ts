/**
 * The reflector loop with a scripted watch client: relist on 410, backoff growth without a tight loop,
 * deletes, indexes, and the staleness bound. (Against the real server see test/integration/kube/watch.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import type { CacheResource, ListPage, WatchClient } from '../../../src/sources/kube-watch-cache.js';
import { WatchCache } from '../../../src/sources/kube-watch-cache.js';

type Obj = { name: string; ns: string; rv: string };
const raw = (name: string, rv: string, ns = 'default') => ({ metadata: { name, namespace: ns, resourceVersion: rv } });

function resource(pages: () => ListPage): CacheResource<Obj> & { lists: number } {
  const r = {
    lists: 0,
    resource: 'things',
    watchPath: '/api/v1/things',
    listPage: async () => {
      r.lists++;
      return pages();
    },
    convert: (x: unknown) => {
      const m = (x as { metadata: { name: string; namespace: string; resourceVersion: string } }).metadata;
      return { name: m.name, ns: m.namespace, rv: m.resourceVersion };
    },
    key: (o: Obj) => `${o.ns}/${o.name}`,
    indexes: { name: (o: Obj) => [o.name] },
  };
  return r;
}

type Script = (call: number, emit: (type: string, obj: unknown) => void, done: (err: unknown) => void) => void;

function scripted(script: Script): WatchClient & { calls: { at: number; rv: unknown }[] } {
  const calls: { at: number; rv: unknown }[] = [];
  return {
    calls,
    async watch(_path, query, cb, done) {
      calls.push({ at: Date.now(), rv: query.resourceVersion });
      // Like client-node: a refused or non-200 watch calls done before watch() returns.
      script(calls.length, cb, done);
      return { abort: () => done(new Error('aborted')) };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WatchCache', () => {
  it('lists, applies events, keeps indexes, and resumes from the last resourceVersion', async () => {
    const r = resource(() => ({ items: [raw('a', '5'), raw('b', '6')], resourceVersion: '10' }));
    const w = scripted((call, emit, done) => {
      if (call === 1) {
        emit('ADDED', raw('c', '11'));
        emit('DELETED', raw('a', '12'));
        emit('BOOKMARK', { metadata: { resourceVersion: '15' } });
        done(null);
      }
    });
    const cache = new WatchCache(r, { watch: w, initialBackoffMs: 5, healthyAfterMs: 0 });
    expect(await cache.waitForSync(1000)).toBe(true);
    await sleep(50);
    expect(cache.values().map((o) => o.name).sort()).toEqual(['b', 'c']);
    expect(cache.byIndex('name', 'c')).toEqual([{ name: 'c', ns: 'default', rv: '11' }]);
    expect(cache.byIndex('name', 'a')).toEqual([]);
    expect(w.calls.map((c) => c.rv)).toEqual(['10', '15']);
    expect(r.lists).toBe(1);
    await cache.stop();
  });

  it('relists after an ERROR 410 event, dropping what the new list no longer has', async () => {
    let listing = 0;
    const r = resource(() => (++listing === 1 ? { items: [raw('a', '5'), raw('gone', '6')], resourceVersion: '10' } : { items: [raw('a', '5')], resourceVersion: '20' }));
    const w = scripted((call, emit, done) => {
      if (call === 1) {
        emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 10 (15)' });
        done(null);
      }
    });
    const cache = new WatchCache(r, { watch: w, initialBackoffMs: 5 });
    await cache.waitForSync(1000);
    await sleep(100);
    expect(r.lists).toBe(2);
    expect(cache.get('default/gone')).toBeUndefined();
    expect(w.calls.map((c) => c.rv)).toEqual(['10', '20']);
    expect(cache.state()).toMatchObject({ synced: true, resourceVersion: '20', objects: 1 });
    await cache.stop();
  });

  it('backs off exponentially (capped) when every watch fails at once', async () => {
    const r = resource(() => ({ items: [], resourceVersion: '1' }));
    const w = scripted((_call, _emit, done) => done(Object.assign(new Error('Internal Server Error'), { statusCode: 500 })));
    // Fake clocks: the gaps are the cache's own choice, not the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const cache = new WatchCache(r, { watch: w, initialBackoffMs: 20, maxBackoffMs: 80, random: () => 1 });
    try {
      const synced = cache.waitForSync(1000);
      await vi.advanceTimersByTimeAsync(0);
      await synced;
      await vi.advanceTimersByTimeAsync(450);
      await cache.stop();
    } finally {
      vi.useRealTimers();
    }
    const gaps = w.calls.slice(1).map((c, i) => c.at - w.calls[i]!.at);
    // Doubling from 20 ms, capped at 80 ms, over 450 ms of (fake) time.
    expect(gaps).toEqual([20, 40, 80, 80, 80, 80]);
    expect(cache.state().failures).toBeGreaterThanOrEqual(4);
  });

  it('a watch that is accepted and dropped at once counts as a failure, so it cannot spin', async () => {
    const r = resource(() => ({ items: [], resourceVersion: '1' }));
    const w = scripted((_call, _emit, done) => done(null));
    const cache = new WatchCache(r, { watch: w, initialBackoffMs: 20, maxBackoffMs: 1000, healthyAfterMs: 1000 });
    await cache.waitForSync(1000);
    await sleep(300);
    await cache.stop();
    expect(w.calls.length).toBeLessThanOrEqual(6);
  });

  it('stops serving after staleAfterMs without a watch, and serves again once current', async () => {
    let fail = true;
    const r = resource(() => ({ items: [raw('a', '1')], resourceVersion: '1' }));
    const w = scripted((_call, _emit, done) => {
      if (fail) done(new Error('connect ECONNREFUSED'));
    });
    const cache = new WatchCache(r, { watch: w, initialBackoffMs: 10, maxBackoffMs: 20, staleAfterMs: 60 });
    await cache.waitForSync(1000);
    expect(cache.isCurrent()).toBe(true);
    await sleep(150);
    expect(cache.isCurrent()).toBe(false);
    expect(cache.state()).toMatchObject({ synced: true, current: false, watching: false, lastError: 'connect ECONNREFUSED' });
    fail = false;
    await sleep(60);
    expect(cache.isCurrent()).toBe(true);
    expect(cache.state().watching).toBe(true);
    await cache.stop();
  });
});
