/**
 * The test API server's write side, checked with plain fetch against what the real API server answers:
 * create/update/patch/delete and their Status errors, namespaces, faults, request log, restart, TLS, token.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMap, lease, namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
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

describe('writes', () => {
  const base = '/api/v1/namespaces/default/configmaps';

  it('creates with server-filled metadata, rejects duplicates, bad names and missing namespaces', async () => {
    const res = await call(api, 'POST', base, configMap('c1', { k: 'v' }));
    expect(res.status).toBe(201);
    expect(res.body.metadata).toMatchObject({ name: 'c1', namespace: 'default', uid: expect.any(String), resourceVersion: String(api.resourceVersion) });
    expect(res.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const dup = await call(api, 'POST', base, configMap('c1'));
    expect(dup.body).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "c1" already exists', details: { name: 'c1', kind: 'configmaps' } });
    expect((await call(api, 'POST', base, configMap('Bad_Name'))).body).toMatchObject({ code: 422, reason: 'Invalid' });
    const noNs = await call(api, 'POST', '/api/v1/namespaces/nope/configmaps', configMap('c2', {}, 'nope'));
    expect(noNs.body).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
    const gen = await call(api, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(gen.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('updates with optimistic concurrency: a stale resourceVersion is 409 Conflict', async () => {
    const cur = (await call(api, 'GET', `${base}/c1`)).body;
    const ok = await call(api, 'PUT', `${base}/c1`, { ...cur, data: { k: 'v2' } });
    expect(ok.status).toBe(200);
    expect(Number(ok.body.metadata.resourceVersion)).toBeGreaterThan(Number(cur.metadata.resourceVersion));
    const stale = await call(api, 'PUT', `${base}/c1`, { ...cur, data: { k: 'v3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply your changes to the latest version and try again',
    });
    // A write that changes nothing keeps the revision.
    const same = await call(api, 'PUT', `${base}/c1`, ok.body);
    expect(same.body.metadata.resourceVersion).toBe(ok.body.metadata.resourceVersion);
    const missing = await call(api, 'PUT', `${base}/zz`, configMap('zz'));
    expect(missing.body).toMatchObject({ code: 404, message: 'configmaps "zz" not found' });
  });

  it('patches with merge and JSON patch', async () => {
    const m = await call(api, 'PATCH', `${base}/c1`, { data: { extra: 'x' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(m.body.data).toEqual({ k: 'v2', extra: 'x' });
    const j = await call(api, 'PATCH', `${base}/c1`, [{ op: 'remove', path: '/data/extra' }], { 'Content-Type': 'application/json-patch+json' });
    expect(j.body.data).toEqual({ k: 'v2' });
  });

  it('keeps pod status on main-resource writes and changes it only through /status; bumps generation on spec change', async () => {
    const created = await call(api, 'POST', '/api/v1/namespaces/default/pods', pod('p-status', { ip: '10.244.1.77', nodeName: 'node-1' }));
    expect(created.body.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(created.body.status.podIP).toBeUndefined();
    expect(created.body.metadata.generation).toBe(1);
    const withStatus = { ...created.body, status: { ...created.body.status, phase: 'Running', podIP: '10.244.1.77', podIPs: [{ ip: '10.244.1.77' }] } };
    const st = await call(api, 'PUT', '/api/v1/namespaces/default/pods/p-status/status', withStatus);
    expect(st.body.status.phase).toBe('Running');
    const main = await call(api, 'PUT', '/api/v1/namespaces/default/pods/p-status', { ...st.body, status: { phase: 'Failed' }, spec: { ...st.body.spec, activeDeadlineSeconds: 5 } });
    expect(main.body.status.phase).toBe('Running');
    expect(main.body.metadata.generation).toBe(2);
  });

  it('deletes with a DELETED event: pods answer with the object, configmaps with a Success Status', async () => {
    const w = await openWatch(api, `${base}?watch=1&resourceVersion=${api.resourceVersion}`);
    const uid = api.get({ kind: 'ConfigMap', namespace: 'default', name: 'c1' })!.metadata.uid;
    const del = await call(api, 'DELETE', `${base}/c1`);
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'c1', kind: 'configmaps', uid } });
    expect(await w.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'c1' } } });
    expect((await call(api, 'DELETE', `${base}/c1`)).body).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "c1" not found' });
    const p = await call(api, 'DELETE', '/api/v1/namespaces/default/pods/p-status');
    expect(p.body).toMatchObject({ kind: 'Pod', metadata: { name: 'p-status' } });
    await w.close();
  });

  it('allocates cluster IPs and node ports for services; leases are created on PUT', async () => {
    const svc = await call(api, 'POST', '/api/v1/namespaces/default/services', service('np', { type: 'NodePort' }));
    expect(svc.body.spec).toMatchObject({ clusterIP: expect.stringMatching(/^10\.96\./), ports: [{ nodePort: expect.any(Number), targetPort: 'http' }] });
    const l = await call(api, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/netpeek', lease('netpeek', { holderIdentity: 'a' }));
    expect(l.status).toBe(201);
  });
});

describe('more verbs and paths', () => {
  it('deleting a namespace deletes what is in it; deletecollection honours selectors', async () => {
    api.add(namespace('tmp'), configMap('a', {}, 'tmp'), pod('p', { namespace: 'tmp' }));
    const w = await openWatch(api, `/api/v1/namespaces/tmp/pods?watch=1&resourceVersion=${api.resourceVersion}`);
    expect((await call(api, 'DELETE', '/api/v1/namespaces/tmp')).status).toBe(200);
    expect(await w.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'p' } } });
    expect(api.list('configmaps', 'tmp')).toEqual([]);
    await w.close();
    api.add(configMap('x1'), { ...configMap('x2'), metadata: { name: 'x2', namespace: 'default', labels: { drop: 'yes' } } });
    const dc = await call(api, 'DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=drop%3Dyes');
    expect(dc.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['x2']);
    expect(api.get({ kind: 'ConfigMap', namespace: 'default', name: 'x1' })).toBeDefined();
  });

  it('supports the legacy /watch/ path, Table watch events, and mid-watch ERROR faults', async () => {
    const w = await openWatch(api, '/api/v1/watch/namespaces/default/pods/web-1');
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'web-1' } } });
    await w.close();
    const tw = await fetch(`${api.url}/api/v1/nodes?watch=1`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    const reader = tw.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    const [first, second] = text.split('\n').map((l) => l && JSON.parse(l));
    expect(first.object.kind).toBe('Table');
    expect(first.object.columnDefinitions).toHaveLength(10);
    expect(second.object.columnDefinitions).toBeNull();
    await reader.cancel();
    api.failNext(1, { code: 500, asWatchEvent: true, match: { watch: true } });
    const fw = await openWatch(api, '/api/v1/pods?watch=1');
    expect(await fw.next()).toMatchObject({ type: 'ERROR', object: { code: 500, reason: 'InternalError' } });
    expect(await fw.ended()).toBe(true);
    await fw.close();
  });
});

describe('faults and lifecycle', () => {
  it('failNext returns the real Status shapes, optionally only for matching requests', async () => {
    api.failNext(1, 500);
    expect((await call(api, 'GET', '/api/v1/pods')).body).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((await call(api, 'GET', '/api/v1/pods')).status).toBe(200);
    api.failNext(2, { code: 403, match: { verb: 'list', resource: 'pods' } });
    expect((await call(api, 'GET', '/api/v1/nodes')).status).toBe(200);
    expect((await call(api, 'GET', '/api/v1/pods')).body.message).toBe(
      'pods is forbidden: User "system:serviceaccount:netpeek:netpeek" cannot list resource "pods" in API group "" at the cluster scope',
    );
    expect((await call(api, 'GET', '/api/v1/namespaces/shop/pods')).body.message).toBe(
      'pods is forbidden: User "system:serviceaccount:netpeek:netpeek" cannot list resource "pods" in API group "" in the namespace "shop"',
    );
    api.setAuthorizer((a) => a.resource !== 'leases');
    const denied = await call(api, 'GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/netpeek');
    expect(denied.body.message).toBe(
      'leases.coordination.k8s.io "netpeek" is forbidden: User "system:serviceaccount:netpeek:netpeek" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "default"',
    );
    api.setAuthorizer(undefined);
  });

  it('logs requests with verb and query', async () => {
    api.clearRequests();
    await call(api, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=5');
    expect(api.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v1/namespaces/default/pods', verb: 'list', resource: 'pods', namespace: 'default', query: { labelSelector: 'app=web', limit: '5' }, status: 200 }),
    ]);
  });

  it('restarts on the same port, keeping or clearing state', async () => {
    const port = api.port;
    await api.restart();
    expect(api.address?.port).toBe(port);
    // Pooled keep-alive connections were cut by the restart: let the client notice before reusing them.
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(api, 'GET', '/api/v1/namespaces/default/pods/web-1')).status).toBe(200);
    const rv = api.resourceVersion;
    await api.restart({ clearState: true });
    await new Promise((r) => setTimeout(r, 50));
    expect((await call(api, 'GET', '/api/v1/namespaces/default/pods/web-1')).status).toBe(404);
    expect((await call(api, 'GET', '/api/v1/namespaces/default')).status).toBe(200);
    expect(api.resourceVersion).toBeGreaterThan(rv);
    const w = await openWatch(api, `/api/v1/pods?watch=1&resourceVersion=${rv}`);
    expect((await w.next())!.object.code).toBe(410);
    await w.close();
  });
});

describe('TLS and token', () => {
  it('serves HTTPS with a certificate the kubeconfig trusts, and enforces the bearer token', async () => {
    const secure = await startKubeApiServer({ tls: true, token: 's3cret' });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(secure.caPem).toContain('BEGIN CERTIFICATE');
      const { request } = await import('node:https');
      const get = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          request(`${secure.url}/api/v1/namespaces`, { ca: secure.caPem, headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject).end();
        });
      expect(await get({})).toBe(401);
      expect(await get({ Authorization: 'Bearer s3cret' })).toBe(200);
    } finally {
      await secure.stop();
    }
    expect(existsSync(secure.kubeconfigPath)).toBe(false);
  });
});
