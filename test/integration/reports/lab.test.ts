import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import { StaticAgentDirectory } from '../../../src/probe/agent-directory.js';
import { ProbeRouter } from '../../../src/probe/probe-router.js';
import { ManualClock } from '../../../src/reports/clock.js';
import { parseDefinitions } from '../../../src/reports/definitions.js';
import type { TargetResult } from '../../../src/reports/model.js';
import { ReportScheduler, type TickEvent } from '../../../src/reports/scheduler.js';
import { SlackReportPoster } from '../../../src/slack/report-poster.js';
import { SqliteReportHistory } from '../../../src/reports/sqlite-history.js';
import { createKubeSource, type KubeSource } from '../../../src/sources/kubernetes.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createLab, leftovers, type Lab } from '../../support/netns.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { SECRET, testConfig } from '../../unit/agent/helpers.js';
import { silent } from '../../unit/reports/helpers.js';

/**
 * A report probed for real: pods of the test API server whose IPs live in a network-namespace lab, each
 * probed through the agent of its node (agents in-process, allow-list = the lab's subnet only), node-to-
 * node checks through the agents, and an address nothing owns. Then an agent goes down, then the API
 * server: the affected targets say "not probed: <reason>", and every run is still stored and posted.
 */
describeNeeding(NETNS, 'a report over a netns lab, through agents', () => {
  let lab: Lab;
  let api: KubeApiServer;
  let slack: FakeSlackApi;
  let agents: AgentHandle[];
  let kube: KubeSource;
  let dir: string;
  let history: SqliteReportHistory;
  let scheduler: ReportScheduler;
  const clock = new ManualClock('2024-05-03T09:59:00Z');
  const events: TickEvent[] = [];

  beforeAll(async () => {
    [lab, slack] = await Promise.all([createLab({ nodes: 2 }), startFakeSlackApi()]);
    const [n0, n1] = lab.nodes as [Lab['nodes'][number], Lab['nodes'][number]];
    await lab.tcpListener(n0.ns, 8080);
    const web = (name: string, ip: string, nodeName: string) => pod(name, { ip, nodeName, labels: { app: 'web' }, containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }] });
    api = await startKubeApiServer({
      objects: [
        node('node-a', { internalIP: n0.ip }),
        node('node-b', { internalIP: n1.ip }),
        web('web-1', n0.ip, 'node-a'), // answers ping, listens on 8080
        web('web-2', lab.unassigned(0), 'node-a'), // nobody has this address
        web('web-3', n1.ip, 'node-b'), // answers ping, nothing on 8080
        pod('db-0', { ip: n1.ip, nodeName: 'node-b', labels: { app: 'db' } }), // not selected
      ],
    });
    const allow = { NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet };
    agents = await Promise.all([startAgent(testConfig({ ...allow, NETPEEK_NODE_NAME: 'node-a' })), startAgent(testConfig({ ...allow, NETPEEK_NODE_NAME: 'node-b' }))]);
    const probes = new ProbeRouter({
      directory: new StaticAgentDirectory({ 'node-a': agents[0]!.url, 'node-b': agents[1]!.url }),
      secret: SECRET,
      agentTimeoutMs: 5000,
      localAllowedCidrs: async () => [lab.subnet],
    });
    kube = createKubeSource({ kubeconfig: api.kubeconfigPath }, undefined, { env: {}, requestTimeoutMs: 8000, cache: { staleAfterMs: 200, initialBackoffMs: 50, maxBackoffMs: 200 } });
    dir = mkdtempSync(join(tmpdir(), 'netpeek-lab-report-'));
    history = new SqliteReportHistory(join(dir, 'netpeek.db'), { now: () => clock.now() });
    const definitions = parseDefinitions(`reports:
  - name: lab
    schedule: "*/5 * * * *"
    channel: C0123ABCD
    targets:
      - pods: { namespace: default, selector: app=web }
      - nodes: { peers: 1 }
      - address: ${lab.unassigned(1)}:80
        from: node-a
    probes: [icmp, tcp]
    timeoutMs: 300
`);
    expect(definitions.problems).toEqual([]);
    scheduler = new ReportScheduler({
      definitions,
      sources: { kube },
      probes,
      history,
      ticks: history,
      poster: new SlackReportPoster(new webApi.WebClient(FAKE_BOT.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }), { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, silent),
      identity: 'lab/1/x',
      clock,
      log: silent,
      onTick: (e) => events.push(e),
    });
  });

  afterAll(async () => {
    await scheduler?.stop();
    history?.close();
    await kube?.stop();
    await Promise.all([...(agents ?? []).map((a) => a.close()), slack?.close(), api?.stop()]);
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (lab) expect(leftovers(lab.id)).toEqual({ namespaces: [], links: [] });
  });

  const outcome = (rs: TargetResult[]) => Object.fromEntries(rs.map((r) => [r.id, r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason}`]));
  const posts = () => slack.messages.filter((m) => !m.thread_ts);

  it('probes each target from its node through its agent, and posts failures first with the reason', async () => {
    scheduler.start(); // catches up the 09:55 tick
    await scheduler.idle();
    const run = await history.latest('lab');
    const o = outcome(run?.results ?? []);
    // The run's notes ride along so that a failure shows why targets are missing (seen once under load).
    expect({ ...o, notes: run?.notes }).toMatchObject({
      'pod default/web-1 icmp': 'ok',
      'pod default/web-1 tcp/8080': 'ok',
      'pod default/web-2 icmp': 'failed: unreachable',
      'pod default/web-3 icmp': 'ok',
      'pod default/web-3 tcp/8080': 'failed: refused',
      'node node-a → node-b icmp': 'ok',
      'node node-b → node-a icmp': 'ok',
      [`address ${lab.unassigned(1)}:80 icmp`]: 'failed: unreachable',
    });
    expect(o['pod default/web-2 tcp/8080']).toMatch(/^failed: (timeout|unreachable)$/);
    expect(o[`address ${lab.unassigned(1)}:80 tcp/80`]).toMatch(/^failed: (timeout|unreachable)$/);
    expect(run?.results.find((r) => r.id === 'pod default/web-3 tcp/8080')).toMatchObject({ from: 'node node-b', ip: lab.nodes[1]!.ip });
    expect(posts()).toHaveLength(1);
    expect(posts()[0]?.text).toBe('lab: 5 of 10 targets unreachable');
    const blocks = JSON.stringify(posts()[0]?.blocks);
    expect(blocks).toContain('*pod default/web-3* tcp/8080 from node node-b: refused');
    expect(posts()[0]?.metadata).toMatchObject({ event_type: 'netpeek_report', event_payload: { tick: 'lab@2024-05-03T09:55:00.000Z' } });
  });

  it('an agent that is down: its targets are "not probed: agent down"; the run is still stored and posted', async () => {
    await agents[1]!.close();
    await clock.advanceTo('2024-05-03T10:00:00Z');
    await scheduler.idle();
    const o = outcome((await history.latest('lab'))?.results ?? []);
    expect(o['pod default/web-3 icmp']).toBe('not-probed: agent down');
    expect(o['node node-b → node-a icmp']).toBe('not-probed: agent down');
    expect(o['pod default/web-1 tcp/8080']).toBe('ok');
    expect(posts()).toHaveLength(2);
    expect(posts()[1]?.text).toBe('lab: 4 of 10 targets unreachable; none new since 09:55; 3 not probed');
    expect(JSON.stringify(posts()[1]?.blocks)).toMatch(/3 targets from node node-b: not probed: agent down — agent http:\/\/127\.0\.0\.1:\d+ \(node node-b\) refused the connection/);
  });

  it('the API server down: targets read from it are "not probed: API server unreachable"; the rest is probed, stored and posted', async () => {
    await api.stop();
    await new Promise((r) => setTimeout(r, 400)); // the watch caches stop serving after staleAfterMs
    await clock.advanceTo('2024-05-03T10:05:00Z');
    await scheduler.idle();
    const run = await history.latest('lab');
    const o = outcome(run?.results ?? []);
    expect(o['pod default/web-1 icmp']).toBe('not-probed: API server unreachable');
    expect(o['node node-a → node-b icmp']).toBe('not-probed: API server unreachable');
    expect(o[`address ${lab.unassigned(1)}:80 icmp`]).toBe('failed: unreachable');
    expect(run?.notes.join(' ')).toContain('The Kubernetes API server at');
    expect(posts()).toHaveLength(3);
    expect(posts()[2]?.text).toMatch(/^lab: 2 of 10 targets unreachable; none new since 10:00; 8 not probed/);
    expect(events.map((e) => e.outcome)).toEqual(['posted', 'posted', 'posted']);
  });
});
