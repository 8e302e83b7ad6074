/**
 * `reach <a> <b> --no-probe` from a warm cache (issue 13: p50 ≤ 2 ms, p99 ≤ 10 ms) with 10,000 pods and
 * 2,000 NetworkPolicies in the test API server, the policy engine's memory after indexing, and, in the
 * same run, the same questions answered by a naive full scan: no index, every question reads and
 * compiles all 2,000 policies before evaluating. No packet is sent: --no-probe, and these Deps have no
 * prober. Results: the policy section of bench/RESULTS.md.
 *
 * Run compiled: `npm run bench:policy` (tsc -p bench/tsconfig.kube.json, then node --expose-gc).
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { ask } from '../src/core/ask.js';
import { CommandRegistry } from '../src/core/registry.js';
import { assembleDeps, type Deps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { PolicyEngine } from '../src/net/policy-engine.js';
import { policyPod } from '../src/sources/kube-policy-endpoints.js';
import { createKubeSource } from '../src/sources/kubernetes.js';
import { startChild } from './child-process.js';
import { PODS, podOf } from './kube-cluster-shape.js';
import { POLICIES } from './policy-shape.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const QUESTIONS = 5_000;
const WARMUP = 500;
/** The naive scan is slow: fewer questions, the same kind. */
const NAIVE_QUESTIONS = 300;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const ms = (v: number) => `${v.toFixed(3)} ms`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Random pod pairs; every other question asks about a port (TCP 8080, the pods' http port). */
function questions(n: number, seed: number): string[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) % PODS);
  return Array.from({ length: n }, (_, i) => {
    const a = podOf(rand());
    const b = podOf(rand());
    return `reach ${a.namespace}/${a.name} ${b.namespace}/${b.name} --no-probe${i % 2 === 0 ? ' --port 8080' : ''}`;
  });
}

async function main(): Promise<void> {
  const cluster = await startChild(new URL('./kube-cluster-fixture.ts', import.meta.url), { NETPEEK_BENCH_POLICIES: '1' });
  try {
    const config = loadConfig({ KUBECONFIG: String(cluster.ready.kubeconfigPath), LOG_LEVEL: 'warn' });
    const deps: Deps = assembleDeps({ config, log: createLogger('warn'), kube: createKubeSource(config.kube) });
    const registry = new CommandRegistry(COMMANDS);
    const kube = deps.kube!.cluster();
    const t0 = performance.now();
    kube.start();
    if (!(await kube.waitForSync(300_000))) throw new Error('caches did not sync');
    const syncMs = performance.now() - t0;
    const counts = kube.cacheStates().map((s) => `${s.resource} ${s.objects}`).join(', ');
    const policies = await kube.networkPolicies();
    const namespaces = await kube.namespaces();
    if (policies.length !== POLICIES) throw new Error(`expected ${POLICIES} policies, the cache has ${policies.length}`);

    // The engine's memory: heap before and after indexing, with the engine kept alive.
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const tIndex = performance.now();
    const engine = await kube.policyEngine();
    const indexMs = performance.now() - tIndex;
    gc();
    const engineBytes = process.memoryUsage().heapUsed - heapBefore;

    for (const q of questions(WARMUP, 7)) JSON.stringify(await ask(q, registry, deps));
    const latencies: number[] = [];
    const verdicts = { allowed: 0, denied: 0, none: 0, some: 0, all: 0 };
    for (const q of questions(QUESTIONS, 42)) {
      const start = performance.now();
      const answer = await ask(q, registry, deps);
      JSON.stringify(answer);
      latencies.push(performance.now() - start);
      const v = answer.policy;
      if (!v?.evaluated) throw new Error(`not evaluated: ${q}: ${v?.reason}`);
      if (v.port) verdicts[v.port.verdict] += 1;
      else verdicts[v.allowed === 'all' ? 'all' : v.allowed === 'none' ? 'none' : 'some'] += 1;
    }
    latencies.sort((a, b) => a - b);
    if ((await kube.policyEngine()) !== engine) throw new Error('the engine was rebuilt during the run: the index is not being kept');

    // The baseline: the same questions without an index. Pods come from the same cache; each question
    // compiles and scans every policy (what a tool that keeps no index does per question).
    const pods = new Map((await kube.pods()).map((p) => [`${p.namespace}/${p.name}`, p]));
    const naive: number[] = [];
    const naiveQuestions = questions(NAIVE_QUESTIONS, 42);
    let agree = 0;
    for (const q of naiveQuestions) {
      const [, from, to, , , port] = q.split(' ');
      const start = performance.now();
      const scan = new PolicyEngine({ policies: await kube.networkPolicies(), namespaces: await kube.namespaces() });
      const v = scan.evaluate({ kind: 'pod', pod: policyPod(pods.get(from!)!) }, { kind: 'pod', pod: policyPod(pods.get(to!)!) }, port ? { protocol: 'TCP', port: Number(port) } : undefined).verdict;
      naive.push(performance.now() - start);
      const indexed = engine.evaluate({ kind: 'pod', pod: policyPod(pods.get(from!)!) }, { kind: 'pod', pod: policyPod(pods.get(to!)!) }, port ? { protocol: 'TCP', port: Number(port) } : undefined).verdict;
      if (JSON.stringify(v) === JSON.stringify(indexed)) agree += 1;
    }
    naive.sort((a, b) => a - b);
    if (agree !== naiveQuestions.length) throw new Error(`the naive scan and the index disagree on ${naiveQuestions.length - agree} questions`);
    await deps.kube!.stop();

    const uptime = execFileSync('uptime', [], { encoding: 'utf8' }).trim();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    const md = `## \`reach --no-probe\`: NetworkPolicy verdicts from the warm cache (\`npm run bench:policy\`)

Run ${new Date().toISOString()} on ${machineLine()}. \`uptime\` at the end: \`${uptime}\`.

Test API server in its own process: ${PODS.toLocaleString('en')} pods, ${POLICIES.toLocaleString('en')} NetworkPolicies (bench/policy-shape.ts: per namespace a default deny and 39 of pod selectors, namespace + pod selectors, ipBlocks with except, named ports, endPort ranges, matchExpressions, egress with UDP). netpeek (this process) with the real client-node list+watch caches (${counts}), synced in ${(syncMs / 1000).toFixed(1)} s. Every question goes through the whole pipeline (parse → registry → reach → engine → Answer → JSON) and sends no packet; ${(verdicts.allowed + verdicts.denied).toLocaleString('en')} asked about TCP 8080 (${verdicts.allowed} allowed, ${verdicts.denied} denied), ${(verdicts.all + verdicts.some + verdicts.none).toLocaleString('en')} without a port (${verdicts.all} all, ${verdicts.some} some ports, ${verdicts.none} none).

| what | result | target |
| --- | --- | --- |
| \`reach a b --no-probe\` p50, warm cache (${QUESTIONS.toLocaleString('en')} questions, random pod pairs) | **${ms(p50)}** | ≤ 2 ms: ${met(p50 <= 2)} |
| \`reach a b --no-probe\` p99 | **${ms(p99)}** | ≤ 10 ms: ${met(p99 <= 10)} |
| max | ${ms(latencies.at(-1)!)} | |
| engine: indexing ${POLICIES.toLocaleString('en')} policies (compile selectors, group by namespace) | ${ms(indexMs)}, once per change of policies or namespaces | |
| engine memory after indexing (JS heap growth, after GC) | **${mb(engineBytes)} MB** | |
| naive full scan, same questions, same run: p50 / p99 of ${NAIVE_QUESTIONS} (engine only, no Answer) | ${ms(percentile(naive, 50))} / ${ms(percentile(naive, 99))} | baseline |
| naive p50 ÷ indexed \`reach\` p50 | ${(percentile(naive, 50) / p50).toFixed(0)} × | |

The baseline compiles and scans all ${POLICIES.toLocaleString('en')} policies for every question, then evaluates; it gave the same verdict as the index on all ${NAIVE_QUESTIONS} questions (checked in the run). The index is kept while the NetworkPolicy and Namespace caches are unchanged (checked: the same engine answered every question) and rebuilt on the next question after a watch event. The machine runs other suites at the same time, so latencies carry that noise (see the load).
`;
    writeSection('policy', md);
    process.stdout.write(md);
  } finally {
    cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:policy failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
