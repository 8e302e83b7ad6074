/**
 * `policy <pod>` and `policy map` through the test API server: the policies selecting a pod per
 * direction with each rule in words, who may connect in both directions, the namespace's map as DOT
 * (nodes and edges) in the Answer, and bad input as a sentence. Reads the Kubernetes API only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJson } from '../../../src/render/json.js';
import { toText } from '../../../src/render/text.js';
import { networkPolicy } from '../../support/kube-apiserver/fixtures.js';
import { SHOP } from './policy-fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { failure, fact, kubeDeps, question, until } from './helpers.js';

let api: KubeApiServer;
let deps: ReturnType<typeof kubeDeps>;

beforeAll(async () => {
  api = await startKubeApiServer({ objects: SHOP });
  deps = kubeDeps(api.kubeconfigPath);
  expect(await deps.kube.cluster().waitForSync(10_000)).toBe(true);
});

afterAll(async () => {
  await deps.kube.stop();
  await api.stop();
});

describe('policy <pod>', () => {
  it('lists the selecting policies per direction with each rule in words, and a plain summary', async () => {
    const a = await question(deps, 'policy db-0 -n shop');
    expect(a.title).toBe('policy shop/db-0');
    expect(fact(a, 'Ingress policies')).toBe('shop/db-from-api, shop/default-deny');
    expect(fact(a, 'Egress policies')).toBe('shop/db-egress');
    expect(a.tables.find((t) => t.title === 'Rules')!.rows).toEqual([
      ['ingress', 'shop/db-from-api', 'rule 1', 'pods app=api in shop, TCP port named pg (5432 on db-0)'],
      ['ingress', 'shop/default-deny', '—', 'admits nothing (isolates only)'],
      ['egress', 'shop/db-egress', 'rule 1', 'any destination, UDP 53'],
    ]);
    expect(a.summary).toBe(
      'Only these may connect to db-0 (Ingress-isolated by shop/db-from-api, shop/default-deny): pods app=api in shop, TCP port named pg (5432 on db-0) (shop/db-from-api rule 1). ' +
        'db-0 may connect only to (Egress-isolated by shop/db-egress): any destination, UDP 53 (shop/db-egress rule 1).',
    );
  });

  it('says concretely which pods may connect to it, and to which it may connect', async () => {
    const a = await question(deps, 'policy shop/db-0');
    expect(fact(a, 'Pods that may connect to it')).toBe('2 of 4');
    expect(a.tables.find((t) => t.title === 'Pods that may connect to db-0')!.rows).toEqual([
      ['shop/api-5f6d7-aaaaa', 'TCP 5432'],
      ['shop/api-5f6d7-bbbbb', 'TCP 5432'],
    ]);
    // web-1 is not isolated for ingress, cache-0 is (default-deny): db-0's UDP 53 egress reaches only web-1.
    expect(a.tables.find((t) => t.title === 'Pods db-0 may connect to')!.rows).toEqual([['web/web-1', 'UDP 53']]);
  });

  it('a pod nothing isolates', async () => {
    const a = await question(deps, 'policy web/web-1');
    expect(a.summary).toBe('Anything may connect to web-1: no NetworkPolicy with policyType Ingress selects it. web-1 may connect anywhere: no NetworkPolicy with policyType Egress selects it.');
    expect(a.tables.find((t) => t.title === 'Rules')).toBeUndefined();
  });

  it('an unreadable selecting policy is reported as not evaluated', async () => {
    await until(() => api.activeWatches().some((w) => w.resource === 'networkpolicies'), 5000, 'the networkpolicies watch');
    api.add(networkPolicy('future', { podSelector: { matchLabels: { app: 'cache' } }, ingress: [{ from: [{ serviceAccountSelector: { matchLabels: { sa: 'web' } } } as never] }] }, 'shop'));
    try {
      await until(async () => (await question(deps, 'policy cache-0 -n shop')).warnings.length > 0, 5000, 'the unreadable policy');
      const a = await question(deps, 'policy cache-0 -n shop');
      expect(a.warnings[0]).toBe('Not evaluated: shop/future has a part netpeek cannot read (spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know), so it does not guess what the policy allows.');
      expect(a.tables.find((t) => t.title.startsWith('Pods that may'))).toBeUndefined();
      expect(a.summary).toMatch(/^Not evaluated: shop\/future has a part netpeek cannot read/);
      expect(a.tables.find((t) => t.title === 'Rules')!.rows).toContainEqual(['ingress', 'shop/future', '—', 'not evaluated: spec.ingress[0].from[0].serviceAccountSelector: a field netpeek does not know']);
    } finally {
      api.remove({ kind: 'NetworkPolicy', namespace: 'shop', name: 'future' });
      await until(async () => (await question(deps, 'policy cache-0 -n shop')).warnings.length === 0, 5000, 'the deletion');
    }
  });
});

describe('policy map', () => {
  it('one node per workload, an edge per allowed connection, as DOT in the terminal and in --json', async () => {
    const a = await question(deps, 'policy map -n shop');
    expect(a.title).toBe('policy map shop');
    expect(a.graph!.nodes.map((n) => n.id)).toEqual(['api', 'cache-0', 'db']);
    expect(a.graph!.edges).toEqual([{ from: 'api', to: 'db', label: 'TCP 5432' }]);
    expect(a.graph!.dot).toContain('"api" [label="api (2 pods)", penwidth=2];');
    expect(a.graph!.dot).toContain('"api" -> "db" [label="TCP 5432"];');
    expect(a.summary).toBe('3 workloads in namespace shop; NetworkPolicies allow 1 of the 6 connections between them (3 isolated for ingress: api, cache-0, db).');
    expect(toText(a)).toContain(`Graph (Graphviz DOT)\n${a.graph!.dot}\n`);
    expect(JSON.parse(toJson(a)).graph.dot).toBe(a.graph!.dot);
  });

  it('without -n: the context\'s default namespace', async () => {
    const a = await question(deps, 'policy map');
    expect(a.title).toBe('policy map default');
    expect(a.graph!.nodes).toEqual([]);
  });
});

describe('policy: bad input', () => {
  it.each([
    ['an unknown namespace', 'policy map -n shpo', /^There is no namespace "shpo" in context netpeek-test\. Did you mean "shop"\?/],
    ['an unknown pod', 'policy db-9 -n shop', /^There is no pod "db-9" in namespace shop/],
    ['an address of no pod', 'policy 203.0.113.5', /^203\.0\.113\.5 is not a pod's address, so no NetworkPolicy selects it\./],
    ['a container', 'policy container/web-1', /^container\/web-1 is a Docker container; NetworkPolicies select pods\./],
    ['a flag it does not take', 'policy db-0 --port 80', /^policy does not take --port\./],
  ])('%s', async (_what, text, message) => {
    expect(((await failure(deps, text)) as Error).message).toMatch(message);
  });
});
