/**
 * Reachability sweep and agent throughput (issue 4's benchmark), local addresses only.
 *
 * Five network-namespace labs (test/support/netns.ts), each a /24 with one namespace that owns 100
 * addresses (.10–.109) and 100 addresses nothing owns (.150–.249): 1,000 targets, half unreachable,
 * none of them leaving this machine. Then:
 *  1. ICMP sweep: netpeek's LocalProber vs `fping -c1 -t500 -i1` on the same list, alternated, 5 rounds.
 *  2. TCP probes per second through a real agent process (signed requests, allow-list = the labs).
 *  3. The agent's RSS during that run.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { LocalProber } from '../src/probe/local-prober.js';
import { AgentClient } from '../src/probe/agent-client.js';
import type { ProbeTarget } from '../src/probe/types.js';
import { createLab, type Lab } from '../test/support/netns.js';
import { machineLine, median, writeSection } from './results-file.js';

const LABS = 5;
const ROUNDS = 5;
const TCP_SECONDS = 5;
const TCP_BATCH = 256;
const TCP_CLIENTS = 4;

function fpingAlone(ips: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = execFile('fping', ['-c1', '-t500', '-i1', '-q', ...ips], { maxBuffer: 16 * 1024 * 1024 }, (err) => {
      // fping exits 1 when some targets are unreachable: expected here.
      if (err && typeof err.code !== 'number') reject(err);
      else resolve(performance.now() - t0);
    });
    child.stdin?.end();
  });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the sweep benchmark needs root (network namespaces)');
  const labs: Lab[] = [];
  let server: Server | undefined;
  let agent: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < LABS; i++) labs.push(await createLab({ nodes: 1 }));
    const reachable: string[] = [];
    const unreachable: string[] = [];
    for (const lab of labs) {
      const prefix = lab.subnet.split('.').slice(0, 3).join('.');
      const node = lab.nodes[0]!;
      for (let h = 10; h <= 109; h++) {
        if (`${prefix}.${h}` !== node.ip) await lab.exec(node.ns, 'ip', ['addr', 'add', `${prefix}.${h}/24`, 'dev', 'eth0']);
        reachable.push(`${prefix}.${h}`);
      }
      for (let h = 150; h <= 249; h++) unreachable.push(`${prefix}.${h}`);
    }
    // Interleave so neither tool gets the reachable half first.
    const targets = reachable.flatMap((ip, i) => [ip, unreachable[i]!]);
    const prober = new LocalProber();

    // Warm ARP/neighbour caches the same way for both tools.
    await fpingAlone(reachable);
    const fpingMs: number[] = [];
    const netpeekMs: number[] = [];
    let lastOk = 0;
    for (let r = 0; r < ROUNDS; r++) {
      fpingMs.push(await fpingAlone(targets));
      const t0 = performance.now();
      const results = await prober.probe(
        targets.map((ip): ProbeTarget => ({ kind: 'icmp', ip })),
        { timeoutMs: 500, count: 1 },
      );
      netpeekMs.push(performance.now() - t0);
      lastOk = results.filter((x) => x.ok).length;
    }

    // TCP through a real agent process: connections to a listener on the root end of lab 0.
    server = createServer((s) => s.destroy());
    const listenIp = labs[0]!.gateway;
    await new Promise<void>((res) => server!.listen(0, listenIp, res));
    const port = (server.address() as { port: number }).port;
    const secret = randomBytes(24).toString('hex');
    const agentPort = 20000 + Math.floor(Math.random() * 20000);
    agent = spawn(process.execPath, ['--import', 'tsx', 'src/agent/run-agent.ts'], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        NETPEEK_AGENT_SECRET: secret,
        NETPEEK_AGENT_LISTEN: `127.0.0.1:${agentPort}`,
        NETPEEK_AGENT_ALLOW_CIDRS: labs.map((l) => l.subnet).join(','),
        NETPEEK_AGENT_RPS: '10000',
        NETPEEK_AGENT_MAX_INFLIGHT: '4096',
        NETPEEK_NODE_NAME: 'bench',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const client = new AgentClient(`http://127.0.0.1:${agentPort}`, secret, { timeoutMs: 10_000 });
    const batch: ProbeTarget[] = Array.from({ length: TCP_BATCH }, () => ({ kind: 'tcp', ip: listenIp, port }));
    for (let i = 0; i < 50; i++) {
      const ready = await fetch(`http://127.0.0.1:${agentPort}/healthz`).then((r) => r.ok, () => false);
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const rssBefore = rssMb(agent.pid!);
    let rssPeak = rssBefore;
    let probes = 0;
    let failed = 0;
    const until = performance.now() + TCP_SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: TCP_CLIENTS }, async () => {
        while (performance.now() < until) {
          const results = await client.probe(batch, { timeoutMs: 2000 });
          probes += results.length;
          failed += results.filter((x) => !x.ok).length;
          rssPeak = Math.max(rssPeak, rssMb(agent!.pid!));
        }
      }),
    );
    const tcpPerSec = probes / ((performance.now() - t0) / 1000);

    const ratio = median(netpeekMs) / median(fpingMs);
    const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    const md = `## Reachability sweep and agent throughput (\`npm run bench:sweep\`)

Run ${new Date().toISOString()} on ${machineLine()}.

1,000 ICMP targets in five local network-namespace labs: 500 owned by a namespace, 500 unassigned in the same /24s (the timeout floor applies to those). netpeek's prober splits a batch this large across four fping processes of ≤ 256 targets (fping paces its own packets 1 ms apart); the baseline is one fping over the whole list, as the target is written.

| what | result | target |
| --- | --- | --- |
| netpeek LocalProber, median of ${ROUNDS} rounds | ${Math.round(median(netpeekMs))} ms (rounds: ${fmt(netpeekMs)}) | |
| \`fping -c1 -t500 -i1\` alone, same list, same run | ${Math.round(median(fpingMs))} ms (rounds: ${fmt(fpingMs)}) | baseline |
| ratio netpeek / fping | **${ratio.toFixed(2)}×** | ≤ 1.0× |
| reachable answers seen by netpeek | ${lastOk} of 1000 (expected 500) | |
| TCP probes through one agent process (${TCP_CLIENTS} clients × ${TCP_BATCH}-target batches, ${TCP_SECONDS} s) | **${Math.round(tcpPerSec)} probes/s**, ${failed} failed | ≥ 10,000/s (issue 19): ${tcpPerSec >= 10_000 ? 'met' : '**missed**'} |
| agent RSS before / peak during the TCP run | ${rssBefore.toFixed(0)} MB / ${rssPeak.toFixed(0)} MB | bounded |

The agent, the client and the listener share this machine's cores, so the probes/s figure is a lower bound for an agent with the cores to itself.`;
    writeSection('sweep', md);
    process.stdout.write(`${md}\n`);
  } finally {
    agent?.kill('SIGTERM');
    server?.close();
    for (const lab of labs) await lab.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sweep failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
