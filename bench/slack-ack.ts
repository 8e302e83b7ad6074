/**
 * Slash-command ack latency (DESIGN.md: p99 ≤ 25 ms with 50 commands in flight).
 *
 * The real Bolt HTTP receiver on 127.0.0.1 gets signed slash-command POSTs, 50 at a time; the time from
 * sending the request to its HTTP 200 is the ack. The baseline, measured in the same run with the same
 * client and concurrency, is a bare node:http server that answers 200 after reading the body: the floor
 * set by loopback HTTP and the client on this machine. Replies go to a local response_url server and a
 * local fake Slack Web API; nothing leaves the machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { CommandRegistry } from '../src/core/registry.js';
import { createLogger } from '../src/log.js';
import { createSlackBot } from '../src/slack/app.js';
import { FAKE_BOT, startFakeSlackApi } from '../test/support/slack/fake-slack-api.js';
import { slashCommand } from '../test/support/slack/payloads.js';
import { startResponseUrlServer } from '../test/support/slack/response-url-server.js';
import { formBody, signedHeaders } from '../test/support/slack/sign.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const SECRET = 'bench-signing-secret-0123456789';
const IN_FLIGHT = 50;
const REQUESTS = 3000;
const WARMUP = 300;

async function drive(url: string, makeBody: () => string, total: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        next++;
        const body = makeBody();
        const headers = signedHeaders(SECRET, body, 'form');
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', headers, body });
        await res.arrayBuffer();
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}`);
        latencies.push(ms);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function main(): Promise<void> {
  const api = await startFakeSlackApi();
  const responses = await startResponseUrlServer();
  const config = loadConfig({ SLACK_BOT_TOKEN: FAKE_BOT.token, SLACK_SIGNING_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'warn', NETPEEK_SLACK_AUDIT_DB: ':memory:' });
  const log = createLogger('warn');
  const bot = createSlackBot({ config, slackConfig: config.slackBot, registry: new CommandRegistry(COMMANDS), deps: { config, log }, log, clientOptions: { slackApiUrl: api.url } });
  const { port } = await bot.start(0);
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(''));
  });
  const bareUrl = await listen(bare);
  try {
    // `explain expose` needs no backend, so the ack is measured with the full pipeline running behind it.
    const body = () => formBody(slashCommand('explain expose', responses.newUrl()));
    const botUrl = `http://127.0.0.1:${port}/slack/events`;
    await drive(botUrl, body, WARMUP);
    await drive(bareUrl, body, WARMUP);
    // Alternate halves so drift on the machine hits both sides alike.
    const bot1 = await drive(botUrl, body, REQUESTS / 2);
    const base1 = await drive(bareUrl, body, REQUESTS / 2);
    const bot2 = await drive(botUrl, body, REQUESTS / 2);
    const base2 = await drive(bareUrl, body, REQUESTS / 2);
    const botAll = [...bot1, ...bot2].sort((a, b) => a - b);
    const baseAll = [...base1, ...base2].sort((a, b) => a - b);
    await responses.waitFor(() => responses.posts.length >= WARMUP + REQUESTS, 60_000).catch(() => undefined);
    const answered = responses.posts.length;
    const row = (name: string, xs: number[]) => `| ${name} | ${percentile(xs, 50).toFixed(2)} ms | ${percentile(xs, 99).toFixed(2)} ms | ${xs.at(-1)!.toFixed(2)} ms |`;
    const md = `## Slash-command ack (\`npm run bench:slack\`)

Run ${new Date().toISOString()} on ${machineLine()}.

${REQUESTS} signed \`/netpeek explain expose\` POSTs, ${IN_FLIGHT} in flight, to the real Bolt HTTP receiver; time from sending to HTTP 200.

| server | p50 | p99 | max |
| --- | --- | --- | --- |
${row('netpeek (Bolt receiver, signature check, ack)', botAll)}
${row('baseline: bare node:http 200, same client, same run', baseAll)}

Target: p99 ≤ 25 ms → **${percentile(botAll, 99) <= 25 ? 'met' : 'missed'}** (p99 ${percentile(botAll, 99).toFixed(2)} ms). Answers posted to response_url meanwhile: ${answered} of ${WARMUP + REQUESTS}.`;
    writeSection('slack-ack', md);
    process.stdout.write(`${md}\n`);
  } finally {
    await bot.stop();
    bare.close();
    await api.close();
    await responses.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:slack failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
