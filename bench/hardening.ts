/**
 * Issue 10's attacks as numbers (`npm run bench:hardening`):
 *  1. peak RSS of the Slack bot (real Bolt HTTP receiver behind netpeek's edge guard, its own process)
 *     while 20 unsigned 100 MB bodies arrive at once, beside its idle RSS in the same run
 *     (target: peak ≤ idle + 50 MB);
 *  2. time until a valid request is answered by `netpeek agent` (its own process) right after a flood
 *     of 10,000 correctly signed requests with fresh nonces, beside the same request on the idle agent
 *     (target: immediately — within one rate-limit token, 1/rps).
 *
 * Peak RSS is the kernel's high-water mark (VmHWM), reset through /proc/<pid>/clear_refs just before the
 * attack, so nothing between two samples is missed. Bodies are chunked (no Content-Length), so the
 * receiver cannot refuse them from the headers: the cap has to act while they stream. Nothing leaves
 * the machine: the bot listens on loopback, the agent's only target is a listener of this process on
 * 127.0.0.1, and its allow-list is exactly that address and port.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildAgentBundle, startLoopbackAgent } from '../test/integration/agent/agent-process.js';
import { flood, send, signedProbe, untilAnswered } from '../test/support/agent-flood.js';
import { streamPost } from '../test/support/http/stream-post.js';
import { startChild } from './child-process.js';
import { machineLine, median, writeSection } from './results-file.js';

const BODIES = 20;
const BODY_BYTES = 100 * 1024 * 1024;
const FLOOD = 10_000;
const FLOOD_CONCURRENCY = 50;
const AGENT_RPS = 50;
const SECRET = 'bench-hardening-signing-secret-42';
const AGENT_SECRET = 'bench-hardening-agent-secret-0123456789';

const MB = 2 ** 20;
const status = (pid: number, field: 'VmRSS' | 'VmHWM'): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function botSection(): Promise<string> {
  const bot = await startChild(new URL('./slack-bot-process.ts', import.meta.url), { BENCH_SIGNING_SECRET: SECRET });
  const pid = bot.child.pid!;
  try {
    const url = `http://127.0.0.1:${String(bot.ready.port)}/slack/events`;
    // Idle: settled after start, sampled for a second.
    await sleep(2000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 20; i++) {
      idleSamples.push(status(pid, 'VmRSS'));
      await sleep(50);
    }
    const idle = median(idleSamples);
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    let sampledPeak = 0;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, status(pid, 'VmRSS'))), 10);
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: BODIES }, () => streamPost(url, { 'content-type': 'application/x-www-form-urlencoded' }, BODY_BYTES)));
    const ms = performance.now() - t0;
    clearInterval(sampler);
    const peak = status(pid, 'VmHWM');
    await sleep(1000);
    const after = status(pid, 'VmRSS');
    const codes = [...new Set(results.map((r) => r.status))].join(', ');
    const sent = results.reduce((n, r) => n + r.bytesSent, 0);
    const growth = peak - idle;
    return `### Slack bot: ${BODIES} unsigned ${BODY_BYTES / MB} MB bodies at once

The real bot (Bolt HTTP receiver behind the edge guard, default cap NETPEEK_SLACK_MAX_BODY_BYTES = 1 MiB) in its own process; ${BODIES} clients each stream a ${BODY_BYTES / MB} MB chunked form body without signature headers, all at once. Answers: HTTP ${codes}, every connection closed by the bot${results.every((r) => r.connectionClose) ? '' : ' (not all said Connection: close!)'}; the clients got ${(sent / MB).toFixed(0)} MB of ${((BODIES * BODY_BYTES) / MB).toFixed(0)} MB into their sockets before that, in ${(ms / 1000).toFixed(2)} s.

| what | result | target |
| --- | --- | --- |
| idle RSS, same run (median of 20 samples before the attack) | ${(idle / MB).toFixed(0)} MB | baseline |
| peak RSS during the attack (kernel high-water mark) | **${(peak / MB).toFixed(0)} MB** (10 ms samples: ${(sampledPeak / MB).toFixed(0)} MB) | ≤ idle + 50 MB: ${growth <= 50 * MB ? 'met' : 'missed'} |
| peak − idle | **${(growth / MB).toFixed(1)} MB** | ≤ 50 MB |
| RSS 1 s after | ${(after / MB).toFixed(0)} MB | |`;
  } finally {
    bot.stop();
  }
}

async function agentSection(): Promise<string> {
  const target = createServer((s) => {
    s.on('error', () => undefined);
    s.end();
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as AddressInfo).port;
  const bundle = await buildAgentBundle();
  // At info, as deployed: its "agent listening" line is also how startLoopbackAgent finds its port.
  const agent = await startLoopbackAgent(bundle.file, {
    LOG_LEVEL: 'info',
    NETPEEK_AGENT_SECRET: AGENT_SECRET,
    NETPEEK_AGENT_ALLOW_CIDRS: '127.0.0.1/32',
    NETPEEK_AGENT_ALLOW_PORTS: String(port),
    NETPEEK_AGENT_RPS: String(AGENT_RPS),
  });
  try {
    const body = JSON.stringify({ probes: [{ kind: 'tcp', ip: '127.0.0.1', port }], timeoutMs: 500 });
    // Baseline: one valid request at a time on the idle agent, spaced under the rate limit.
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const r = await send(agent.url, signedProbe(AGENT_SECRET, body));
      if (r.status !== 200) throw new Error(`idle agent answered ${r.status}: ${r.body}`);
      idle.push(performance.now() - t0);
      await sleep(1000 / AGENT_RPS + 5);
    }
    await sleep(1500);
    const f = await flood(agent.url, AGENT_SECRET, body, FLOOD, FLOOD_CONCURRENCY);
    const next = await untilAnswered(agent.url, AGENT_SECRET, body, { everyMs: 2, timeoutMs: 60_000 });
    const refusedAfter = next.statuses.filter((s) => s !== 200);
    const counts = Object.entries(f.statuses)
      .map(([s, n]) => `${n} × ${s}`)
      .join(', ');
    const locked = (f.statuses[401] ?? 0) + refusedAfter.filter((s) => s === 401).length;
    return `### Agent: a valid request right after a ${FLOOD.toLocaleString('en')}-request nonce flood

\`netpeek agent\` in its own process at NETPEEK_AGENT_RPS=${AGENT_RPS}; ${FLOOD.toLocaleString('en')} correctly signed probe requests, each with a fresh nonce, ${FLOOD_CONCURRENCY} at a time (${(f.ms / 1000).toFixed(2)} s): ${counts}. Then fresh valid requests every 2 ms until one is answered.

| what | result | target |
| --- | --- | --- |
| valid request on the idle agent, same run (median of 20) | ${median(idle).toFixed(2)} ms | baseline |
| time until a valid request is answered after the flood | **${next.ms.toFixed(1)} ms** (${next.attempts} attempt${next.attempts === 1 ? '' : 's'}; before it: ${refusedAfter.length ? refusedAfter.map(String).join(', ') : 'none'}) | immediately (≤ one token, ${1000 / AGENT_RPS} ms): ${next.ms <= 1000 / AGENT_RPS + median(idle) * 2 ? 'met' : 'missed'} |
| requests refused 401 (locked out) during and after the flood | **${locked}** | 0 |`;
  } finally {
    agent.child.kill('SIGTERM');
    bundle.remove();
    target.close();
  }
}

async function main(): Promise<void> {
  const bot = await botSection();
  const agent = await agentSection();
  const md = `## Hardening: oversized bodies and nonce floods (\`npm run bench:hardening\`)

Run ${new Date().toISOString()} on ${machineLine()}; \`uptime\`: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}.

${bot}

${agent}`;
  writeSection('hardening', md);
  process.stdout.write(`${md}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:hardening failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
