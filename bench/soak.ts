/**
 * bench:soak — 10 minutes of signed slash commands at 200 a minute through the bot's real Bolt HTTP
 * receiver (bench/slack-bot-process.ts, its own process), half lookups and half probes of this run's own
 * containers, each answer awaited on a local response_url. The bot's RSS is sampled every 10 s.
 * Figures: errors (ack not 200, or an answer without the expected fact), answers lost (none within 30 s),
 * and the RSS slope over the last 8 minutes (least squares, MB/min).
 *
 * Network safety: probes go only to containers on a Docker network this run made.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { slashCommand } from '../test/support/slack/payloads.js';
import { formBody, signedHeaders } from '../test/support/slack/sign.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../test/support/docker-fixtures.js';
import { startChild } from './child-process.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const SECRET = 'bench-soak-signing-secret-0123456789';
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const PER_MINUTE = 200;
const SAMPLE_MS = 10_000;
const LOST_AFTER_MS = 30_000;
const SLOPE_WINDOW_MIN = Math.min(8, MINUTES * 0.8);

/** Least-squares slope of (minutes, MB). */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

async function main(): Promise<void> {
  const fx = new DockerFixtures();
  const waiters = new Map<number, (body: string) => void>();
  // Final answers per command: a probe first posts "Probing: …", then replaces it with the answer.
  const finals = new Map<number, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end('ok');
      const id = Number(req.url?.split('/').pop());
      const body = Buffer.concat(chunks).toString('utf8');
      if (/^\{"response_type":"[a-z_]+","text":"Probing: /.test(body) || body.includes('"text":"Probing: ')) return;
      finals.set(id, (finals.get(id) ?? 0) + 1);
      waiters.get(id)?.(body);
      waiters.delete(id);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const responseBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/respond`;
  let bot: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    await ensureBusyboxImages();
    const net = await fx.createNetwork('soak');
    const web = await fx.runContainer('soak-web', ['--network', net.name, '--expose', '80'], undefined, ['httpd', '-f', '-p', '80']);
    const info = await inspect<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>(web);
    const webIp = info.NetworkSettings.Networks[net.name]!.IPAddress;
    const unassigned = net.subnet.replace(/\.0\/24$/, '.200');

    bot = await startChild(new URL('./slack-bot-process.ts', import.meta.url), { BENCH_SIGNING_SECRET: SECRET, KUBECONFIG: '' });
    const url = `http://127.0.0.1:${String(bot.ready.port)}/slack/events`;
    // What each kind of command must answer with: the container's IP, the probe's outcome, the subnet.
    const kinds: Array<{ text: string; expect: string }> = [
      { text: `container ${web}`, expect: webIp },
      { text: `ping ${web} --port 80`, expect: webIp },
      { text: `ping ${web} --count 1`, expect: webIp },
      { text: `ping ip/${unassigned} --port 80`, expect: unassigned },
      { text: `network ${net.name}`, expect: net.subnet },
      { text: 'explain expose', expect: 'EXPOSE' },
    ];

    const total = MINUTES * PER_MINUTE;
    const intervalMs = 60_000 / PER_MINUTE;
    const rss: Array<[number, number]> = [];
    const started = performance.now();
    const sampleRss = async () => rss.push([(performance.now() - started) / 60_000, Number((await bot!.ask('rss')).rss) / 2 ** 20]);
    await sampleRss();
    const sampler = setInterval(() => void sampleRss(), SAMPLE_MS);

    let errors = 0;
    let lost = 0;
    const errorExamples: string[] = [];
    const answerMs: number[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const kind = kinds[i % kinds.length]!;
      const t0 = performance.now();
      const answered = new Promise<string | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(i);
          resolve(undefined);
        }, LOST_AFTER_MS);
        waiters.set(i, (body) => {
          clearTimeout(timer);
          resolve(body);
        });
      });
      const body = formBody(slashCommand(kind.text, `${responseBase}/${i}`));
      pending.push(
        (async () => {
          const res = await fetch(url, { method: 'POST', headers: signedHeaders(SECRET, body, 'form'), body }).catch(() => undefined);
          await res?.arrayBuffer();
          const answer = await answered;
          if (answer === undefined) lost++;
          else answerMs.push(performance.now() - t0);
          const bad = res?.status !== 200 || (answer !== undefined && !answer.includes(kind.expect));
          if (bad) {
            errors++;
            if (errorExamples.length < 5) errorExamples.push(`\`${kind.text}\`: ack ${String(res?.status)}, answer ${answer === undefined ? 'lost' : JSON.stringify(answer.slice(0, 160))}`);
          }
        })(),
      );
    }
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 2000)); // a doubled answer would arrive after the first
    const doubled = [...finals.values()].filter((n) => n > 1).length;
    clearInterval(sampler);
    await sampleRss();
    const elapsedMin = (performance.now() - started) / 60_000;
    const tail = rss.filter(([t]) => t >= elapsedMin - SLOPE_WINDOW_MIN);
    const rssSlope = slope(tail);
    // A late garbage collection can make a rising line look flat: also the slope up to the largest drop.
    let drop = 0;
    for (let i = 1; i < tail.length; i++) if (tail[i - 1]![1] - tail[i]![1] > tail[drop]![1] - (tail[drop + 1]?.[1] ?? tail[drop]![1])) drop = i - 1;
    const bigDrop = tail.length > 2 && tail[drop]![1] - tail[drop + 1]![1] > 10;
    const beforeDrop = bigDrop ? tail.slice(0, drop + 1) : tail;
    answerMs.sort((a, b) => a - b);
    const verdict = (ok: boolean, text: string) => `${text} ${ok ? '✔' : '✘'}`;
    const md = `## Soak: ${MINUTES} minutes of slash commands (\`npm run bench:soak\`)

Run ${new Date().toISOString()} on ${machineLine()}.

${total.toLocaleString('en-US')} signed slash commands, ${PER_MINUTE} a minute for ${elapsedMin.toFixed(1)} minutes, POSTed to the bot's Bolt HTTP receiver (bench/slack-bot-process.ts: the real commands and Deps, its own process, the real Docker engine), in turn: \`${kinds.map((k) => k.text.replace(web, '<web>').replace(net.name, '<net>').replace(unassigned, '<unassigned>')).join('`, `')}\` — lookups and TCP/ICMP probes of this run's own container and of an unassigned address in its own network. Each answer is awaited on a local response_url and checked for its fact (the container IP, the subnet, the topic). Bot RSS sampled every ${SAMPLE_MS / 1000} s (${rss.length} samples).

| what | result | target |
| --- | --- | --- |
| errors (ack not 200, or an answer without its fact) | ${verdict(errors === 0, String(errors))} | 0 |
| answers lost (none within ${LOST_AFTER_MS / 1000} s) | ${verdict(lost === 0, String(lost))} | 0 |
| answers posted twice | ${verdict(doubled === 0, String(doubled))} | 0 |
| RSS slope over the last ${SLOPE_WINDOW_MIN} minutes (least squares, ${tail.length} samples) | ${verdict(Math.abs(rssSlope) < 1, `${rssSlope.toFixed(2)} MB/min`)} | flat, < 1 MB/min |
| the same, only up to the largest drop${bigDrop ? ` (${tail[drop]![1].toFixed(0)} → ${tail[drop + 1]![1].toFixed(0)} MB at minute ${tail[drop + 1]![0].toFixed(1)}, a collection)` : ' (no drop over 10 MB)'} | ${verdict(Math.abs(slope(beforeDrop)) < 1, `${slope(beforeDrop).toFixed(2)} MB/min`)} | flat, < 1 MB/min |
| RSS first / last / max | ${rss[0]![1].toFixed(0)} / ${rss.at(-1)![1].toFixed(0)} / ${Math.max(...rss.map(([, m]) => m)).toFixed(0)} MB | |
| command → answer on response_url, p50 / p99 / max | ${percentile(answerMs, 50).toFixed(0)} / ${percentile(answerMs, 99).toFixed(0)} / ${(answerMs.at(-1) ?? NaN).toFixed(0)} ms | |

RSS samples (minute: MB): ${rss.map(([t, m]) => `${t.toFixed(1)}: ${m.toFixed(0)}`).join(', ')}.
${errorExamples.length ? `\nFirst errors:\n\n${errorExamples.map((e) => `- ${e}`).join('\n')}\n` : ''}`;
    if (MINUTES >= 10) writeSection('soak', md);
    process.stdout.write(`${md}\n`);
  } finally {
    bot?.stop();
    server.close();
    await fx.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
