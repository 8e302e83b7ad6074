/**
 * The live resolve step of `why <from> <name>.<ns>.svc…` when <from> is `here` (netpeek's own host
 * resolver, the resolv.conf of NETPEEK_DNS_RESOLV_CONF) or a node (the built `netpeek agent` for that
 * node, POST /v1/dns with its NETPEEK_AGENT_RESOLV_CONF). The resolvers are this test's own DNS servers on
 * loopback addresses it picked (127.x.y.1 answers, 127.x.y.2 is outside node-b's allow-list and must never
 * be asked). The Services have no endpoints, so nothing is probed: the only packets are those DNS queries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Answer } from '../../../src/core/answer.js';
import { loadConfig } from '../../../src/config.js';
import { buildDeps } from '../../../src/deps.js';
import { createLogger } from '../../../src/log.js';
import { describeNeeding } from '../../support/backends.js';
import { NETPEEK_BIN } from '../../support/cli.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';
import { node, service } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { startLoopbackAgent, type AgentProcess } from '../agent/agent-process.js';
import { question } from './helpers.js';

const SECRET = 'why-resolve-from-secret-7a21';
const base = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
const DNS = `${base}.1`;
const FORBIDDEN = `${base}.2`;
const SEARCH = 'search shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n';

const resolveOf = (a: Answer) => {
  const s = a.diagnosis!.steps.find((x) => x.id === 'resolve');
  if (!s) throw new Error(`no resolve step in ${JSON.stringify(a.diagnosis)}`);
  return s;
};

describeNeeding([], 'why from here or a node: the name asked live by netpeek\'s host resolver or the node\'s agent', () => {
  let dnsd: TestDnsServer;
  let forbidden: TestDnsServer;
  let api: KubeApiServer;
  let agentA: AgentProcess;
  let agentB: AgentProcess;
  let dir = '';
  let hostConf = '';
  let deps: ReturnType<typeof buildDeps>;

  beforeAll(async () => {
    const records = { 'web.shop.svc.cluster.local.': ['10.96.0.20'], 'stale.shop.svc.cluster.local.': ['10.96.0.99'] };
    [dnsd, forbidden] = await Promise.all([startDnsServer({ host: DNS, records }), startDnsServer({ host: FORBIDDEN, records })]);
    dir = mkdtempSync(join(tmpdir(), 'netpeek-why-resolve-'));
    hostConf = join(dir, 'host-resolv.conf');
    writeFileSync(hostConf, `nameserver ${DNS}\n${SEARCH}`);
    const confA = join(dir, 'node-a-resolv.conf');
    writeFileSync(confA, `nameserver ${DNS}\n${SEARCH}`);
    const confB = join(dir, 'node-b-resolv.conf');
    writeFileSync(confB, `nameserver ${FORBIDDEN}\n${SEARCH}`);
    // Each agent's allow-list is exactly the one resolver this test lets it ask (node-b's resolv.conf names another).
    [agentA, agentB] = await Promise.all([
      startLoopbackAgent(NETPEEK_BIN, { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_NODE_NAME: 'node-a', NETPEEK_AGENT_ALLOW_CIDRS: `${DNS}/32`, NETPEEK_AGENT_RESOLV_CONF: confA }, ['agent']),
      startLoopbackAgent(NETPEEK_BIN, { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_NODE_NAME: 'node-b', NETPEEK_AGENT_ALLOW_CIDRS: `${DNS}/32`, NETPEEK_AGENT_RESOLV_CONF: confB }, ['agent']),
    ]);
    api = await startKubeApiServer({
      namespaces: ['default', 'shop'],
      objects: [
        node('node-a', { internalIP: '10.213.9.11', podCIDR: '10.213.10.0/24' }),
        node('node-b', { internalIP: '10.213.9.12', podCIDR: '10.213.11.0/24' }),
        node('node-c', { internalIP: '10.213.9.13', podCIDR: '10.213.12.0/24' }),
        // Fixture ClusterIPs: compared with DNS answers, never probed (no endpoints, so no probe runs).
        service('web', { namespace: 'shop', clusterIP: '10.96.0.20' }),
        service('stale', { namespace: 'shop', clusterIP: '10.96.0.21' }),
        service('gone', { namespace: 'shop', clusterIP: '10.96.0.22' }),
      ],
    });
    deps = buildDeps(
      loadConfig({ KUBECONFIG: api.kubeconfigPath, NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: `node-a=${agentA.url},node-b=${agentB.url}`, NETPEEK_DNS_RESOLV_CONF: hostConf }),
      createLogger('silent'),
    );
  }, 60_000);

  afterAll(async () => {
    agentA?.child.kill('SIGTERM');
    agentB?.child.kill('SIGTERM');
    await deps?.kube?.stop();
    await api?.stop();
    await Promise.all([dnsd?.close(), forbidden?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('here: asked with netpeek\'s host resolver (its resolv.conf and search list); the answer matches the ClusterIP — pass, and a live step', async () => {
    const before = dnsd.queries.length;
    const a = await question(deps, 'why here web.shop.svc.cluster.local --port 80');
    expect(resolveOf(a).status).toBe('pass');
    expect(resolveOf(a).evidence).toMatch(new RegExp(`^Asked from netpeek's host \\(${hostConf.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): .*10\\.96\\.0\\.20`));
    expect(a.liveSteps).toContain('resolve');
    // ndots:5 puts the search list first: the first candidate is the name under shop.svc.cluster.local.
    expect(dnsd.queries.slice(before).map((q) => q.name)[0]).toBe('web.shop.svc.cluster.local.shop.svc.cluster.local.');
  });

  it('here: a stale answer from the host resolver fails resolve, naming both addresses', async () => {
    const a = await question(deps, 'why here stale.shop.svc.cluster.local');
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(resolveOf(a).evidence).toContain('10.96.0.99');
    expect(resolveOf(a).evidence).toContain('10.96.0.21');
    expect(resolveOf(a).fix).toContain("the Service's address is 10.96.0.21");
  });

  it('here: a resolver that does not know the name fails resolve, saying which resolver to point at the cluster DNS', async () => {
    const a = await question(deps, 'why here gone.shop.svc.cluster.local');
    expect(a.diagnosis!.firstFailure).toBe('resolve');
    expect(resolveOf(a).fix).toBe(`netpeek's host resolves through ${hostConf} (nameservers ${DNS}): names under .svc resolve only through the cluster DNS (its Service's ClusterIP). Point that resolver at the cluster DNS, or ask from a pod.`);
  });

  it('here with --no-probe: nothing is asked, and resolve is a skip that says so and what the API alone says — not a pass', async () => {
    const before = dnsd.queries.length;
    const a = await question(deps, 'why here web.shop.svc.cluster.local --no-probe');
    expect(resolveOf(a)).toMatchObject({ status: 'skip' });
    expect(resolveOf(a).evidence).toMatch(/^Not checked: web\.shop\.svc\.cluster\.local was not looked up from netpeek's host \(--no-probe, no DNS query was sent\); the API alone says: web\.shop\.svc\.cluster\.local is Service shop\/web/);
    expect(dnsd.queries.length).toBe(before);
  });

  it("a node: asked by that node's agent with its resolv.conf; the answer matches — pass", async () => {
    const before = dnsd.queries.length;
    const a = await question(deps, 'why node/node-a web.shop.svc.cluster.local --port 80');
    expect(resolveOf(a).status).toBe('pass');
    expect(resolveOf(a).evidence).toMatch(/^Asked from node node-a \(the agent's \S+node-a-resolv\.conf\): .*10\.96\.0\.20/);
    expect(dnsd.queries.length).toBeGreaterThan(before);
  });

  it("a node whose resolver is outside its agent's allow-list: nothing is sent, resolve is a skip naming the nameserver", async () => {
    const before = forbidden.queries.length;
    const a = await question(deps, 'why node/node-b web.shop.svc.cluster.local');
    expect(resolveOf(a).status).toBe('skip');
    expect(resolveOf(a).evidence).toContain(`was not looked up from node node-b (its nameservers (${FORBIDDEN}) are outside the probe allow-list, so no query was sent)`);
    expect(forbidden.queries.length).toBe(before);
  });

  it('a node without an agent: resolve is a skip saying no agent is known; a failure the API alone shows still fails', async () => {
    const a = await question(deps, 'why node/node-c web.shop.svc.cluster.local');
    expect(resolveOf(a).status).toBe('skip');
    expect(resolveOf(a).evidence).toContain('was not looked up from node node-c (no netpeek agent is known for node node-c');
    const missing = await question(deps, 'why node/node-c nope.shop.svc.cluster.local');
    expect(missing.diagnosis!.firstFailure).toBe('resolve');
    expect(resolveOf(missing).evidence).toMatch(/^nope\.shop\.svc\.cluster\.local does not resolve: there is no Service nope in namespace shop.* Not looked up from node node-c: no netpeek agent is known/);
  });
});
