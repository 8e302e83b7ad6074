/**
 * Issue 19 item 2: the bot's figures as the cluster grows — 10,000, 30,000 and 100,000 pods, with a node
 * per 20 pods, a Service and EndpointSlice per 5, a namespace per 200 and 10 NetworkPolicies per namespace
 * per 1,000 pods (at 100k: 5,000 nodes, 20,000 Services, 10,000 policies). Each size gets a fresh test API
 * server process (bench/kube-cluster-fixture.ts) and a fresh netpeek process (bench/scale-point.ts), so
 * each RSS is netpeek's alone. Targets at 100k: first sync ≤ 20 s, RSS after sync ≤ 700 MB, `pod` p50 ≤ 1 ms
 * and p99 ≤ 20 ms, `reach --no-probe` p50 ≤ 2 ms. Writes the scale section of bench/RESULTS.md and a plot,
 * bench/scale.png. Sends no packet (fixture addresses are evaluated, never probed).
 *
 * `npm run bench:scale`; BENCH_SCALES=10000,30000 for a quicker look.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild } from './child-process.js';
import { machineLine, repoRoot, writeSection } from './results-file.js';

const SCALES = (process.env.BENCH_SCALES ?? '10000,30000,100000').split(',').map(Number);

interface Point {
  pods: number;
  counts: Record<string, number>;
  buildMs: number;
  serverRssMb: number;
  syncMs: number;
  rssStartMb: number;
  rssSyncedMb: number;
  heapSyncedMb: number;
  peakDuringSyncMb: number;
  peakMb: number;
  pod: { p50: number; p99: number; max: number };
  reach: { p50: number; p99: number; max: number; firstMs: number };
  load: string;
}

async function measure(pods: number): Promise<Point> {
  const env = { BENCH_PODS: String(pods), BENCH_POLICIES_PER_NAMESPACE: '20', NETPEEK_BENCH_POLICIES: '1' };
  const cluster = await startChild(new URL('./kube-cluster-fixture.ts', import.meta.url), env);
  try {
    const point = await startChild(new URL('./scale-point.ts', import.meta.url), { ...env, KUBECONFIG: String(cluster.ready.kubeconfigPath) });
    point.stop();
    const load = execFileSync('uptime', [], { encoding: 'utf8' }).trim().replace(/^.*load average/, 'load average');
    return { ...(point.ready as unknown as Point), buildMs: Number(cluster.ready.buildMs), serverRssMb: Number(cluster.ready.rssMb), load };
  } finally {
    cluster.stop();
  }
}

async function plot(points: Point[]): Promise<void> {
  const echarts = await import('echarts');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 960, height: 380 });
  const x = points.map((p) => `${p.pods / 1000}k pods`);
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans' },
    title: [
      { text: 'first sync and RSS after sync', left: '4%', top: 4, textStyle: { fontSize: 13 } },
      { text: 'answer latency, warm cache', left: '54%', top: 4, textStyle: { fontSize: 13 } },
    ],
    legend: { bottom: 2 },
    grid: [
      { left: '6%', width: '36%', top: 64, bottom: 60 },
      { left: '56%', width: '40%', top: 64, bottom: 60 },
    ],
    xAxis: [
      { type: 'category', gridIndex: 0, data: x },
      { type: 'category', gridIndex: 1, data: x },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, name: 's', min: 0 },
      { type: 'value', gridIndex: 0, name: 'MB', min: 0, splitLine: { show: false } },
      { type: 'log', gridIndex: 1, name: 'ms (log)', logBase: 10 },
    ],
    series: [
      { name: 'first sync (s)', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, data: points.map((p) => +(p.syncMs / 1000).toFixed(2)), itemStyle: { color: '#264653' }, barMaxWidth: 30 },
      { name: 'RSS after sync (MB)', type: 'line', xAxisIndex: 0, yAxisIndex: 1, data: points.map((p) => Math.round(p.rssSyncedMb)), itemStyle: { color: '#e76f51' } },
      { name: 'pod p50', type: 'line', xAxisIndex: 1, yAxisIndex: 2, data: points.map((p) => +p.pod.p50.toFixed(3)), itemStyle: { color: '#2a9d8f' } },
      { name: 'pod p99', type: 'line', xAxisIndex: 1, yAxisIndex: 2, data: points.map((p) => +p.pod.p99.toFixed(3)), itemStyle: { color: '#8ab17d' }, lineStyle: { type: 'dashed' } },
      { name: 'reach --no-probe p50', type: 'line', xAxisIndex: 1, yAxisIndex: 2, data: points.map((p) => +p.reach.p50.toFixed(3)), itemStyle: { color: '#f4a261' } },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(join(repoRoot(), 'bench', 'scale.png'), png);
}

async function main(): Promise<void> {
  const points: Point[] = [];
  for (const pods of SCALES) {
    process.stderr.write(`bench:scale: ${pods} pods…\n`);
    points.push(await measure(pods));
  }
  await plot(points);
  const met = (ok: boolean) => (ok ? 'met' : '**missed**');
  const top = points.find((p) => p.pods === 100_000);
  const f = (v: number, d = 2) => v.toFixed(d);
  const rows = points.map(
    (p) =>
      `| ${p.pods.toLocaleString('en')} | ${(p.counts.services ?? 0).toLocaleString('en')} / ${(p.counts.nodes ?? 0).toLocaleString('en')} / ${(p.counts.networkpolicies ?? 0).toLocaleString('en')} | ${f(p.syncMs / 1000)} s | ${f(p.rssSyncedMb, 0)} MB (heap ${f(p.heapSyncedMb, 0)}) | ${f(p.peakMb, 0)} MB | ${f(p.pod.p50, 3)} / ${f(p.pod.p99, 3)} ms | ${f(p.reach.p50, 3)} / ${f(p.reach.p99, 3)} ms | ${f(p.reach.firstMs, 0)} ms | ${p.load} |`,
  );
  const verdicts = top
    ? `At 100,000 pods: first sync ${f(top.syncMs / 1000)} s (≤ 20 s: ${met(top.syncMs <= 20_000)}), RSS after sync ${f(top.rssSyncedMb, 0)} MB (≤ 700 MB: ${met(top.rssSyncedMb <= 700)}), \`pod\` p50 ${f(top.pod.p50, 3)} ms (≤ 1 ms: ${met(top.pod.p50 <= 1)}) and p99 ${f(top.pod.p99, 3)} ms (≤ 20 ms: ${met(top.pod.p99 <= 20)}), \`reach --no-probe\` p50 ${f(top.reach.p50, 3)} ms (≤ 2 ms: ${met(top.reach.p50 <= 2)}).`
    : 'The 100,000-pod size was not run (BENCH_SCALES); the targets are stated for it.';
  const md = `## The bot at 10k, 30k and 100k pods (\`npm run bench:scale\`)

Run ${new Date().toISOString()} on ${machineLine()}.

Per size, a fresh test API server process (bench/kube-cluster-fixture.ts: pods of 2 containers in a namespace per 200 pods, a Service with a named targetPort and one EndpointSlice per 5 pods, a node per 20 pods, 20 NetworkPolicies per namespace of bench:policy's kinds) and a fresh netpeek process (bench/scale-point.ts: the real client-node list+watch caches, then ${'3,000'} \`pod\` questions, half without -n, and ${'2,000'} \`reach a b --no-probe\`, half with --port 8080, through the whole pipeline to JSON). RSS after sync is after a full GC; peak is the kernel's high-water mark for the process.

| pods | Services / nodes / policies | first sync | RSS after sync | peak RSS | \`pod\` p50 / p99 | \`reach --no-probe\` p50 / p99 | first reach (builds the policy index) | load (\`uptime\`) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${verdicts}

![first sync, RSS and latencies at each size](scale.png)
`;
  writeSection('scale', md);
  process.stdout.write(md);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
