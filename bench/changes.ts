/**
 * `npm run bench:changes` — the change history's memory at 10,000 pods with churn (issue 18): the ring of
 * one cluster filled by the pure pod diffs the watch hook records (rescheduled, new IP, readiness flips,
 * deleted and created again), at the default bound (NETPEEK_CHANGE_HISTORY_MAX=5000) and larger ones.
 * Baseline in the same run: the heap with the 10,000 pod records alone (what the watch cache holds
 * anyway). Also the cost a diagnosis pays to ask the full ring for one pod's changes. Run with
 * --expose-gc (the npm script does), so heap figures are after a full collection.
 */
import { performance } from 'node:perf_hooks';
import { podChange, type PodShape } from '../src/net/reachability-changes.js';
import { ChangeHistory } from '../src/sources/kube-change-history.js';
import { changesTouching } from '../src/sources/kube-recent-changes.js';
import { machineLine, percentile, writeSection } from './results-file.js';

const PODS = 10_000;
const NODES = 500;
const BOUNDS = [5_000, 50_000, 200_000];
const QUERIES = 2_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:changes)');
const heap = (): number => {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

let seed = 42;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);

function pods(): PodShape[] {
  return Array.from({ length: PODS }, (_, i) => ({
    namespace: `team-${i % 50}`,
    name: `web-${i}-${(i * 7919).toString(36)}`,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    nodeName: `node-${i % NODES}`,
    phase: 'Running',
    podIPs: [`10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`],
    ready: true,
    terminating: false,
    labels: { app: `web-${i % 200}`, tier: i % 2 ? 'front' : 'back' },
  }));
}

/** One churn event: a pod rescheduled with a new IP, its readiness flipped, or deleted and created again. */
function churn(list: PodShape[], at: number, history: ChangeHistory): void {
  const i = rand(list.length);
  const prev = list[i]!;
  const kind = rand(3);
  const next: PodShape =
    kind === 0
      ? { ...prev, nodeName: `node-${rand(NODES)}`, podIPs: [`10.200.${rand(256)}.${rand(256)}`] }
      : kind === 1
        ? { ...prev, ready: !prev.ready }
        : { ...prev, uid: `${prev.uid!.slice(0, 24)}${String(rand(1e12)).padStart(12, '0')}`, podIPs: [`10.201.${rand(256)}.${rand(256)}`] };
  list[i] = next;
  const c = podChange(prev, next);
  if (c) history.record({ ...c, at, ...(rand(4) === 0 ? { manager: 'kube-controller-manager' } : {}) });
}

function main(): void {
  const rows: string[] = [];
  const base0 = heap();
  const list = pods();
  const withPods = heap();
  let query = '';
  for (const bound of BOUNDS) {
    const now = Date.now();
    const history = new ChangeHistory({ maxEntries: bound, maxAgeMs: 24 * 3_600_000 }, () => now + bound);
    const before = heap();
    // Twice the bound: the ring wraps, so what is held is the newest `bound` changes.
    const events = bound * 2;
    const t0 = performance.now();
    for (let e = 0; e < events; e += 1) churn(list, now + e, history);
    const recordUs = ((performance.now() - t0) * 1000) / events;
    const after = heap();
    const held = history.size;
    rows.push(`| ${bound.toLocaleString('en')} | ${events.toLocaleString('en')} | ${held.toLocaleString('en')} | ${mb(after - before)} | ${Math.round((after - before) / held)} B | ${recordUs.toFixed(2)} µs |`);
    if (bound === 50_000) {
      const log = { changes: (f: Parameters<ChangeHistory['list']>[0]) => history.list(f) };
      const times: number[] = [];
      for (let q = 0; q < QUERIES; q += 1) {
        const p = list[rand(list.length)]!;
        const s = performance.now();
        changesTouching(log, [{ kind: 'Pod', namespace: p.namespace, name: p.name, ...(p.nodeName ? { nodeName: p.nodeName } : {}) }], { since: 0 });
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      query = `Asking a full 50,000-change ring for one pod's changes (what "Changed recently" does once per answer, for all the objects on its path): p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms over ${QUERIES.toLocaleString('en')} random pods.`;
    }
  }
  const md = `## Change history memory (\`npm run bench:changes\`)

Run ${new Date().toISOString()} on ${machineLine()}.

${PODS.toLocaleString('en')} pods on ${NODES} nodes; churn = random pods rescheduled with a new IP, readiness flipped, or deleted and created again, each diffed by the same pure function the watch hook uses (src/net/reachability-changes.ts) and recorded in one cluster's ring (src/sources/kube-change-history.ts). Each ring got twice its bound of events, so it wrapped and holds the newest \`bound\` changes. Heap after two full collections (--expose-gc).

| what | heap |
| --- | --- |
| baseline: the ${PODS.toLocaleString('en')} pod records alone (the watch cache holds them anyway) | ${mb(withPods - base0)} |

| ring bound (NETPEEK_CHANGE_HISTORY_MAX) | churn events | changes held | heap of the ring | per change | record() |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

The default bound (5,000) costs a few MB per cluster; memory grows with the bound, not with the number of pods or the churn rate, and the age bound (NETPEEK_CHANGE_HISTORY_MAX_AGE_MIN) only lowers it. ${query}`;
  writeSection('changes', md);
  process.stdout.write(`${md}\n`);
}

main();
