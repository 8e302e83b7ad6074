import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import { StaticAgentDirectory } from '../../../src/probe/agent-directory.js';
import { ProbeRouter } from '../../../src/probe/probe-router.js';
import { ManualClock } from '../../../src/reports/clock.js';
import { loadReportsConfig } from '../../../src/reports/report-config.js';
import { startReports, type RunningReports } from '../../../src/reports/start.js';
import type { TickEvent } from '../../../src/reports/scheduler.js';
import { SlackReportPoster } from '../../../src/slack/report-poster.js';
import { createKubeSource, type KubeSource } from '../../../src/sources/kubernetes.js';
import { describeNeeding, DOCKER, ICMP } from '../../support/backends.js';
import { DockerFixtures, ensureBusyboxImages } from '../../support/docker-fixtures.js';
import { node, pod } from '../../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-apiserver/index.js';
import { createPodNetwork, podObject, startRealPod, type RealPod } from '../../support/kube-pods.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../../support/slack/fake-slack-api.js';
import { SECRET, testConfig } from '../../unit/agent/helpers.js';
import { silent } from '../../unit/reports/helpers.js';
import { until } from './helpers.js';

/**
 * "When a target flips to unreachable, the post lists the changes touching either end between the last
 * good run and the first bad one", through `netpeek serve`'s report wiring (startReports: definitions
 * file, SQLite history, scheduler, the cluster's change history) with real probes: a real pod (pause +
 * app container on a Docker pod network of its own) probed through node-1's agent (allow-list = that
 * network only). Between two runs the test API server's watch events carry the changes: the pod comes
 * back with another IP (an unassigned address of the pod network, so the next probe really fails), its
 * node is cordoned, and an unrelated pod is created; the post names the first two and not the third.
 */
describeNeeding([...DOCKER, ...ICMP], 'a report target that flips to unreachable lists what changed at its ends', () => {
  const fx = new DockerFixtures();
  let podNet: { name: string; subnet: string; gateway: string };
  let web: RealPod;
  let api: KubeApiServer;
  let kube: KubeSource;
  let agent: AgentHandle;
  let slack: FakeSlackApi;
  let dir: string;
  let running: RunningReports | undefined;
  const events: TickEvent[] = [];
  // The report clock runs at the real time: the change history dates what it sees with the real clock, so
  // the good run must start before the changes and the bad one finish after them, whatever the minute.
  const tick = Math.floor(Date.now() / 300_000) * 300_000;
  const start = new Date(Math.min(tick + 30_000, Date.now() - 1000));
  const clock = new ManualClock(start);

  beforeAll(async () => {
    await ensureBusyboxImages();
    podNet = await createPodNetwork(fx);
    web = await startRealPod(fx, podNet.name, 'web-1', [{ name: 'app', command: ['sleep', '3600'] }]);
    [api, slack] = await Promise.all([
      startKubeApiServer({
        objects: [
          node('node-1', { internalIP: '192.0.2.21', podCIDR: podNet.subnet }),
          podObject(web, { nodeName: 'node-1', hostIP: '192.0.2.21', labels: { app: 'web' } }),
        ],
      }),
      startFakeSlackApi(),
    ]);
    agent = await startAgent(testConfig({ NETPEEK_AGENT_ALLOW_CIDRS: podNet.subnet, NETPEEK_NODE_NAME: 'node-1' }));
    kube = createKubeSource({ kubeconfig: api.kubeconfigPath }, undefined, { env: {} });
    expect(await kube.cluster().waitForSync(10_000)).toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'netpeek-flip-'));
    const file = join(dir, 'reports.yaml');
    writeFileSync(file, 'reports:\n  - name: web\n    schedule: "*/5 * * * *"\n    channel: C0123ABCD\n    targets:\n      - pods: { namespace: default, selector: app=web }\n    probes: [icmp]\n    timeoutMs: 500\n');
    const probes = new ProbeRouter({ directory: new StaticAgentDirectory({ 'node-1': agent.url }), secret: SECRET, agentTimeoutMs: 3000, localAllowedCidrs: async () => [podNet.subnet] });
    const poster = new SlackReportPoster(new webApi.WebClient(FAKE_BOT.token, { slackApiUrl: slack.url, retryConfig: { retries: 0 } }), { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, silent);
    running = await startReports({
      reports: loadReportsConfig({ NETPEEK_REPORTS_FILE: file, NETPEEK_REPORTS_DB: join(dir, 'netpeek.db') }),
      deps: { kube, probes },
      kube: { kubeconfig: api.kubeconfigPath },
      env: {},
      poster,
      log: silent,
      clock,
      onTick: (e) => events.push(e),
      identity: 'flip/1',
    });
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await kube?.stop();
    await Promise.all([agent?.close(), slack?.close(), api?.stop()]);
    await fx.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const posts = () => slack.messages.filter((m) => !m.thread_ts);
  const textOf = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;

  it('the good run lists no changes; the first bad one names the pod\'s new IP and its cordoned node, not the unrelated pod', async () => {
    await running!.scheduler.idle();
    expect(events.map((e) => e.outcome)).toEqual(['posted']);
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.text).toBe('web: the 1 target is reachable');
    expect(textOf(posts()[0]!)).not.toContain('Changed since the last good run');

    // Between the runs: the pod is recreated elsewhere in the pod network, its node cordoned, another pod appears.
    const moved = podNet.subnet.replace(/\.0\/24$/, '.200');
    api.modify({ kind: 'Pod', namespace: 'default', name: 'web-1' }, (p) => {
      const status = (p as unknown as { status: { podIP: string; podIPs: { ip: string }[] } }).status;
      status.podIP = moved;
      status.podIPs = [{ ip: moved }];
      (p as unknown as { metadata: Record<string, unknown> }).metadata.managedFields = [{ manager: 'kubelet', operation: 'Update', time: new Date().toISOString() }];
    });
    api.apply(node('node-1', { internalIP: '192.0.2.21', podCIDR: podNet.subnet, unschedulable: true }));
    api.add(pod('other-1', { ip: podNet.subnet.replace(/\.0\/24$/, '.201'), nodeName: 'node-2', labels: { app: 'other' } }));
    const cluster = kube.cluster();
    await until(() => ['web-1', 'node-1', 'other-1'].every((n) => cluster.changes().some((c) => c.name === n)), 5000, 'the three changes in the history');

    // The next tick, or later if the setup ran past it: still before the one after (one run, not two).
    await clock.advanceTo(new Date(Math.max(tick + 300_000, Date.now() + 5000)));
    await running!.scheduler.idle();
    expect(events.map((e) => e.outcome)).toEqual(['posted', 'posted']);
    const bad = posts()[1]!;
    expect(bad.text).toMatch(/^web: 1 of 1 targets? unreachable/);
    const text = textOf(bad);
    // A real probe of the new address: nothing has it.
    expect(text).toMatch(/\*pod default\/web-1\* icmp from node node-1: (unreachable|timeout)/);
    expect(text).toContain('Changed since the last good run, at either end of what became unreachable (2)');
    expect(text).toContain(`IP ${web.ip} → ${moved}`);
    expect(text).toContain('by kubelet');
    expect(text).toContain('cordoned');
    expect(text).not.toContain('other-1');
  }, 60_000);
});
