/**
 * `pod` answers from the warm watch cache (DESIGN.md: p50 ≤ 5 ms, p99 ≤ 20 ms with 10,000 pods,
 * 2,000 services and 500 nodes; RSS ≤ 300 MB), compared in the same run with
 * `kubectl get pod <name> -o wide` against the same test API server.
 *
 * The API server runs in a child process (bench/kube-cluster-fixture.ts) so this process's RSS is
 * netpeek's alone: the KubeSource with its five caches, the command registry, and the answers. Each
 * timed question goes through the whole pipeline (parse → registry → pod command → Answer →
 * JSON.stringify, the JSON renderer). Results: the kube-pod section of bench/RESULTS.md.
 *
 * Run compiled (`npm run bench:kube` = `tsc -p bench/tsconfig.kube.json && node --expose-gc
 * dist/bench-kube/bench/kube-pod.js`): under tsx the loader alone adds ~80 MB of RSS once
 * client-node is imported, which is not netpeek's. `node --expose-gc --import tsx bench/kube-pod.ts`
 * works too, for a quick look; the results then say which way it ran.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { ask } from '../src/core/ask.js';
import { assembleDeps, type Deps } from '../src/deps.js';
import { CommandRegistry } from '../src/core/registry.js';
import { createLogger } from '../src/log.js';
import { createKubeSource } from '../src/sources/kubernetes.js';
import { kubectlAvailable, runKubectl } from '../test/support/kube-apiserver/kubectl.js';
import { NAMESPACES, NODES, PODS, SERVICES, podOf } from './kube-cluster-shape.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const QUESTIONS = 5_000;
const WARMUP = 500;
const KUBECTL_RUNS = 30;
/** Running from TypeScript (tsx) or from the tsc output in dist/bench-kube. */
const UNDER_TSX = import.meta.url.endsWith('.ts');

/** The repository root: the nearest directory above this file whose package.json is netpeek's. */
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const ms = (v: number) => `${v.toFixed(2)} ms`;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function startCluster(): Promise<{ kubeconfigPath: string; url: string; buildMs: number; stop: () => void }> {
  const script = fileURLToPath(new URL(UNDER_TSX ? './kube-cluster-fixture.ts' : './kube-cluster-fixture.js', import.meta.url));
  const child = spawn(process.execPath, [...(UNDER_TSX ? ['--import', 'tsx'] : []), script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the API server process exited (${code}) before it was ready`)));
  });
  const info = JSON.parse(first) as { kubeconfigPath: string; url: string; buildMs: number };
  return { ...info, stop: () => child.stdin!.end() };
}

/** Random pods, half asked with -n and half without (the cross-namespace lookup). */
function questions(n: number, seed: number): string[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) % PODS);
  return Array.from({ length: n }, (_, i) => {
    const p = podOf(rand());
    return i % 2 === 0 ? `pod ${p.name} -n ${p.namespace}` : `pod ${p.name}`;
  });
}

async function main(): Promise<void> {
  const cluster = await startCluster();
  try {
    gc();
    const rssStart = process.memoryUsage().rss;
    const config = loadConfig({ KUBECONFIG: cluster.kubeconfigPath, LOG_LEVEL: 'warn' });
    const deps: Deps = assembleDeps({ config, log: createLogger('warn'), kube: createKubeSource(config.kube) });
    const registry = new CommandRegistry(COMMANDS);

    const t0 = performance.now();
    deps.kube!.start();
    if (!(await deps.kube!.cluster().waitForSync(300_000))) throw new Error('caches did not sync');
    const syncMs = performance.now() - t0;
    const counts = deps.kube!.cluster().cacheStates().map((s) => `${s.resource} ${s.objects}`).join(', ');
    gc();
    const rssSynced = process.memoryUsage().rss;
    const heapSynced = process.memoryUsage().heapUsed;

    for (const q of questions(WARMUP, 7)) JSON.stringify(await ask(q, registry, deps));
    const latencies: number[] = [];
    for (const q of questions(QUESTIONS, 42)) {
      const start = performance.now();
      const answer = await ask(q, registry, deps);
      JSON.stringify(answer);
      latencies.push(performance.now() - start);
      if (!answer.addresses[0]) throw new Error(`no address in the answer to ${q}`);
    }
    latencies.sort((a, b) => a - b);
    const rssAfter = process.memoryUsage().rss;
    const maxRss = process.resourceUsage().maxRSS * 1024;

    const kubectl: number[] = [];
    let kubectlFirst = NaN;
    if (kubectlAvailable()) {
      for (const [i, q] of questions(KUBECTL_RUNS + 1, 99).entries()) {
        const [, name, , ns] = q.split(' ');
        const args = ns ? ['get', 'pod', name!, '-n', ns, '-o', 'wide'] : ['get', 'pods', '-A', '--field-selector', `metadata.name=${name}`, '-o', 'wide'];
        const start = performance.now();
        const r = await runKubectl({ kubeconfigPath: cluster.kubeconfigPath }, args);
        const took = performance.now() - start;
        if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
        if (i === 0) kubectlFirst = took;
        else kubectl.push(took);
      }
      kubectl.sort((a, b) => a - b);
    }
    await deps.kube!.stop();

    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
    const md = `## \`pod\` answers from the watch cache (\`npm run bench:kube\`)

Run ${new Date().toISOString()} on ${machineLine()}.

netpeek ran ${UNDER_TSX ? 'under tsx (its loader adds RSS; `npm run bench:kube` runs the compiled code)' : 'compiled by tsc, as in production'}${(globalThis as { gc?: unknown }).gc ? ', with --expose-gc' : ''}. Test API server in its own process with ${PODS.toLocaleString('en')} pods (2 containers each) in ${NAMESPACES} namespaces, ${SERVICES.toLocaleString('en')} Services (named targetPort) with one EndpointSlice each, ${NODES} nodes; built in ${(cluster.buildMs / 1000).toFixed(1)} s. netpeek (this process) uses the real @kubernetes/client-node 1.4: paged lists (500 per page) then watches.

| what | result | target |
| --- | --- | --- |
| time to first sync, all five caches (${counts}) | ${(syncMs / 1000).toFixed(2)} s | |
| \`pod\` answer p50, warm cache (${QUESTIONS} questions, half without -n) | **${ms(p50)}** | ≤ 5 ms: ${verdict(p50 <= 5)} |
| \`pod\` answer p99 | **${ms(p99)}** | ≤ 20 ms: ${verdict(p99 <= 20)} |
| \`pod\` answer max | ${ms(latencies.at(-1)!)} | |
| RSS at start / after sync (after GC) / after the questions / peak | ${mb(rssStart)} / ${mb(rssSynced)} / ${mb(rssAfter)} / **${mb(maxRss)} MB** | ≤ 300 MB: ${verdict(maxRss <= 300 * 2 ** 20)} |
| JS heap used after sync (after GC) | ${mb(heapSynced)} MB | |
| \`kubectl get pod <name> -o wide\`, same server, same run, p50 / p99 of ${kubectl.length} | ${kubectl.length ? `${ms(percentile(kubectl, 50))} / ${ms(percentile(kubectl, 99))}` : 'kubectl not available'} | baseline |
| the first kubectl run (discovery cache cold) | ${Number.isNaN(kubectlFirst) ? '—' : ms(kubectlFirst)} | |

A \`pod\` answer here covers more than kubectl's row: the node and its pod CIDR, every container's ports, the Services selecting the pod with their targetPorts resolved, and the EndpointSlice state. kubectl's time includes starting a process; netpeek's does not, since the bot is long-running. Half the kubectl runs use \`-A --field-selector metadata.name=…\`, like netpeek's lookups without -n. The peak RSS includes the initial paged lists being decoded; the machine runs other suites at the same time, so latencies carry that noise (see the load average).
`;
    writeSection('kube-pod', md);
    process.stdout.write(md);
  } finally {
    cluster.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:kube failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
