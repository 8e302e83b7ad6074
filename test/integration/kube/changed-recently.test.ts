/**
 * "Changed recently" in the diagnoses: real watch events from the test API server land in the change
 * history, and the pod, svc and why answers list the ones touching the objects they looked at.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toText } from '../../../src/render/text.js';
import { endpointSlice, namespace, node, pod, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { kubeDeps, question, until } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

beforeEach(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('default'),
      node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24' }),
      pod('web-1', { ip: '10.244.1.10', nodeName: 'node-1' }),
      pod('other-1', { ip: '10.244.1.20', nodeName: 'node-1', labels: { app: 'other' } }),
      service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1' }] }),
    ],
  });
  deps = kubeDeps(api.kubeconfigPath);
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
  for (const r of ['pods', 'services', 'endpointslices', 'nodes']) await until(() => api.activeWatches().some((w) => w.resource === r), 5000, `the ${r} watch`);
});

afterEach(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('changed recently', () => {
  it('nothing changed: the answers carry no changedRecently', async () => {
    expect((await question(deps, 'pod web-1 -n default')).changedRecently).toBeUndefined();
    expect((await question(deps, 'svc web -n default')).changedRecently).toBeUndefined();
  });

  it('a drained endpoint and a cordoned node show in the pod answer; an unrelated pod\'s change does not', async () => {
    api.apply(endpointSlice('web-abc12', { serviceName: 'web', endpoints: [{ ip: '10.244.1.10', podName: 'web-1', nodeName: 'node-1', ready: false }] }));
    api.apply(node('node-1', { internalIP: '192.0.2.21', podCIDR: '10.244.1.0/24', unschedulable: true }));
    api.remove({ kind: 'Pod', namespace: 'default', name: 'other-1' });
    await until(() => deps.kube.cluster().changes().length >= 3, 5000, 'three changes');
    const a = await question(deps, 'pod web-1 -n default');
    const objects = (a.changedRecently ?? []).map((c) => `${c.kind} ${c.name}: ${c.diff}`);
    expect(objects.some((o) => o.startsWith('Node node-1:') && /cordon/.test(o))).toBe(true);
    expect(objects.some((o) => o.startsWith('EndpointSlice web-abc12:') && /not ready/.test(o))).toBe(true);
    expect(objects.some((o) => o.includes('other-1'))).toBe(false);
    const text = toText(a);
    expect(text).toContain('Changed recently (last 60 min)');
    expect(text).toContain('node node-1');
  });

  it('an edited selector shows in the svc and why answers, with its diff and manager', async () => {
    api.modify({ kind: 'Service', namespace: 'default', name: 'web' }, (s) => {
      (s as unknown as { spec: { selector: Record<string, string> } }).spec.selector = { app: 'wbe' };
      (s as unknown as { metadata: Record<string, unknown> }).metadata.managedFields = [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-12-03T07:00:00Z' }];
    });
    await until(() => deps.kube.cluster().changes().some((c) => c.kind === 'Service'), 5000, 'the Service change');
    for (const q of ['svc web -n default', 'why svc/web -n default --no-probe']) {
      const a = await question(deps, q);
      const sel = (a.changedRecently ?? []).find((c) => c.kind === 'Service' && c.name === 'web');
      expect(sel, q).toMatchObject({ action: 'changed', manager: 'kubectl-edit', namespace: 'default' });
      expect(sel!.diff).toContain('app=wbe');
      expect(a.hints.some((h) => h.startsWith('Changed recently: Service default/web:') && h.includes('kubectl-edit'))).toBe(true);
    }
  });
});
