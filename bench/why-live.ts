/**
 * The live part of bench:why (issue 15: "with the live steps, the added time is the probes' own time
 * plus ≤ 10 ms"). One real pod on this machine — a pause container and an httpd in its namespace on
 * Docker's default bridge — registered in the bench cluster with its real container IDs, behind
 * Service bench-live/live, on node "live-node", whose agent is the built `netpeek agent` on 127.0.0.1
 * with the workload vantage on and an allow-list of exactly that bridge's subnet. Every packet goes to
 * that container; everything made here is removed by stop().
 *
 * Each round asks `why svc/bench-live/live --port 80` from the same warm cache without live steps
 * (--no-probe and no agent: listening and probe skipped) and with them (probe from the agent; listening
 * answered by its accepted connection, or read by the agent when the connection is not accepted: the
 * REFUSED_PORT question measures that path). The added time minus the probes' own time (the slowest probe's
 * measured time) is what netpeek adds around the probes. With a port, `why` sends the TCP connect alone
 * (an ICMP echo only after a connect with no answer). Rounds are ROUND_GAP_MS apart, as questions people
 * ask are; the same question asked again at once is measured too.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import type { Answer } from '../src/core/answer.js';
import { ask } from '../src/core/ask.js';
import { CommandRegistry } from '../src/core/registry.js';
import { buildDeps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { startLoopbackAgent, type AgentProcess } from '../test/integration/agent/agent-process.js';
import { DockerFixtures, ensureBusyboxImages, inspect, untilListening } from '../test/support/docker-fixtures.js';
import { endpointSlice, namespace, node, service } from '../test/support/kube-apiserver/fixtures.js';
import type { KubeObject } from '../test/support/kube-apiserver/index.js';
import { podObject, startRealPod } from '../test/support/kube-pods.js';
import { podWorkloadRef } from '../src/sources/kube-pod-sockets.js';
import { percentile, repoRoot } from './results-file.js';

const SECRET = 'bench-why-live-agent-secret-5e1f';
/** Between rounds, as questions people ask are (and more than the agent's spare-fping delay, 50 ms, for ping's echo batches). */
export const ROUND_GAP_MS = 150;
const QUESTION = 'why svc/bench-live/live --port 80';
/** Broken at listening: nothing listens on 8081 in the pod, so the probe is refused and the agent reads the sockets to say so. */
const REFUSED_PORT = 8081;

export interface LivePod {
  /** Namespace, node, pod, Service and EndpointSlice for the bench cluster. */
  objects: KubeObject[];
  agent: AgentProcess;
  ip: string;
  /** The pod's httpd process on this machine: whose /proc/<pid>/net tables the bench also reads alone. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * The pod sits on Docker's default bridge, whose namespaces hold only what the pod runs, as a CNI pod's
 * do. A user-defined Docker network would add Docker's embedded DNS (TCP and UDP listeners on 127.0.0.11)
 * to the namespace, sockets no Kubernetes pod has, and with them socket tables a real pod's read skips.
 */
async function cniLikeNetwork(): Promise<{ name: string; subnet: string }> {
  const info = await inspect<{ IPAM: { Config: { Subnet?: string }[] } }>('bridge', 'network');
  const subnet = info.IPAM.Config.map((c) => c.Subnet).find((x) => x?.includes('.'));
  if (!subnet) throw new Error('Docker\'s default bridge has no IPv4 subnet here; bench:why needs it for its pod');
  return { name: 'bridge', subnet };
}

/** The bridge's address as the pod sees it (its gateway): some Docker versions leave it out of the network's IPAM config. */
async function podGateway(pause: string, network: string): Promise<string> {
  const info = await inspect<{ NetworkSettings: { Networks: Record<string, { Gateway?: string }> } }>(pause);
  const gateway = info.NetworkSettings.Networks[network]?.Gateway;
  if (!gateway) throw new Error(`the pod's pause container ${pause} has no gateway on ${network}`);
  return gateway;
}

/** The real pod and its node's agent; call before the bench cluster starts (its objects go into it). */
export async function startLivePod(): Promise<LivePod> {
  const fx = new DockerFixtures();
  try {
    await ensureBusyboxImages();
    const net = await cniLikeNetwork();
    const pod = await startRealPod(fx, net.name, 'live-web', [{ name: 'web', command: ['httpd', '-f', '-p', '8080'], ports: [{ name: 'http', containerPort: 8080 }] }]);
    await untilListening(pod.containers.web!, 8080);
    const pid = (await inspect<{ State: { Pid: number } }>(pod.containers.web!)).State.Pid;
    const gateway = await podGateway(pod.pause, net.name);
    const agent = await startLoopbackAgent(join(repoRoot(), 'dist', 'bundle', 'main.js'), {
      NETPEEK_AGENT_SECRET: SECRET,
      NETPEEK_AGENT_ALLOW_CIDRS: net.subnet,
      NETPEEK_NODE_NAME: 'live-node',
      NETPEEK_AGENT_WORKLOAD_VANTAGE: 'true',
      // Rounds follow each other as fast as they answer: the default 50 requests/s is a production guard, not the bench's limit.
      NETPEEK_AGENT_RPS: '10000',
    }, ['agent']);
    const objects: KubeObject[] = [
      namespace('bench-live'),
      node('live-node', { internalIP: gateway, podCIDR: net.subnet }),
      podObject(pod, { nodeName: 'live-node', hostIP: gateway, namespace: 'bench-live', labels: { app: 'live' } }),
      service('live', { namespace: 'bench-live', selector: { app: 'live' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      endpointSlice('live-x1', { namespace: 'bench-live', serviceName: 'live', ports: [{ name: 'http', port: 8080 }], endpoints: [{ ip: pod.ip, podName: pod.name, nodeName: 'live-node' }] }),
    ];
    return {
      objects,
      agent,
      ip: pod.ip,
      pid,
      stop: async () => {
        agent.child.kill('SIGTERM');
        await fx.cleanup();
      },
    };
  } catch (err) {
    await fx.cleanup();
    throw err;
  }
}

export interface LiveFigures {
  rounds: number;
  /** Sorted, ms: the live answer minus the answer without live steps. */
  added: number[];
  /** Sorted, ms: the probes' own measured time (the slowest probe of the round). */
  probes: number[];
  /** Sorted, ms: added minus the probes' own time. */
  overhead: number[];
  /** Sorted, ms: the live answer's wall time. */
  live: number[];
  /** Sorted, ms: the same question without live steps. */
  quiet: number[];
  /** Sorted, ms: the live question asked again at once, minus the question without live steps and its own probes' time. */
  againOverhead: number[];
  /** Sorted, ms: the agent's socket read of the pod alone, asked right after (where the added time goes). */
  socketRead: number[];
  /** Sorted, ms: the answer's probe (the TCP connect) alone through the agent. */
  probeBatch: number[];
  /** Sorted, ms: the pod's four socket tables (/proc/<pid>/net/tcp, tcp6, udp, udp6) read alone in this process. */
  tables: number[];
  /** Sorted, ms: `why pod/… --port REFUSED_PORT` (refused, then the sockets read), added minus its probes' own time. */
  refusedOverhead: number[];
}

const liveStatus = (a: Answer, id: string) => a.diagnosis?.steps.find((s) => s.id === id)?.status;

/** `rounds` rounds after `warmup`, the two answers of a round back to back. */
export async function measureLive(live: LivePod, kubeconfigPath: string, rounds: number, warmup: number): Promise<LiveFigures> {
  const registry = new CommandRegistry(COMMANDS);
  const config = loadConfig({ KUBECONFIG: kubeconfigPath, LOG_LEVEL: 'warn', NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENTS: `live-node=${live.agent.url}` });
  const liveDeps = buildDeps(config, createLogger('warn'));
  // The same watch caches without the probers: the answer without live steps.
  const { probes: _probes, ...quietDeps } = liveDeps;
  const kube = liveDeps.kube!;
  const cluster = kube.cluster();
  cluster.start();
  if (!(await cluster.waitForSync(300_000))) throw new Error('the live run\'s caches did not sync');
  const probes = liveDeps.probes!;
  const [pod] = await cluster.pods({ namespace: 'bench-live' });
  const ref = pod ? podWorkloadRef(pod) : undefined;
  if (!ref || !probes.workloadSockets) throw new Error('the live pod is not in the cache with its containers');
  const host = { kind: 'node' as const, node: 'live-node', context: cluster.context };
  const out: LiveFigures = { rounds, added: [], probes: [], overhead: [], live: [], quiet: [], againOverhead: [], socketRead: [], probeBatch: [], tables: [], refusedOverhead: [] };
  const refusedQuestion = `why pod/bench-live/${pod!.name} --port ${REFUSED_PORT}`;
  try {
    for (let i = 0; i < warmup + rounds; i++) await round(i < warmup);
  } finally {
    await kube.stop();
  }
  for (const k of ['added', 'probes', 'overhead', 'live', 'quiet', 'againOverhead', 'socketRead', 'probeBatch', 'tables', 'refusedOverhead'] as const) out[k].sort((x, y) => x - y);
  return out;

  /** One question through the whole pipeline to its JSON, and its wall time in ms. */
  async function timed(text: string, deps: typeof quietDeps): Promise<{ a: Answer; ms: number }> {
    const t = performance.now();
    const a = await ask(text, registry, deps);
    JSON.stringify(a);
    return { a, ms: performance.now() - t };
  }

  async function round(warm: boolean): Promise<void> {
    await new Promise((r) => setTimeout(r, ROUND_GAP_MS));
    const { a: quiet, ms: quietMs } = await timed(`${QUESTION} --no-probe`, quietDeps);
    const { a, ms: liveMs } = await timed(QUESTION, liveDeps);
    if (liveStatus(quiet, 'probe') !== 'skip' || liveStatus(quiet, 'listening') !== 'skip') throw new Error(`the answer without live steps ran one: ${JSON.stringify(quiet.diagnosis)}`);
    if (a.diagnosis?.firstFailure !== null || liveStatus(a, 'listening') !== 'pass' || liveStatus(a, 'probe') !== 'pass') throw new Error(`the live answer is not healthy: ${JSON.stringify(a.diagnosis)}`);
    if (a.probes.some((p) => p.target !== live.ip)) throw new Error(`a probe went elsewhere than ${live.ip}`);
    const { a: again, ms: againMs } = await timed(QUESTION, liveDeps);
    if (again.diagnosis?.firstFailure !== null) throw new Error(`the live answer asked again is not healthy: ${JSON.stringify(again.diagnosis)}`);
    const t3 = performance.now();
    await probes.workloadSockets!(host, ref!);
    const t4 = performance.now();
    await probes.probeFrom(host, [{ kind: 'tcp', ip: live.ip, port: 8080 }], { timeoutMs: 1000, count: 1 });
    const t5 = performance.now();
    await Promise.all(['tcp', 'tcp6', 'udp', 'udp6'].map((t) => readFile(`/proc/${live.pid}/net/${t}`, 'utf8')));
    const t6 = performance.now();
    await new Promise((r) => setTimeout(r, ROUND_GAP_MS));
    const { ms: refusedQuietMs } = await timed(`${refusedQuestion} --no-probe`, quietDeps);
    const { a: refused, ms: refusedMs } = await timed(refusedQuestion, liveDeps);
    const listening = refused.diagnosis?.steps.find((s) => s.id === 'listening');
    if (refused.diagnosis?.firstFailure !== 'listening' || !listening?.evidence.startsWith(`Nothing listens on TCP ${REFUSED_PORT}`) || liveStatus(refused, 'probe') !== 'fail') throw new Error(`the refused question did not read the sockets after the probe: ${JSON.stringify(refused.diagnosis)}`);
    if (warm) return;
    out.refusedOverhead.push(refusedMs - refusedQuietMs - Math.max(...refused.probes.map((p) => p.ms ?? 0)));
    out.tables.push(t6 - t5);
    out.socketRead.push(t4 - t3);
    out.probeBatch.push(t5 - t4);
    const own = Math.max(...a.probes.map((p) => p.ms ?? 0));
    const added = liveMs - quietMs;
    out.added.push(added);
    out.probes.push(own);
    out.overhead.push(added - own);
    out.live.push(liveMs);
    out.quiet.push(quietMs);
    out.againOverhead.push(againMs - quietMs - Math.max(...again.probes.map((p) => p.ms ?? 0)));
  }
}

/** The RESULTS.md table rows of the live part. */
export function liveRows(f: LiveFigures): string {
  const ms = (v: number) => `${v.toFixed(3)} ms`;
  const pp = (xs: number[]) => `${ms(percentile(xs, 50))} / ${ms(percentile(xs, 99))}`;
  const p50 = percentile(f.overhead, 50);
  const p99 = percentile(f.overhead, 99);
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  return [
    `| \`${QUESTION}\` with the live steps (listening through the agent, probe from it), p50 / p99 of ${f.rounds} | ${pp(f.live)} | |`,
    `| the same question without live steps (--no-probe, no agent), same rounds | ${pp(f.quiet)} | |`,
    `| added by the live steps, p50 / p99 | ${pp(f.added)} | |`,
    `| the probes' own measured time (slowest probe of the round), p50 / p99 | ${pp(f.probes)} | |`,
    `| the agent's socket read alone (POST /v1/workload/sockets: what a refused or dropped connection adds after the probe), p50 / p99 | ${pp(f.socketRead)} | |`,
    `| for comparison: all four socket tables of the pod (/proc/<pid>/net/tcp, tcp6, udp, udp6) read alone, p50 / p99 | ${pp(f.tables)} | |`,
    `| where it goes: the answer's probe alone through the agent (POST /v1/probe: the TCP connect; no ICMP echo beside a connect that answers), p50 / p99 | ${pp(f.probeBatch)} | |`,
    `| **added minus the probes' own time**, p50 | **${ms(p50)}** | ≤ 10 ms: ${met(p50 <= 10)} |`,
    `| **added minus the probes' own time**, p99 | **${ms(p99)}** | ≤ 10 ms: ${met(p99 <= 10)} |`,
    `| a path broken at listening (\`why pod/bench-live/<pod> --port ${REFUSED_PORT}\`: the probe is refused, then the agent reads the sockets to say why), added minus the probes' own time, p50 / p99 | ${pp(f.refusedOverhead)} | |`,
    `| the same, for the question asked again at once (no ${ROUND_GAP_MS} ms pause before it), p50 / p99 | ${pp(f.againOverhead)} | |`,
  ].join('\n');
}
