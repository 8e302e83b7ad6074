/**
 * `why svc/<name> --no-probe` from a warm cache (issue 15: p50 ≤ 5 ms, p99 ≤ 20 ms) with 10,000 pods,
 * 2,000 Services and 2,000 NetworkPolicies in the test API server (the bench:policy cluster), and in the
 * same run two baselines: `svc <name> -n <ns>` (netpeek's plain Service answer from the same cache) and
 * the walk a person does by hand with kubectl (Service, EndpointSlices, the selected pods, the
 * namespace's NetworkPolicies). No packet is sent there: --no-probe, and these Deps have no prober.
 * Then the live run (bench/why-live.ts): the live steps' added time against one real pod on this machine,
 * minus the probes' own time (issue 15: ≤ 10 ms). Results: the why section of bench/RESULTS.md.
 *
 * Run compiled: `npm run bench:why` (the build, for the agent's bundle; tsc -p bench/tsconfig.kube.json;
 * then node --expose-gc). Needs Docker and root (the agent reads the pod's sockets through /proc).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { ask } from '../src/core/ask.js';
import { CommandRegistry } from '../src/core/registry.js';
import { assembleDeps, type Deps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { createKubeSource } from '../src/sources/kubernetes.js';
import { kubectlAvailable, runKubectl } from '../test/support/kube-apiserver/kubectl.js';
import { startChild } from './child-process.js';
import { NAMESPACES, PODS, SERVICES } from './kube-cluster-shape.js';
import { POLICIES } from './policy-shape.js';
import { liveRows, measureLive, ROUND_GAP_MS, startLivePod } from './why-live.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const QUESTIONS = 5_000;
const WARMUP = 500;
const KUBECTL_WALKS = 10;
const LIVE_ROUNDS = 300;
const LIVE_WARMUP = 30;

const ms = (v: number) => `${v.toFixed(3)} ms`;
const UNDER_TSX = import.meta.url.endsWith('.ts');

/** Random Services: a third as svc/<ns>/<name>, a third as svc/<name> (found in whichever namespace), a third with --port 80. */
function services(n: number, seed: number): { ns: string; name: string; form: number }[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) % SERVICES);
  return Array.from({ length: n }, (_, i) => {
    const s = rand();
    return { ns: `team-${s % NAMESPACES}`, name: `svc-${s}`, form: i % 3 };
  });
}

const whyQuestion = (s: { ns: string; name: string; form: number }) =>
  s.form === 0 ? `why svc/${s.ns}/${s.name} --no-probe` : s.form === 1 ? `why svc/${s.name} --no-probe` : `why ${s.name}.${s.ns}.svc.cluster.local --port 80 --no-probe`;

async function timed(list: string[], registry: CommandRegistry<Deps>, deps: Deps, check: (q: string, a: Awaited<ReturnType<typeof ask>>) => void): Promise<number[]> {
  const out: number[] = [];
  for (const q of list) {
    const start = performance.now();
    const answer = await ask(q, registry, deps);
    JSON.stringify(answer);
    out.push(performance.now() - start);
    check(q, answer);
  }
  return out.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  // The live run's pod and its node's agent first: the pod's objects go into the cluster.
  const livePod = await startLivePod();
  const cluster = await startChild(new URL('./kube-cluster-fixture.ts', import.meta.url), { NETPEEK_BENCH_POLICIES: '1', NETPEEK_BENCH_EXTRA_OBJECTS: JSON.stringify(livePod.objects) }).catch(async (err: unknown) => {
    await livePod.stop();
    throw err;
  });
  try {
    const kubeconfigPath = String(cluster.ready.kubeconfigPath);
    const config = loadConfig({ KUBECONFIG: kubeconfigPath, LOG_LEVEL: 'warn' });
    const deps: Deps = assembleDeps({ config, log: createLogger('warn'), kube: createKubeSource(config.kube) });
    const registry = new CommandRegistry(COMMANDS);
    const kube = deps.kube!.cluster();
    const t0 = performance.now();
    kube.start();
    if (!(await kube.waitForSync(300_000))) throw new Error('caches did not sync');
    const syncMs = performance.now() - t0;
    const counts = kube.cacheStates().map((s) => `${s.resource} ${s.objects}`).join(', ');
    if ((await kube.networkPolicies()).length !== POLICIES) throw new Error(`expected ${POLICIES} policies in the cache`);

    const steps = new Map<string, number>();
    const checkWhy = (q: string, a: Awaited<ReturnType<typeof ask>>) => {
      const d = a.diagnosis;
      if (!d || d.steps.find((s) => s.id === 'service')?.status !== 'pass') throw new Error(`${q}: no passing service step in ${JSON.stringify(d)}`);
      if (d.steps.some((s) => s.id === 'probe' && s.status !== 'skip')) throw new Error(`${q}: a live step ran`);
      const key = `${d.firstFailure ?? 'none'}`;
      steps.set(key, (steps.get(key) ?? 0) + 1);
    };
    await timed(services(WARMUP, 7).map(whyQuestion), registry, deps, checkWhy);
    steps.clear();
    const asked = services(QUESTIONS, 42);
    const why = await timed(asked.map(whyQuestion), registry, deps, checkWhy);
    const engineKept = (await kube.policyEngine()) === (await kube.policyEngine());

    // Baseline 1: netpeek's plain Service answer for the same Services, from the same cache.
    const svc = await timed(asked.map((s) => `svc ${s.name} -n ${s.ns}`), registry, deps, (q, a) => {
      if (a.command !== 'svc') throw new Error(`${q}: not a svc answer`);
    });

    // Baseline 2: the same walk by hand with kubectl (one process per command, as a person runs them).
    const walks: number[] = [];
    if (kubectlAvailable()) {
      for (const s of services(KUBECTL_WALKS + 1, 99)) {
        const start = performance.now();
        for (const args of [
          ['get', 'svc', s.name, '-n', s.ns, '-o', 'wide'],
          ['get', 'endpointslices', '-n', s.ns, '-l', `kubernetes.io/service-name=${s.name}`],
          ['get', 'pods', '-n', s.ns, '-l', `app=${s.name}`, '-o', 'wide'],
          ['get', 'networkpolicies', '-n', s.ns],
        ]) {
          const r = await runKubectl({ kubeconfigPath }, args);
          if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
        }
        walks.push(performance.now() - start);
      }
      walks.shift(); // the first fills kubectl's discovery cache
      walks.sort((a, b) => a - b);
    }
    await deps.kube!.stop();

    const live = await measureLive(livePod, kubeconfigPath, LIVE_ROUNDS, LIVE_WARMUP);

    const uptime = execFileSync('uptime', [], { encoding: 'utf8' }).trim();
    const load1 = loadavg()[0] ?? 0;
    const p50 = percentile(why, 50);
    const p99 = percentile(why, 99);
    const met = (ok: boolean) => (ok ? 'met' : '**missed**');
    const outcomes = [...steps.entries()].sort().map(([k, n]) => `${n.toLocaleString('en')} ${k === 'none' ? 'with no failing step' : `broken at ${k}`}`).join(', ');
    const md = `## \`why svc/<name>\` from the warm cache, without and with the live steps (\`npm run bench:why\`)

Run ${new Date().toISOString()} on ${machineLine()}. \`uptime\` at the end: \`${uptime}\`.

netpeek ran ${UNDER_TSX ? 'under tsx' : 'compiled by tsc, as in production'}. Test API server in its own process (the bench:policy cluster): ${PODS.toLocaleString('en')} pods, ${SERVICES.toLocaleString('en')} Services (named targetPort, one EndpointSlice each), ${POLICIES.toLocaleString('en')} NetworkPolicies, ${NAMESPACES} namespaces. netpeek (this process) with the real client-node list+watch caches (${counts}), synced in ${(syncMs / 1000).toFixed(1)} s. Each question goes through the whole pipeline (parse → registry → why → resolve/service/selector/target-port/endpoints/policy → Answer → JSON) with \`--no-probe\`: a third \`svc/<ns>/<name>\`, a third \`svc/<name>\` (looked up across namespaces), a third the DNS name with \`--port 80\`. Outcomes: ${outcomes} (every namespace has a default deny plus policies with rules, so the policy step warns or fails without a client).

| what | result | target |
| --- | --- | --- |
| \`why svc/<name> --no-probe\` p50 (${QUESTIONS.toLocaleString('en')} questions, random Services) | **${ms(p50)}** | ≤ 5 ms: ${met(p50 <= 5)} |
| \`why svc/<name> --no-probe\` p99 | **${ms(p99)}** | ≤ 20 ms: ${met(p99 <= 20)} |
| max | ${ms(why.at(-1)!)} | |
| \`svc <name> -n <ns>\`, same Services, same cache, same run: p50 / p99 | ${ms(percentile(svc, 50))} / ${ms(percentile(svc, 99))} | baseline (netpeek) |
| the same walk with kubectl (get svc, endpointslices, pods -l, networkpolicies: 4 processes), p50 / p99 of ${walks.length} | ${walks.length ? `${ms(percentile(walks, 50))} / ${ms(percentile(walks, 99))}` : 'kubectl not available'} | baseline (by hand) |
| policy engine kept across the questions | ${engineKept ? 'yes' : '**no**'} | |

The kubectl walk only fetches what a person would then read and compare; \`why\` also does the comparing (selector near misses, named targetPort on every selected pod, each not-ready pod's reason, the isolating policies). The machine runs other suites at the same time, so latencies carry that noise (see the load).

### With the live steps (issue 15: the probes' own time plus ≤ 10 ms)

Same cluster plus one real pod on this machine (pause + httpd on 8080 in its namespace, on Docker's default bridge: like a CNI pod's, its namespace holds only what the pod runs — a user-defined Docker network would add Docker's embedded-DNS sockets, which no Kubernetes pod has) behind Service bench-live/live; its node's agent is the built \`netpeek agent\` on 127.0.0.1 (workload vantage on; allow-list: that bridge's subnet only). Each of ${live.rounds} rounds (after ${LIVE_WARMUP} to warm up; rounds ${ROUND_GAP_MS} ms apart, as questions people ask are) asks the question without live steps (\`--no-probe\`, no agent: listening and probe skipped), then with them (probe: a TCP connect to the pod IP from the agent — with a port, \`why\` sends an ICMP echo only after a connect that got no answer; listening: answered by the probe's accepted connection, the pod's sockets read by the agent only when a connection is not accepted), from the same warm caches, then once more at once; then, 150 ms later, a path broken at listening (the pod asked on a port nothing listens on: refused, so the sockets are read after the probe), against the same question without live steps. The probes' own time is the slowest probe's measured time in that answer; everything else — the agent's HTTP round trips and signatures, the socket read when there is one, the step sentences — counts as added by netpeek.

| what | p50 / p99 or result | target |
| --- | --- | --- |
${liveRows(live)}

Reading a namespace's socket tables is mostly the kernel's work: /proc/<pid>/net/tcp and tcp6 each walk the host's whole TCP hash table (shared by every namespace unless net.ipv4.tcp_child_ehash_entries gives new namespaces their own) to pick out that namespace's sockets. netpeek reads only the tables whose protocol has sockets in use in the namespace (its sockstat counts; the bench's httpd listens on ::, so tcp6 alone), stops reading a table once it holds every listener (at the first row that is not LISTEN, or once the listeners reach the sockstat count: the read that only says end-of-file would walk the hash a second time), and finds the namespace's processes without walking /proc (the last walk's processes are checked and read first). The row with all four tables read alone shows what that saves. \`ss\` avoids the table walk through netlink, but started in the pod's namespace (nsenter + ss, a process start per read) it measured no faster on this machine.
${load1 > 2 ? `\nThe 1-minute load was ${load1.toFixed(2)} on ${cpus().length} cores at the end of this run: the agent, fping and netpeek waited for the CPU behind other suites, so these figures overstate the overhead; re-run at low load with \`npm run bench:why\`.\n` : ''}`;
    writeSection('why', md);
    process.stdout.write(md);
  } finally {
    cluster.stop();
    await livePod.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:why failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
