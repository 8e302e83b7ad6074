/**
 * Slack-side performance targets (DESIGN.md):
 *  1. slash-command ack: signed HTTP POST → 200, p99 ≤ 25 ms with 50 commands in flight;
 *  2. `pod` answer with a warm cache of 10,000 pods / 2,000 services / 500 nodes: p50 ≤ 5 ms and
 *     p99 ≤ 20 ms from the request to the answer's POST on response_url; bot RSS ≤ 300 MB.
 *
 * Every party has its own process so nobody's work is counted as another's: this process is the client
 * (and the response_url server); for part 1 the bot is `netpeek serve` from the bundle, as production
 * starts it (serve-process.ts), for part 2 the real Bolt HTTP receiver with the real commands and warm
 * caches in the bench's own bot process (bench/slack-bot-process.ts); the baseline for part 1 is a bare node:http server in its own
 * process, driven by the same client at the same concurrency in the same run; the cluster is the test
 * API server in its own process (bench/kube-cluster-fixture.ts). Nothing leaves the machine.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { slashCommand } from '../test/support/slack/payloads.js';
import { formBody, signedHeaders } from '../test/support/slack/sign.js';
import { FAKE_BOT, startFakeSlackApi } from '../test/support/slack/fake-slack-api.js';
import { startChild, type BenchChild } from './child-process.js';
import { PODS, podOf } from './kube-cluster-shape.js';
import { machineLine, median, percentile, writeSection } from './results-file.js';
import { startServe } from './serve-process.js';

const SECRET = 'bench-signing-secret-0123456789';
const IN_FLIGHT = 50;
const POD_QUESTIONS = 1000;

const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/** Acks that said "netpeek is busy" (past NETPEEK's waiting-answers limit) instead of an empty 200. */
let busyReplies = 0;

function post(url: URL, body: string): Promise<{ status: number; busy: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...signedHeaders(SECRET, body, 'form'), 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const busy = text.includes('netpeek is busy');
        if (busy) busyReplies++;
        resolve({ status: res.statusCode ?? 0, busy });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `total` requests, IN_FLIGHT at a time; each latency is send → HTTP status received. With `answers`,
 * every answer's arrival at response_url is awaited too and its delay after the ack recorded there.
 */
async function drive(url: URL, makeBody: (id: number) => string, total: number, answers?: { responses: Awaited<ReturnType<typeof responseUrls>>; delays: number[]; base: number }): Promise<number[]> {
  const latencies: number[] = [];
  const arrivals: Promise<void>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const id = (answers?.base ?? 0) + next++;
        const body = makeBody(id);
        const arrival = answers?.responses.arrival(id);
        const t0 = performance.now();
        const { status, busy } = await post(url, body);
        const acked = performance.now();
        latencies.push(acked - t0);
        if (status !== 200) throw new Error(`HTTP ${status} from ${url}`);
        if (arrival && !busy) arrivals.push(arrival.then(({ at }) => void answers!.delays.push(at - acked)));
      }
    }),
  );
  await Promise.all(arrivals);
  return latencies.sort((a, b) => a - b);
}

/** A response_url endpoint in this process that resolves a waiter when its URL is posted to. */
async function responseUrls(): Promise<{ server: Server; url(id: number): string; arrival(id: number): Promise<{ at: number; body: string }> }> {
  const waiters = new Map<number, (v: { at: number; body: string }) => void>();
  const server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end('ok');
      const id = Number(req.url?.split('/').pop());
      waiters.get(id)?.({ at, body: Buffer.concat(chunks).toString('utf8') });
      waiters.delete(id);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/respond`;
  return {
    server,
    url: (id) => `${base}/${id}`,
    arrival: (id) => new Promise((resolve) => waiters.set(id, resolve)),
  };
}

/**
 * Bursts: IN_FLIGHT commands sent at once, then a pause until every answer has reached response_url,
 * `bursts` times. This is "50 commands in flight" as an incident produces it, not a sustained flood.
 */
async function bursts(url: URL, makeBody: (id: number) => string, responses: Awaited<ReturnType<typeof responseUrls>> | undefined, count: number, base: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let b = 0; b < count; b++) {
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => base + b * IN_FLIGHT + i);
    const arrivals: Promise<unknown>[] = [];
    await Promise.all(
      ids.map(async (id) => {
        const body = makeBody(id);
        const arrival = responses?.arrival(id);
        const t0 = performance.now();
        const { status, busy } = await post(url, body);
        latencies.push(performance.now() - t0);
        if (status !== 200) throw new Error(`HTTP ${status} from ${url}`);
        // A "busy" reply ran nothing: no answer will come for it.
        if (arrival && !busy) arrivals.push(arrival);
      }),
    );
    await Promise.all(arrivals);
  }
  return latencies.sort((a, b) => a - b);
}

const row = (name: string, xs: number[]) => `| ${name} | ${percentile(xs, 50).toFixed(2)} ms | ${percentile(xs, 99).toFixed(2)} ms | ${xs.at(-1)!.toFixed(2)} ms |`;

/** One side's latencies, per measured round (each sorted) and pooled (sorted). */
interface Side {
  rounds: number[][];
  pooled: number[];
}

/**
 * Rounds of netpeek and the bare server taken in pairs, the order flipping every pair (bot, bare, bare,
 * bot, …) so that whatever the rest of the machine does drifts onto both sides alike; the first
 * `warmups` pairs are thrown away (JIT, sockets, caches). A pair is the "same run" comparison: its ratio
 * is netpeek's p99 over the bare server's p99 in that pair.
 */
async function pairedRounds(pairs: number, warmups: number, bot: (round: number) => Promise<number[]>, bare: (round: number) => Promise<number[]>): Promise<{ bot: Side; bare: Side; ratios: number[] }> {
  const result = { bot: { rounds: [], pooled: [] } as Side, bare: { rounds: [], pooled: [] } as Side, ratios: [] as number[] };
  for (let r = 0; r < warmups + pairs; r++) {
    let botMs: number[];
    let bareMs: number[];
    if (r % 2 === 0) {
      botMs = await bot(r);
      bareMs = await bare(r);
    } else {
      bareMs = await bare(r);
      botMs = await bot(r);
    }
    if (r < warmups) continue;
    for (const [side, xs] of [[result.bot, botMs], [result.bare, bareMs]] as const) {
      side.rounds.push(xs);
      side.pooled.push(...xs);
    }
    result.ratios.push(percentile(botMs, 99) / percentile(bareMs, 99));
  }
  result.bot.pooled.sort((a, b) => a - b);
  result.bare.pooled.sort((a, b) => a - b);
  return result;
}

/** The figures of one paired measurement: pooled p99 ratio, median per-round p99s and the median and spread of the pairs' ratios. */
function verdict(m: Awaited<ReturnType<typeof pairedRounds>>, target: number): { text: string; median: number; pooled: number } {
  const pooled = percentile(m.bot.pooled, 99) / percentile(m.bare.pooled, 99);
  const med = median(m.ratios);
  const sorted = [...m.ratios].sort((a, b) => a - b);
  const botRoundP99 = median(m.bot.rounds.map((xs) => percentile(xs, 99)));
  const bareRoundP99 = median(m.bare.rounds.map((xs) => percentile(xs, 99)));
  const text = `Issue 19: p99 ≤ ${target}× the bare server's in the same run. Median over the ${m.ratios.length} pairs of (netpeek's round p99 / the bare server's round p99 in the same pair): **${med.toFixed(2)}× — ${med <= target ? 'met' : 'missed'}** (pairs ranged ${sorted[0]!.toFixed(2)}×–${sorted.at(-1)!.toFixed(2)}×, middle half ${percentile(sorted, 25).toFixed(2)}×–${percentile(sorted, 75).toFixed(2)}×). Median round p99: netpeek ${botRoundP99.toFixed(2)} ms, bare ${bareRoundP99.toFixed(2)} ms. Pooled over all rounds: p99 ${percentile(m.bot.pooled, 99).toFixed(2)} ms vs ${percentile(m.bare.pooled, 99).toFixed(2)} ms, **${pooled.toFixed(2)}× — ${pooled <= target ? 'met' : 'missed'}**.`;
  return { text, median: med, pooled };
}

/** Burst rounds: BURSTS_PER_ROUND bursts of IN_FLIGHT each, `BURST_PAIRS` measured pairs after `BURST_WARMUPS`. */
const BURSTS_PER_ROUND = 4;
const BURST_PAIRS = 24;
const BURST_WARMUPS = 3;
/** Flood rounds: FLOOD_PER_ROUND commands with IN_FLIGHT always in flight, `FLOOD_PAIRS` measured pairs after `FLOOD_WARMUPS`. */
const FLOOD_PER_ROUND = 400;
const FLOOD_PAIRS = 20;
const FLOOD_WARMUPS = 2;

/** BENCH_BOT_NODE_ARGS: node flags for the ack section's bot process only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`); never set for figures that are landed. */
const botNodeArgs = (): string[] => (process.env.BENCH_BOT_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * The bot the acks are measured against: `netpeek serve` from the bundle, as production runs it; with
 * BENCH_SLACK_BOT=tsc the bench's own bot process on the tsc output instead (how figures before
 * 2026-12-07 20:45 UTC were taken: log level warn, audit in memory), to compare the two.
 */
async function startAckBot(): Promise<{ port: number; stop(): void }> {
  if (process.env.BENCH_SLACK_BOT === 'tsc') {
    const child = await startChild(new URL('./slack-bot-process.ts', import.meta.url), { BENCH_SIGNING_SECRET: SECRET, KUBECONFIG: '' }, botNodeArgs());
    return { port: Number(child.ready.port), stop: () => child.stop() };
  }
  const api = await startFakeSlackApi();
  const serve = await startServe({ signingSecret: SECRET, botToken: FAKE_BOT.token, slackApiUrl: api.url, nodeArgs: botNodeArgs() });
  return {
    port: serve.port,
    stop: () => {
      serve.stop();
      void api.close();
    },
  };
}

const ackBotName = () => (process.env.BENCH_SLACK_BOT === 'tsc' ? "the bench's bot process on the tsc output (bench/slack-bot-process.ts: log level warn, audit in memory)" : '`node dist/bundle/netpeek.cjs serve` as production runs it (log level info to a file, SQLite store on disk)');

async function ackSection(): Promise<string> {
  const bot = await startAckBot();
  const bare = await startChild(new URL('./bare-http-process.ts', import.meta.url));
  const responses = await responseUrls();
  try {
    const botUrl = new URL(`http://127.0.0.1:${String(bot.port)}/slack/events`);
    const bareUrl = new URL(`http://127.0.0.1:${String(bare.ready.port)}/`);
    // `explain expose` needs no backend: the ack is measured with the full answer pipeline running behind it.
    const body = (id: number) => formBody(slashCommand('explain expose', responses.url(id)));
    busyReplies = 0;
    const burst = await pairedRounds(
      BURST_PAIRS,
      BURST_WARMUPS,
      (r) => bursts(botUrl, body, responses, BURSTS_PER_ROUND, 1_000_000 + r * BURSTS_PER_ROUND * IN_FLIGHT),
      (r) => bursts(bareUrl, body, undefined, BURSTS_PER_ROUND, 2_000_000 + r * BURSTS_PER_ROUND * IN_FLIGHT),
    );
    const burstBusy = busyReplies;
    busyReplies = 0;
    const delays: number[] = [];
    const flood = await pairedRounds(
      FLOOD_PAIRS,
      FLOOD_WARMUPS,
      (r) => drive(botUrl, body, FLOOD_PER_ROUND, { responses, delays: r < FLOOD_WARMUPS ? [] : delays, base: 4_000_000 + r * FLOOD_PER_ROUND }),
      () => drive(bareUrl, body, FLOOD_PER_ROUND),
    );
    delays.sort((a, b) => a - b);
    const floodBusy = busyReplies;
    const b = verdict(burst, 1.2);
    const f = verdict(flood, 1.5);
    const p99 = percentile(burst.bot.pooled, 99);
    const measured = (n: number) => `${n} measured pairs after ${n === BURST_PAIRS ? BURST_WARMUPS : FLOOD_WARMUPS} warm-up pairs thrown away`;
    return `### Slash-command ack

Signed \`/netpeek explain expose\` POSTs from a client process to the bot process, ${ackBotName()}; time from sending to HTTP 200. Every command is also answered (rendered and posted to a response_url) by the same bot process. The baseline is a bare node:http server in its own process that reads the body and answers an empty 200, driven by the same client with the same bodies and headers.

How it is measured: rounds of netpeek and of the bare server taken in pairs, the order flipping every pair (netpeek first, then bare first, …), warm-up pairs discarded; a netpeek round's answers have all arrived before the next round starts, so no answer work overlaps a bare round. The headline ratio is the median over pairs of netpeek's round p99 over the bare server's round p99 in the same pair; the pooled p99s of all measured rounds are given too.

**Bursts**: ${BURSTS_PER_ROUND} bursts of ${IN_FLIGHT} commands sent at once per round, each burst after the previous one's answers have all arrived (how an incident channel loads the bot); ${measured(BURST_PAIRS)} (${BURST_PAIRS * BURSTS_PER_ROUND * IN_FLIGHT} acks a side).

| server | p50 | p99 | max |
| --- | --- | --- | --- |
${row('netpeek (edge guard: size cap, signature, shape, then the ack; Bolt runs the command after it)', burst.bot.pooled)}
${row('baseline: bare node:http 200, same client, same run', burst.bare.pooled)}

Target p99 ≤ 25 ms with 50 in flight: **${p99 <= 25 ? 'met' : 'missed'}** (${p99.toFixed(2)} ms pooled over all rounds; the median round's p99 ${median(burst.bot.rounds.map((xs) => percentile(xs, 99))).toFixed(2)} ms). ${b.text} Commands answered "netpeek is busy" instead of run: ${burstBusy}.

**Sustained flood**: ${FLOOD_PER_ROUND} commands per round with ${IN_FLIGHT} always in flight, far past any Slack workspace's rate; ${measured(FLOOD_PAIRS)} (${FLOOD_PAIRS * FLOOD_PER_ROUND} acks a side). The bot acks first and computes and posts the answers behind the acks (after-ack-queue.ts), so the answers wait instead; every answer is awaited at response_url before the next round.

| server | p50 | p99 | max |
| --- | --- | --- | --- |
${row('netpeek', flood.bot.pooled)}
${row('baseline: bare node:http 200', flood.bare.pooled)}

${f.text} Commands answered "netpeek is busy" instead of run: ${floodBusy} of ${(FLOOD_PAIRS + FLOOD_WARMUPS) * FLOOD_PER_ROUND}. The answers' delay after their ack: p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ${percentile(delays, 99).toFixed(0)} ms, max ${delays.at(-1)!.toFixed(0)} ms (${delays.length} answers).`;
  } finally {
    bot.stop();
    bare.stop();
    responses.server.close();
  }
}

async function podSection(): Promise<string> {
  const cluster = await startChild(new URL('./kube-cluster-fixture.ts', import.meta.url));
  let bot: BenchChild | undefined;
  const responses = await responseUrls();
  try {
    bot = await startChild(new URL('./slack-bot-process.ts', import.meta.url), { BENCH_SIGNING_SECRET: SECRET, KUBECONFIG: String(cluster.ready.kubeconfigPath) });
    const url = new URL(`http://127.0.0.1:${String(bot.ready.port)}/slack/events`);
    let x = 12345;
    const pick = () => podOf((x = (x * 1103515245 + 12345) >>> 0) % PODS);
    const measure = async (id: number): Promise<number> => {
      const p = pick();
      const text = id % 2 === 0 ? `pod ${p.name} -n ${p.namespace}` : `pod ${p.name}`;
      const arrival = responses.arrival(id);
      const t0 = performance.now();
      const { status } = await post(url, formBody(slashCommand(text, responses.url(id))));
      if (status !== 200) throw new Error(`HTTP ${status}`);
      const { at, body } = await arrival;
      if (!body.includes(p.ip)) throw new Error(`the answer to "${text}" does not contain the pod IP ${p.ip}`);
      return at - t0;
    };
    for (let i = 0; i < 100; i++) await measure(-1 - i);
    const latencies: number[] = [];
    for (let i = 0; i < POD_QUESTIONS; i++) latencies.push(await measure(i));
    latencies.sort((a, b) => a - b);
    const rssMb = Number((await bot.ask('rss')).rss) / 2 ** 20;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return `### \`pod\` answer through Slack, warm cache

Test API server (own process) with 10,000 pods, 2,000 Services with EndpointSlices, 500 nodes; the bot's caches synced in ${(Number(bot.ready.syncMs) / 1000).toFixed(2)} s. ${POD_QUESTIONS} signed \`/netpeek pod <name>\` commands one after another (half with -n, half searching every namespace); time from sending the command to the answer's POST arriving at response_url (each answer checked to contain the pod IP).

| what | result | target |
| --- | --- | --- |
| p50 | **${p50.toFixed(2)} ms** | ≤ 5 ms: ${p50 <= 5 ? 'met' : 'missed'} |
| p99 | **${p99.toFixed(2)} ms** | ≤ 20 ms: ${p99 <= 20 ? 'met' : 'missed'} |
| max | ${latencies.at(-1)!.toFixed(2)} ms | |
| bot RSS after the run (Slack bot + Kubernetes caches) | ${rssMb.toFixed(0)} MB | ≤ 300 MB: ${rssMb <= 300 ? 'met' : 'missed'} |`;
  } finally {
    bot?.stop();
    cluster.stop();
    responses.server.close();
  }
}

async function main(): Promise<void> {
  const ack = await ackSection();
  // BENCH_SLACK_ONLY=ack: the ack figures alone, printed and not written to RESULTS.md (for trying changes).
  if (process.env.BENCH_SLACK_ONLY === 'ack') {
    process.stdout.write(`${machineLine()}\n\n${ack}\n`);
    agent.destroy();
    return;
  }
  const pod = await podSection();
  const md = `## Slack: ack latency and pod answers (\`npm run bench:slack\`)

Run ${new Date().toISOString()} on ${machineLine()}.

${ack}

${pod}`;
  writeSection('slack-ack', md);
  process.stdout.write(`${md}\n`);
  agent.destroy();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:slack failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
