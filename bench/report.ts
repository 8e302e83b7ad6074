/**
 * A scheduled report over 1,000 targets spread over 10 agents (issue 6's benchmark), local addresses only.
 *
 * Ten network-namespace labs (test/support/netns.ts, one /24 each). In each, namespace 0 runs a real
 * `netpeek agent` process (allow-list = that lab's subnet) and namespace 1 owns 50 addresses; 50 more
 * addresses of the /24 are owned by nobody. The test API server holds 1,000 pods with those addresses,
 * 100 on each agent's node; the report selects them by label and probes ICMP from each pod's node.
 *
 *  1. Wall time of a run (resolve from the warm watch cache → 10 agents in parallel → 1,000 rows), vs
 *     the slowest agent's own `fping -c1 -t500 -i1` sweep of its share, all ten sweeps at once in the
 *     agents' namespaces, alternated with the report in the same run.
 *  2. Rows written per second to the SQLite history (one transaction per run).
 *  3. The Slack message's size: blocks, bytes, thread replies.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StaticAgentDirectory } from '../src/probe/agent-directory.js';
import { ProbeRouter } from '../src/probe/probe-router.js';
import type { ReportDefinition } from '../src/reports/definitions.js';
import { diffRuns, verdictLine } from '../src/reports/diff.js';
import { tickKeyOf, type ReportRun } from '../src/reports/model.js';
import { toReportMessage } from '../src/render/report-blocks.js';
import { reportDigest } from '../src/reports/report-digest.js';
import { runReport } from '../src/reports/run.js';
import { SqliteReportHistory } from '../src/reports/sqlite-history.js';
import { createKubeSource } from '../src/sources/kubernetes.js';
import { buildAgentBundle, startAgentIn, type AgentProcess } from '../test/integration/agent/agent-process.js';
import { node, pod } from '../test/support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../test/support/kube-apiserver/index.js';
import { createLab, type Lab } from '../test/support/netns.js';
import { machineLine, median, writeSection } from './results-file.js';

const AGENTS = 10;
const OWNED = 50; // per lab, answering
const UNOWNED = 50; // per lab, nobody there
const ROUNDS = 5;
const SAVES = 20;

function fpingIn(lab: Lab, ns: string, ips: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile('ip', ['netns', 'exec', ns, 'fping', '-c1', '-t500', '-i1', '-q', ...ips], { maxBuffer: 4 * 1024 * 1024 }, (err) => {
      // fping exits 1 when some targets are unreachable: expected here.
      if (err && typeof err.code !== 'number') reject(err);
      else resolve(performance.now() - t0);
    });
  });
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the report benchmark needs root (network namespaces)');
  const labs: Lab[] = [];
  const agents: AgentProcess[] = [];
  let api: KubeApiServer | undefined;
  let bundle: { file: string; remove(): void } | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-bench-report-'));
  const kube = { source: undefined as ReturnType<typeof createKubeSource> | undefined };
  try {
    bundle = await buildAgentBundle();
    const secret = randomBytes(24).toString('hex');
    const shares: string[][] = [];
    const objects = [];
    for (let i = 0; i < AGENTS; i++) {
      const lab = await createLab({ nodes: 2 });
      labs.push(lab);
      const prefix = lab.subnet.split('.').slice(0, 3).join('.');
      const [agentNs, owner] = lab.nodes as [Lab['nodes'][number], Lab['nodes'][number]];
      const owned = [owner.ip];
      for (let h = 20; owned.length < OWNED; h++) {
        await lab.exec(owner.ns, 'ip', ['addr', 'add', `${prefix}.${h}/24`, 'dev', 'eth0']);
        owned.push(`${prefix}.${h}`);
      }
      const unowned = Array.from({ length: UNOWNED }, (_, n) => lab.unassigned(n));
      const share = owned.flatMap((ip, k) => [ip, unowned[k] as string]); // interleaved
      shares.push(share);
      const nodeName = `node-${i}`;
      objects.push(node(nodeName, { internalIP: agentNs.ip }));
      share.forEach((ip, k) => objects.push(pod(`bench-${i}-${k}`, { ip, nodeName, labels: { app: 'bench' }, containers: [{ name: 'app' }] })));
      agents.push(await startAgentIn(lab, bundle.file, agentNs.ns, agentNs.ip, { NETPEEK_AGENT_SECRET: secret, NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet, NETPEEK_NODE_NAME: nodeName, LOG_LEVEL: 'warn' }));
    }
    api = await startKubeApiServer({ objects });
    kube.source = createKubeSource({ kubeconfig: api.kubeconfigPath }, undefined, { env: {} });
    const cluster = kube.source.cluster();
    if (!(await cluster.waitForSync(30_000))) throw new Error('the watch caches did not sync');
    const probes = new ProbeRouter({
      directory: new StaticAgentDirectory(Object.fromEntries(agents.map((a, i) => [`node-${i}`, a.url]))),
      secret,
      agentTimeoutMs: 5000,
      localAllowedCidrs: async () => [],
    });
    const def: ReportDefinition = {
      name: 'bench',
      schedule: '0 * * * *',
      timezone: 'UTC',
      channel: 'C0123ABCD',
      quiet: false,
      targets: [{ kind: 'pods', label: 'pods default app=bench', namespace: 'default', selector: 'app=bench' }],
      probes: ['icmp'],
      thresholds: { lossPct: 0 },
      timeoutMs: 500,
      count: 1,
      line: 1,
    };
    const once = (at: Date) => runReport(def, { tickKey: tickKeyOf('bench', at), scheduledAt: at, trigger: 'schedule', late: false }, { sources: { kube: kube.source! }, probes });

    // Warm ARP/neighbour caches the same way for both sides.
    await Promise.all(labs.map((lab, i) => fpingIn(lab, lab.nodes[0]!.ns, shares[i]!)));
    await once(new Date());

    const reportMs: number[] = [];
    const slowestFpingMs: number[] = [];
    const perAgentFping: number[][] = [];
    let last: ReportRun | undefined;
    let previous: ReportRun | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      const fpingRound = async () => {
        const times = await Promise.all(labs.map((lab, i) => fpingIn(lab, lab.nodes[0]!.ns, shares[i]!)));
        perAgentFping.push(times);
        slowestFpingMs.push(Math.max(...times));
      };
      const reportRound = async () => {
        const t0 = performance.now();
        const run = await once(new Date(Date.UTC(2024, 4, 3, 10 + r)));
        reportMs.push(performance.now() - t0);
        previous = last;
        last = run;
      };
      if (r % 2 === 0) {
        await fpingRound();
        await reportRound();
      } else {
        await reportRound();
        await fpingRound();
      }
    }
    const run = last!;
    if (run.counts.total !== AGENTS * (OWNED + UNOWNED)) throw new Error(`expected 1000 targets, got ${run.counts.total}`);

    // SQLite: rows written per second, one transaction per 1,000-row run.
    const history = new SqliteReportHistory(join(dir, 'netpeek.db'), { retention: { maxAgeDays: 3650, maxRunsPerReport: 1000 } });
    const saveT0 = performance.now();
    let rows = 0;
    for (let i = 0; i < SAVES; i++) rows += history.saveSync({ ...run, tickKey: `bench@save-${i}`, scheduledAt: new Date(Date.UTC(2024, 4, 4, 0, i)).toISOString() });
    const rowsPerSec = rows / ((performance.now() - saveT0) / 1000);
    history.close();

    // The message: diffed against the previous round, rendered for Slack.
    const diff = diffRuns(run, previous);
    run.verdict = verdictLine(run, diff, (iso) => iso.slice(11, 16));
    const message = toReportMessage(reportDigest({ def, run, diff }));
    const mainBytes = Buffer.byteLength(JSON.stringify({ text: message.text, blocks: message.blocks, metadata: message.metadata }));
    const threadBytes = message.thread.map((t) => Buffer.byteLength(JSON.stringify(t)));

    const ratio = median(reportMs) / median(slowestFpingMs);
    const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    const md = `## Scheduled report over 1,000 targets and 10 agents (\`npm run bench:report\`)

Run ${new Date().toISOString()} on ${machineLine()}.

Ten network-namespace labs, one real \`netpeek agent\` process in each (allow-list = its lab's /24), 100 targets per agent: ${OWNED} addresses owned by another namespace of the lab and ${UNOWNED} owned by nobody (the timeout floor applies to those). The 1,000 targets are pods of the test API server (warm watch cache), selected by label; ICMP, timeout 500 ms, one echo request, as fping below.

| what | result | target |
| --- | --- | --- |
| report run: resolve 1,000 pods → 10 agents in parallel → 1,000 rows, median of ${ROUNDS} | **${Math.round(median(reportMs))} ms** (rounds: ${fmt(reportMs)}) | |
| slowest agent's own \`fping -c1 -t500 -i1\` of its 100 targets, all ten at once in the agents' namespaces, same run | ${Math.round(median(slowestFpingMs))} ms (rounds: ${fmt(slowestFpingMs)}; per agent in the last round: ${fmt(perAgentFping.at(-1) ?? [])}) | baseline |
| ratio report / slowest fping | **${ratio.toFixed(2)}×** | ≤ 1.2× |
| answers in the last run | ${run.counts.ok} ok, ${run.counts.failed} unreachable, ${run.counts.notProbed} not probed (expected 500 / 500 / 0) | |
| SQLite history: rows written per second (${SAVES} runs × 1,000 rows, one transaction each, WAL) | **${Math.round(rowsPerSec).toLocaleString('en-US')} rows/s** | |
| Slack message: channel post | ${message.blocks.length} blocks, ${(mainBytes / 1024).toFixed(1)} KiB | ≤ 50 blocks |
| Slack message: full table as thread replies | ${message.thread.length} repl${message.thread.length === 1 ? 'y' : 'ies'}, ${threadBytes.map((b) => `${(b / 1024).toFixed(1)} KiB`).join(' + ')} (${message.thread.map((t) => t.blocks.length).join(' + ')} blocks) | ≤ 50 blocks each |

The verdict posted: "${message.text}". The agents, the fping processes and this process share the machine's cores; see the load average above.`;
    writeSection('report', md);
    process.stdout.write(`${md}\n`);
  } finally {
    await kube.source?.stop();
    await api?.stop();
    for (const lab of labs) await lab.destroy(); // kills the agent processes it spawned
    bundle?.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:report failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
