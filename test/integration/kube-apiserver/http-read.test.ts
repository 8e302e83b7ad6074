/**
 * The test API server's read side, checked with plain fetch against what the real API server answers:
 * binding, discovery, selectors, chunked lists, resourceVersion rules, watch replay/410/bookmarks/selectors.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, namespace, node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { call, openWatch } from './helpers.js';

let api: KubeApiServer;

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      node('node-1', { internalIP: '192.0.2.11', podCIDR: '10.244.1.0/24' }),
      node('node-2', { internalIP: '192.0.2.12', podCIDR: '10.244.2.0/24', unschedulable: true }),
      pod('web-1', { ip: '10.244.1.5', nodeName: 'node-1', labels: { app: 'web', tier: 'front' } }),
      pod('web-2', { ip: '10.244.2.7', nodeName: 'node-2', labels: { app: 'web', tier: 'back' } }),
      pod('db-0', { namespace: 'shop', phase: 'Pending', labels: { app: 'db' } }),
      pod('agent-x', { hostNetwork: true, hostIP: '192.0.2.11', nodeName: 'node-1', labels: { app: 'agent' } }),
    ],
  });
});

afterAll(async () => {
  await api?.stop();
});

describe('binding and discovery', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(api.address?.address).toBe('127.0.0.1');
    expect(new URL(api.url).hostname).toBe('127.0.0.1');
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.2', port: api.port }, () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('serves legacy and aggregated discovery and /version', async () => {
    const legacy = await call(api, 'GET', '/api');
    expect(legacy.body.kind).toBe('APIVersions');
    const agg = await call(api, 'GET', '/apis', undefined, {
      Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(agg.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.body.items.map((g: { metadata: { name: string } }) => g.metadata.name)).toEqual(['networking.k8s.io', 'discovery.k8s.io', 'coordination.k8s.io']);
    const v1 = await call(api, 'GET', '/api/v1');
    const pods = v1.body.resources.find((r: { name: string }) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(v1.body.resources.some((r: { name: string }) => r.name === 'pods/status')).toBe(true);
    expect((await call(api, 'GET', '/version')).body.gitVersion).toMatch(/^v1\.32\./);
    expect((await call(api, 'GET', '/apis/coordination.k8s.io/v1')).body.resources[0].name).toBe('leases');
  });
});

describe('list', () => {
  const names = (b: { items: { metadata: { name: string } }[] }) => b.items.map((i) => i.metadata.name);

  it('lists all namespaces or one, in key order, items without kind', async () => {
    const all = await call(api, 'GET', '/api/v1/pods');
    expect(all.body.kind).toBe('PodList');
    expect(names(all.body)).toEqual(['agent-x', 'web-1', 'web-2', 'db-0']);
    expect(all.body.items[0].kind).toBeUndefined();
    expect(Number(all.body.metadata.resourceVersion)).toBe(api.resourceVersion);
    expect(names((await call(api, 'GET', '/api/v1/namespaces/shop/pods')).body)).toEqual(['db-0']);
  });

  it.each([
    ['app=web', ['web-1', 'web-2']],
    ['app==web,tier!=back', ['web-1']],
    ['app in (web, db)', ['web-1', 'web-2', 'db-0']],
    ['app notin (web)', ['agent-x', 'db-0']],
    ['tier', ['web-1', 'web-2']],
    ['!tier', ['agent-x', 'db-0']],
  ])('labelSelector %s', async (sel, expected) => {
    const res = await call(api, 'GET', `/api/v1/pods?labelSelector=${encodeURIComponent(sel)}`);
    expect(names(res.body)).toEqual(expected);
  });

  it.each([
    ['status.phase=Running', ['agent-x', 'web-1', 'web-2']],
    ['spec.nodeName=node-2', ['web-2']],
    ['status.podIP=10.244.1.5', ['web-1']],
    ['spec.hostNetwork=true', ['agent-x']],
    ['metadata.namespace!=default', ['db-0']],
    ['metadata.name=web-1,spec.nodeName=node-1', ['web-1']],
  ])('fieldSelector %s', async (sel, expected) => {
    const res = await call(api, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(sel)}`);
    expect(names(res.body)).toEqual(expected);
  });

  it('answers unsupported field labels with the real 400 Status', async () => {
    const res = await call(api, 'GET', '/api/v1/pods?fieldSelector=foo%3Dbar');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'field label not supported: foo', reason: 'BadRequest', code: 400,
    });
    const cm = await call(api, 'GET', '/api/v1/configmaps?fieldSelector=data.x%3Dy');
    expect(cm.body.message).toBe('"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect((await call(api, 'GET', '/api/v1/nodes?fieldSelector=spec.unschedulable%3Dtrue')).body.items[0].metadata.name).toBe('node-2');
    expect((await call(api, 'GET', '/api/v1/nodes?fieldSelector=metadata.namespace%3Dx')).body.message).toBe('field label not supported: metadata.namespace');
    expect((await call(api, 'GET', '/api/v1/pods?labelSelector=app%20in')).status).toBe(400);
  });

  it('pages with limit/continue over a consistent snapshot', async () => {
    const first = await call(api, 'GET', '/api/v1/pods?limit=2');
    expect(names(first.body)).toEqual(['agent-x', 'web-1']);
    expect(first.body.metadata.remainingItemCount).toBe(2);
    const rv = first.body.metadata.resourceVersion;
    api.add(pod('aaa-new', { ip: '10.244.1.9', nodeName: 'node-1' }));
    api.remove({ kind: 'Pod', namespace: 'shop', name: 'db-0' });
    const second = await call(api, 'GET', `/api/v1/pods?limit=2&continue=${first.body.metadata.continue}`);
    expect(names(second.body)).toEqual(['web-2', 'db-0']);
    expect(second.body.metadata.resourceVersion).toBe(rv);
    expect(second.body.metadata.continue).toBeUndefined();
    // A fresh list sees the changes; an Exact list at the old revision does not.
    expect(names((await call(api, 'GET', '/api/v1/pods')).body)).toContain('aaa-new');
    const exact = await call(api, 'GET', `/api/v1/pods?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect(names(exact.body)).toEqual(['agent-x', 'web-1', 'web-2', 'db-0']);
    api.remove({ kind: 'Pod', namespace: 'default', name: 'aaa-new' });
    api.add(pod('db-0', { namespace: 'shop', phase: 'Pending', labels: { app: 'db' } }));
  });

  it('expires continue tokens and old revisions after compaction', async () => {
    const first = await call(api, 'GET', '/api/v1/pods?limit=1');
    api.add(configMap('bump'));
    api.compactHistory();
    const next = await call(api, 'GET', `/api/v1/pods?limit=1&continue=${first.body.metadata.continue}`);
    expect(next.status).toBe(410);
    expect(next.body.reason).toBe('Expired');
    expect(next.body.message).toMatch(/^The provided continue parameter is too old/);
    const exact = await call(api, 'GET', `/api/v1/pods?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);
    const tooNew = await call(api, 'GET', `/api/v1/pods?resourceVersion=${api.resourceVersion + 100}`);
    expect(tooNew.status).toBe(504);
    api.remove(configMap('bump'));
  });

  it('serves Table and PartialObjectMetadataList when asked', async () => {
    const t = await call(api, 'GET', '/api/v1/pods?fieldSelector=metadata.name%3Dweb-1', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates',
    ]);
    expect(t.body.rows[0].cells).toEqual(['web-1', '1/1', 'Running', '0', expect.any(String), '10.244.1.5', 'node-1', '<none>', '<none>']);
    expect(t.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'web-1', namespace: 'default' } });
    const p = await call(api, 'GET', '/api/v1/nodes', undefined, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    expect(p.body.kind).toBe('PartialObjectMetadataList');
    expect((await call(api, 'GET', '/api/v1/pods', undefined, { Accept: 'application/vnd.kubernetes.protobuf' })).status).toBe(406);
  });
});

describe('watch', () => {
  it('replays history after a resourceVersion, then streams live changes in order', async () => {
    const rv = api.resourceVersion;
    api.add(configMap('w1', { a: '1' }));
    api.modify({ kind: 'ConfigMap', namespace: 'default', name: 'w1' }, (o) => {
      o.data = { a: '2' };
    });
    const w = await openWatch(api, `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`);
    expect(w.status).toBe(200);
    expect(w.headers.get('transfer-encoding')).toBe('chunked');
    expect((await w.next())!.type).toBe('ADDED');
    const mod = await w.next();
    expect(mod).toMatchObject({ type: 'MODIFIED', object: { kind: 'ConfigMap', data: { a: '2' } } });
    const deleted = api.remove({ kind: 'ConfigMap', namespace: 'default', name: 'w1' })!;
    const del = await w.next();
    expect(del).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'w1', resourceVersion: deleted.metadata.resourceVersion } } });
    await w.close();
  });

  it('starts with synthetic ADDED for the current state when resourceVersion is unset or 0', async () => {
    const w = await openWatch(api, '/api/v1/nodes?watch=true&resourceVersion=0');
    expect([(await w.next())!.object.metadata.name, (await w.next())!.object.metadata.name]).toEqual(['node-1', 'node-2']);
    await w.close();
  });

  it('answers a compacted resourceVersion with ERROR 410 Expired and closes', async () => {
    const old = api.resourceVersion;
    api.add(configMap('w2'));
    api.compactHistory();
    const w = await openWatch(api, `/api/v1/configmaps?watch=1&resourceVersion=${old}`);
    expect(w.status).toBe(200);
    const ev = await w.next();
    expect(ev).toEqual({
      type: 'ERROR',
      object: expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) }),
    });
    expect(await w.ended()).toBe(true);
    api.remove(configMap('w2'));
  });

  it('applies selectors to events: leaving the selection is DELETED, entering is ADDED', async () => {
    const w = await openWatch(api, `/api/v1/pods?watch=1&labelSelector=app%3Dweb&resourceVersion=${api.resourceVersion}`);
    const ref = { kind: 'Pod', namespace: 'default', name: 'web-2' };
    api.modify(ref, (o) => {
      o.metadata.labels = { app: 'other' };
    });
    api.modify({ kind: 'Pod', namespace: 'default', name: 'agent-x' }, (o) => {
      o.metadata.labels = { app: 'agent', note: 'unrelated' };
    });
    api.modify(ref, (o) => {
      o.metadata.labels = { app: 'web', tier: 'back' };
    });
    expect(await w.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'web-2' } } });
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web-2' } } });
    expect(w.pending()).toEqual([]);
    await w.close();
  });

  it('sends bookmarks when allowed, initial-events-end with sendInitialEvents, and ends at timeoutSeconds', async () => {
    const w = await openWatch(api, `/api/v1/nodes?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
    expect((await w.next())!.type).toBe('ADDED');
    expect((await w.next())!.type).toBe('ADDED');
    const end = await w.next();
    expect(end).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Node', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    api.sendBookmarks();
    expect(await w.next()).toMatchObject({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(api.resourceVersion) } } });
    expect(await w.ended(3000)).toBe(true);
    await w.close();
  });

  it('dropAllWatches ends open streams', async () => {
    const w = await openWatch(api, '/api/v1/pods?watch=1');
    await w.next();
    expect(api.activeWatches().length).toBeGreaterThan(0);
    expect(api.dropAllWatches()).toBeGreaterThan(0);
    expect(await w.ended()).toBe(true);
    await w.close();
  });
});

