/**
 * One point of bench:scale, in its own process so its RSS is netpeek's alone and nothing is left from the
 * previous size: the bot's KubeSource syncs the benchmark cluster (KUBECONFIG; its size from BENCH_PODS),
 * then answers `pod` and `reach --no-probe` questions through the whole pipeline (parse → registry →
 * command → Answer → JSON). Prints one JSON line with the figures and exits when its stdin closes. Sends no packet.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { ask } from '../src/core/ask.js';
import { CommandRegistry } from '../src/core/registry.js';
import { assembleDeps, type Deps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { createKubeSource } from '../src/sources/kubernetes.js';
import { PODS, podOf } from './kube-cluster-shape.js';
import { percentile } from './results-file.js';

const POD_QUESTIONS = 3_000;
const REACH_QUESTIONS = 2_000;
const WARMUP = 300;
// startChild runs this without node flags: expose gc from inside, so RSS "after GC" means that.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function randomPods(seed: number): () => ReturnType<typeof podOf> {
  let x = seed;
  return () => podOf((x = (x * 1103515245 + 12345) >>> 0) % PODS);
}

async function timed(questions: string[], registry: CommandRegistry, deps: Deps, check: (q: string, a: Awaited<ReturnType<typeof ask>>) => void): Promise<number[]> {
  const out: number[] = [];
  for (const q of questions) {
    const t = performance.now();
    const answer = await ask(q, registry, deps);
    JSON.stringify(answer);
    out.push(performance.now() - t);
    check(q, answer);
  }
  return out.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig) throw new Error('KUBECONFIG must name the benchmark cluster');
  // The open stdin keeps this process alive while the caches sync (there is no server here to do it).
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  gc();
  const rssStart = process.memoryUsage().rss;
  const config = loadConfig({ KUBECONFIG: kubeconfig, LOG_LEVEL: 'warn' });
  const deps: Deps = assembleDeps({ config, log: createLogger('warn'), kube: createKubeSource(config.kube) });
  const registry = new CommandRegistry(COMMANDS);
  const cluster = deps.kube!.cluster();
  const t0 = performance.now();
  deps.kube!.start();
  if (!(await cluster.waitForSync(600_000))) throw new Error('caches did not sync within 10 minutes');
  const syncMs = performance.now() - t0;
  const peakDuringSync = process.resourceUsage().maxRSS * 1024;
  const counts = Object.fromEntries(cluster.cacheStates().map((s) => [s.resource, s.objects]));
  gc();
  const rssSynced = process.memoryUsage().rss;
  const heapSynced = process.memoryUsage().heapUsed;

  const pick = randomPods(7);
  const podQ = (n: number) => Array.from({ length: n }, (_, i) => {
    const p = pick();
    return i % 2 === 0 ? `pod ${p.name} -n ${p.namespace}` : `pod ${p.name}`;
  });
  const reachQ = (n: number) => Array.from({ length: n }, (_, i) => {
    const a = pick();
    const b = pick();
    return `reach ${a.namespace}/${a.name} ${b.namespace}/${b.name} --no-probe${i % 2 === 0 ? ' --port 8080' : ''}`;
  });
  const hasAddress = (q: string, a: Awaited<ReturnType<typeof ask>>) => {
    if (!a.addresses[0]) throw new Error(`no address in the answer to ${q}`);
  };
  const evaluated = (q: string, a: Awaited<ReturnType<typeof ask>>) => {
    if (!a.policy?.evaluated) throw new Error(`policies not evaluated for ${q}: ${a.policy?.reason ?? a.summary}`);
  };
  await timed(podQ(WARMUP), registry, deps, hasAddress);
  const pod = await timed(podQ(POD_QUESTIONS), registry, deps, hasAddress);
  // The first reach builds the policy index (once per change of policies or namespaces): timed apart.
  const tIndex = performance.now();
  await timed(reachQ(1), registry, deps, evaluated);
  const firstReachMs = performance.now() - tIndex;
  await timed(reachQ(WARMUP), registry, deps, evaluated);
  const reach = await timed(reachQ(REACH_QUESTIONS), registry, deps, evaluated);
  const rssAfter = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  await deps.kube!.stop();
  process.stdout.write(
    `${JSON.stringify({
      pods: PODS,
      counts,
      syncMs,
      rssStartMb: rssStart / 2 ** 20,
      rssSyncedMb: rssSynced / 2 ** 20,
      heapSyncedMb: heapSynced / 2 ** 20,
      peakDuringSyncMb: peakDuringSync / 2 ** 20,
      rssAfterMb: rssAfter / 2 ** 20,
      peakMb: peak / 2 ** 20,
      pod: { p50: percentile(pod, 50), p99: percentile(pod, 99), max: pod.at(-1) },
      reach: { p50: percentile(reach, 50), p99: percentile(reach, 99), max: reach.at(-1), firstMs: firstReachMs },
    })}\n`,
  );
  // Like the other bench children, it exits when the driver closes stdin (an exit right away can beat the line).
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale point failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
