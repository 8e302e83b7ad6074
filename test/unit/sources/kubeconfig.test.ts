import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findKubeconfig, type KubeconfigFound } from '../../../src/sources/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const TEAM = file(
  'team.yaml',
  `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true }
- name: staging
  cluster: { server: "https://staging.example:6443", insecure-skip-tls-verify: true }
users:
- name: alice
  user: { token: abc }
contexts:
- name: prod-admin
  context: { cluster: prod, user: alice, namespace: payments }
- name: staging
  context: { cluster: staging, user: alice }
current-context: staging
`,
);

const MINE = file(
  'mine.yaml',
  `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: "https://shadowed.example:6443" }
- name: kind
  cluster: { server: "https://127.0.0.1:40001" }
users:
- name: me
  user: { token: xyz }
contexts:
- name: kind-dev
  context: { cluster: kind, user: me, namespace: dev }
- name: prod-admin
  context: { cluster: kind, user: me }
current-context: kind-dev
`,
);

function found(kubeconfig: string, env: NodeJS.ProcessEnv = {}): KubeconfigFound {
  const f = findKubeconfig(kubeconfig, env);
  if ('missing' in f) throw new Error(f.missing);
  return f;
}

describe('findKubeconfig reads contexts without @kubernetes/client-node', () => {
  it('lists the contexts, the current one, and each context\'s server and namespace', () => {
    const f = found(TEAM);
    expect(f.origin).toBe(TEAM);
    expect(f.contexts).toEqual(['prod-admin', 'staging']);
    expect(f.currentContext).toBe('staging');
    expect(f.context('prod-admin')).toEqual({ server: 'https://10.0.0.1:6443', namespace: 'payments' });
    expect(f.context('staging')).toEqual({ server: 'https://staging.example:6443', namespace: '' });
    expect(f.context('nope')).toBeUndefined();
  });

  it('merges a KUBECONFIG list as kubectl does: the first file naming a cluster, context or current-context wins', () => {
    const f = found([TEAM, MINE].join(delimiter));
    expect(f.origin).toBe([TEAM, MINE].join(delimiter));
    expect(f.contexts).toEqual(['prod-admin', 'staging', 'kind-dev']);
    expect(f.currentContext).toBe('staging');
    expect(f.context('prod-admin')).toEqual({ server: 'https://10.0.0.1:6443', namespace: 'payments' });
    expect(f.context('kind-dev')).toEqual({ server: 'https://127.0.0.1:40001', namespace: 'dev' });
  });

  it('client-node, loaded on request, sees the same merged contexts, servers and current context', async () => {
    const f = found([TEAM, MINE].join(delimiter));
    const kc = await f.kubeConfig();
    expect(kc.getContexts().map((c) => c.name)).toEqual(f.contexts);
    expect(kc.getCurrentContext()).toBe(f.currentContext);
    for (const name of f.contexts) {
      const ctx = kc.getContextObject(name)!;
      expect({ server: kc.getCluster(ctx.cluster)!.server, namespace: ctx.namespace ?? '' }).toEqual(f.context(name));
    }
  });

  it('a broken file is named with what is wrong, in client-node\'s words', () => {
    const noServer = file('no-server.yaml', 'clusters:\n- name: a\n  cluster: { insecure-skip-tls-verify: true }\ncontexts: []\n');
    expect(findKubeconfig(noServer, {})).toEqual({ missing: `kubeconfig ${noServer} could not be read: clusters[0].cluster.server is missing` });
    const noCluster = file('no-cluster.yaml', 'contexts:\n- name: a\n  context: { user: u }\n');
    expect(findKubeconfig(noCluster, {})).toEqual({ missing: `kubeconfig ${noCluster} could not be read: contexts[0].context.cluster is missing` });
    const notYaml = file('list.yaml', '- just\n- a list\n');
    expect(findKubeconfig(notYaml, {})).toEqual({ missing: `kubeconfig ${notYaml} could not be read: it is not a YAML mapping (apiVersion, clusters, contexts, users, current-context)` });
    const badYaml = file('bad.yaml', 'clusters: [\n');
    expect((findKubeconfig(badYaml, {}) as { missing: string }).missing).toMatch(new RegExp(`^kubeconfig ${badYaml} could not be read: `));
  });

  it('says why there is none: a KUBECONFIG that does not exist and no service account', () => {
    expect(findKubeconfig(join(dir, 'absent'), {})).toEqual({ missing: `KUBECONFIG points to ${join(dir, 'absent')}, which does not exist` });
  });

  it('inside a pod: the service account\'s context, https on 443, http on 8080, IPv6 in brackets, as client-node builds it', () => {
    const pod = found(join(dir, 'absent'), { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' });
    expect(pod.origin).toBe('in-cluster service account');
    expect(pod.contexts).toEqual(['inClusterContext']);
    expect(pod.currentContext).toBe('inClusterContext');
    expect(pod.context('inClusterContext')?.server).toBe('https://[fd00::1]:443');
    expect(found(join(dir, 'absent'), { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '8080' }).context('inClusterContext')?.server).toBe('http://10.96.0.1:8080');
  });
});
