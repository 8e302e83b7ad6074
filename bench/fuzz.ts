/**
 * bench:fuzz — generated questions through the whole pipeline (sanitize → parse → route → command → Answer
 * → text, Block Kit and JSON renderers) against the real Docker engine and the test API server, and
 * generated requests against a real agent process. Counts what must never happen: crashes, answers with
 * a stack trace or an "internal error", hangs over 10 s, agent 5xx, and packets for refused targets.
 *
 * Network safety: the only addresses generated are inside this run's own Docker networks or TEST-NET-1
 * (192.0.2.0/24, where the test API server's pods and nodes live: evaluated, never probed). A stand-in
 * `fping` and `ping` first on PATH record every call; they refuse (send nothing for) any call naming a
 * 192.0.2.x target or an address outside the run's subnets, and run the real program otherwise. A line
 * that would send packets (ping, reach, --probe) to a subject that is not one of the run's own is
 * replaced by the same line about a run's own container before it is asked, and counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { COMMANDS } from '../commands/index.js';
import { loadConfig } from '../src/config.js';
import { ask } from '../src/core/ask.js';
import { describeFailure, isNetpeekError } from '../src/core/errors.js';
import { sendsPackets } from '../src/core/command.js';
import { parseQuery } from '../src/core/query.js';
import { CommandRegistry } from '../src/core/registry.js';
import { buildDeps } from '../src/deps.js';
import { createLogger } from '../src/log.js';
import { cidrContains, isIpAddress } from '../src/net/subnet.js';
import { parseAddress } from '../src/net/address-policy.js';
import { signRequest } from '../src/probe/request-signature.js';
import { toBlocks } from '../src/render/blocks.js';
import { toJson } from '../src/render/json.js';
import { toText } from '../src/render/text.js';
import { node, pod, service } from '../test/support/kube-apiserver/fixtures.js';
import { startKubeApiServer } from '../test/support/kube-apiserver/index.js';
import { DockerFixtures, ensureBusyboxImages, inspect } from '../test/support/docker-fixtures.js';
import { machineLine, repoRoot, writeSection } from './results-file.js';

const LINES = Number(process.env.BENCH_FUZZ_LINES ?? 100_000);
const AGENT_REQUESTS = Number(process.env.BENCH_FUZZ_AGENT_REQUESTS ?? 10_000);
const HANG_MS = 10_000;
const CONCURRENCY = 8;
const SECRET = 'bench-fuzz-agent-secret-0123456789';

/** Deterministic generator (mulberry32), so a failing line can be found again from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.BENCH_FUZZ_SEED ?? 20261202);
const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const bytesOf = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** One address in many spellings (decimal, octal, hex, short forms, IPv4-mapped IPv6). */
function spell(ip: string): string {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const forms = [
    ip,
    String(n),
    `0x${n.toString(16)}`,
    bytesOf(n).map((x) => `0${x.toString(8)}`).join('.'),
    `${a}.${b}.${(c << 8) | d}`,
    `${a}.${n & 0xffffff}`,
    `::ffff:${ip}`,
    `::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`,
    `[::ffff:${ip}]`,
    `::${ip}`,
    `${ip}%eth0`,
  ];
  return pick(forms);
}

const JUNK = [
  '\u201Cweb\u201D', '\u2018x\u2019', '\u2014port', '\u00A0', '<@U0ALICE001>', '<http://web-1.example|web-1.example>', '<https://example.com>', '<#C123|general>',
  ';', '|', '&&', '$(id)', '`id`', '> /tmp/x', '*', '\\', '{a,b}', '!!', '\u0000', '\u0007', '\u001b[31m', '\r', '\u202e', '\uFEFF', '\uD83D\uDE80', 'ß', '名前', 'é\u0301',
  '--', '-', '---port', '--port=', '--count', '-n', '--cluster', '--no-probe', '--json', '--public', '--probe', '--help', '--once', '--port=80/udp', '--port 99999', '--count 0',
  '"', "'", '(', ')', '%', 'ip/', 'pod/', 'container/', 'ip/999.1.1.1', 'pod/../../etc', '../../etc/passwd',
];

interface World {
  containers: string[];
  networks: string[];
  subnets: string[];
  unassigned: string[];
  pods: string[];
}

function baseLines(w: World): string[] {
  const c = () => pick(w.containers);
  const p = () => pick(w.pods);
  const testNet = () => `192.0.2.${1 + int(250)}`;
  return [
    `container ${c()}`, `container ${c()} --json`, `container ${c()} --probe`, `container/${c()}`, `ping ${c()}`, `ping ${c()} --port 80`, `ping ${c()} --count 2`,
    `reach ${c()} ${c()}`, `reach ${c()} ${c()} --port 80`, `ping ip/${pick(w.unassigned)}`, `ping ${pick(w.unassigned)} --port 81`,
    `network`, `network ${pick(w.networks)}`, `status`, `help`, `help ping`, `explain expose`, `explain pod-ip`, `explain ${pick(['bridge', 'veth', 'publish', 'nope'])}`,
    `pod ${p()}`, `pod ${p()} -n default`, `pod ${p()} --probe`, `ping pod/${p()}`, `reach ${p()} ${p()} --port 8080`, `reach ${p()} ${c()}`, `svc web`, `svc web -n default`, `node node-1`,
    `ping ${spell(testNet())}`, `ping ip/${spell(testNet())}`, `reach ${c()} ${spell(testNet())}`, `container ${spell(testNet())}`, `ping ${spell(testNet())} --port 22`,
    `report`, `/netpeek container ${c()}`, `@netpeek ping it`,
  ];
}

function mutate(line: string): string {
  let s = line;
  const steps = 1 + int(3);
  for (let i = 0; i < steps; i++) {
    const op = int(10);
    const at = int(s.length + 1);
    if (op === 0) s = s.slice(0, at) + String.fromCharCode(int(0x3000)) + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1 + int(3));
    else if (op === 2) s = `${s} ${pick(JUNK)}`;
    else if (op === 3) s = s.slice(0, at) + pick(JUNK) + s.slice(at);
    else if (op === 4) s = s.toUpperCase();
    else if (op === 5) s = s.replace(/\s+/g, () => pick([' ', '  ', '\t', '\u00A0', '\n']));
    else if (op === 6) s = `${s} ${s}`;
    else if (op === 7 && rand() < 0.02) s = `${s} ${'x'.repeat(100_000)}`;
    else if (op === 8) s = s.split(' ').sort(() => rand() - 0.5).join(' ');
    // op 9: unchanged, so valid lines stay common
  }
  return s;
}

function generate(w: World): string {
  const r = rand();
  if (r < 0.25) return pick(baseLines(w));
  if (r < 0.95) return mutate(pick(baseLines(w)));
  // Pure noise: random code units, including control bytes and lone surrogates.
  return Array.from({ length: int(80) }, () => String.fromCharCode(int(0x10000))).join('');
}

const STACK = /\n\s+at \S|internal error|Something went wrong inside netpeek/i;

/** Addresses and names a packet-sending line may name: the run's own containers, pods and subnets, or TEST-NET-1. */
function ownSubject(arg: string, w: World): boolean {
  const bare = arg.replace(/^(container|pod|ip)\//i, '');
  if (w.containers.includes(bare) || w.pods.includes(bare) || arg.toLowerCase() === 'it') return true;
  const parsed = parseAddress(bare);
  if (!parsed.ok) return false;
  return parsed.family === 'ipv4' && [...w.subnets, '192.0.2.0/24'].some((s) => cidrContains(s, parsed.ip));
}

/** The line, or (if it would send packets to something not the run's own) the same command about an own container. */
function keepSafe(line: string, w: World, registry: CommandRegistry<ReturnType<typeof buildDeps>>): { line: string; replaced: boolean } {
  let q;
  try {
    q = parseQuery(line);
  } catch {
    return { line, replaced: false };
  }
  const cmd = registry.find(q.command);
  if (!cmd || !sendsPackets(cmd, q) || q.args.every((a) => ownSubject(a, w))) return { line, replaced: false };
  return { line: `${q.command} ${q.args.map(() => pick(w.containers)).join(' ')}`, replaced: true };
}

/** fping and ping stand-ins: record the call; refuse TEST-NET-1 and anything outside the run's subnets. */
function standIns(dir: string, callsFile: string, subnets: string[]): void {
  const prefixes = subnets.map((s) => s.split('.').slice(0, 3).join('.') + '.'); // every subnet is a /24
  for (const tool of ['fping', 'ping']) {
    const real = tool === 'fping' ? '/usr/bin/fping' : '/usr/bin/ping';
    const script = `#!/bin/sh
printf '%s\\t%s\\n' ${tool} "$*" >> ${callsFile}
for a in "$@"; do
  case "$a" in
    --version|-v|-V) exec ${real} "$@" ;;
    192.0.2.*) echo "stand-in ${tool}: refused TEST-NET-1 target $a" >&2; exit 3 ;;
    [0-9]*.*.*.*)
      case "$a" in ${prefixes.map((p) => `${p}*`).join('|')}) ;; *) echo "stand-in ${tool}: refused $a (not this run's)" >&2; exit 3 ;; esac ;;
  esac
done
exec ${real} "$@"
`;
    writeFileSync(join(dir, tool), script);
    chmodSync(join(dir, tool), 0o755);
  }
}

async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | 'hang'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

interface LineCounts {
  lines: number;
  answers: number;
  userErrors: number;
  backendErrors: number;
  crashes: number;
  stackOrInternal: number;
  hangs: number;
  replaced: number;
  maxMs: number;
  examples: string[];
}

async function fuzzLines(w: World, deps: ReturnType<typeof buildDeps>, registry: CommandRegistry<ReturnType<typeof buildDeps>>): Promise<LineCounts> {
  const c: LineCounts = { lines: 0, answers: 0, userErrors: 0, backendErrors: 0, crashes: 0, stackOrInternal: 0, hangs: 0, replaced: 0, maxMs: 0, examples: [] };
  const note = (what: string, line: string, detail: string) => {
    if (c.examples.length < 10) c.examples.push(`${what}: ${JSON.stringify(line.slice(0, 120))} → ${detail.slice(0, 200)}`);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < LINES) {
        next++;
        const safe = keepSafe(generate(w), w, registry);
        if (safe.replaced) c.replaced++;
        const t0 = performance.now();
        const outcome = await withDeadline(
          ask(safe.line, registry, deps).then(
            (answer) => ({ answer }),
            (err: unknown) => ({ err }),
          ),
          HANG_MS,
        );
        const ms = performance.now() - t0;
        c.maxMs = Math.max(c.maxMs, ms);
        c.lines++;
        if (outcome === 'hang') {
          c.hangs++;
          note('hang', safe.line, `${HANG_MS} ms`);
          continue;
        }
        if ('answer' in outcome) {
          c.answers++;
          const rendered = [toText(outcome.answer), JSON.stringify(toBlocks(outcome.answer)), toJson(outcome.answer)].join('\n');
          if (STACK.test(rendered)) {
            c.stackOrInternal++;
            note('stack/internal in answer', safe.line, rendered);
          }
          continue;
        }
        const err = outcome.err;
        if (!isNetpeekError(err)) {
          c.crashes++;
          note('crash', safe.line, String((err as Error)?.stack ?? err));
          continue;
        }
        if (err.code === 'backend_unavailable') c.backendErrors++;
        else c.userErrors++;
        const shown = [describeFailure(err).message, ...describeFailure(err).details].join('\n');
        if (STACK.test(shown)) {
          c.stackOrInternal++;
          note('stack/internal in error', safe.line, shown);
        }
      }
    }),
  );
  return c;
}

interface AgentCounts {
  requests: number;
  byStatus: Record<string, number>;
  fiveXx: number;
  transportErrors: number;
  exited: boolean;
}

async function startAgentProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'src', 'main.js'), 'agent'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = `http://${env.NETPEEK_AGENT_LISTEN}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`agent exited: ${err}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`agent did not answer /healthz: ${err}`);
}

function agentBody(w: World): { body: string; sign: boolean } {
  const own = () => pick([...w.unassigned, ...w.unassigned]);
  const testNet = () => `192.0.2.${int(256)}`;
  const target = () => {
    const ip = rand() < 0.5 ? spell(testNet()) : rand() < 0.5 ? spell(own()) : own();
    return pick([{ kind: 'icmp', ip }, { kind: 'tcp', ip, port: 1 + int(65535) }, { kind: 'http', ip, port: 80, path: '/' }, { kind: 'tcp', ip, port: pick([0, -1, 70000, 1.5, '80']) }, { kind: 'udp', ip }]);
  };
  const r = rand();
  const sign = rand() < 0.8;
  if (r < 0.5) return { body: JSON.stringify({ probes: Array.from({ length: 1 + int(4) }, target), timeoutMs: 100, count: 1 }), sign };
  if (r < 0.6) return { body: '{"probes": [' + '{"kind":"icmp","ip":"192.0.2.1"},'.repeat(int(3)), sign };
  if (r < 0.7) return { body: `${'['.repeat(5000 + int(20000))}${']'.repeat(int(2) ? 0 : 5000)}`, sign };
  if (r < 0.75) return { body: JSON.stringify({ probes: [{ kind: 'icmp', ip: 'x'.repeat(200_000 + int(1_000_000)) }] }), sign };
  if (r < 0.85) return { body: JSON.stringify({ probes: Array.from({ length: 300 + int(2000) }, () => ({ kind: 'icmp', ip: testNet() })) }), sign };
  if (r < 0.9) return { body: JSON.stringify({ probes: [target()], timeoutMs: pick([0, 5, 1e9, -1, 'x', null]), extra: { a: [1, { b: 2 }] } }), sign };
  return { body: Array.from({ length: int(200) }, () => String.fromCharCode(int(0x10000))).join(''), sign };
}

async function fuzzAgent(w: World, env: Record<string, string>): Promise<AgentCounts> {
  const agent = await startAgentProcess(env);
  const counts: AgentCounts = { requests: 0, byStatus: {}, fiveXx: 0, transportErrors: 0, exited: false };
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < AGENT_REQUESTS) {
          next++;
          const { body, sign } = agentBody(w);
          const headers: Record<string, string> = { 'content-type': 'application/json', ...(sign ? signRequest(SECRET, { method: 'POST', path: '/v1/probe', body }) : {}) };
          if (!sign && rand() < 0.5) Object.assign(headers, signRequest('wrong-secret-0123456789abcdef', { method: 'POST', path: '/v1/probe', body }));
          try {
            const res = await fetch(`${agent.url}/v1/probe`, { method: 'POST', headers, body, signal: AbortSignal.timeout(HANG_MS) });
            await res.arrayBuffer();
            counts.byStatus[res.status] = (counts.byStatus[res.status] ?? 0) + 1;
            if (res.status >= 500) counts.fiveXx++;
          } catch {
            // A refusal may close the socket before the whole body is sent (413 + close): count, never 5xx.
            counts.transportErrors++;
          }
          counts.requests++;
        }
      }),
    );
  } finally {
    counts.exited = agent.child.exitCode !== null;
    agent.child.kill('SIGTERM');
  }
  return counts;
}

interface PacketCounts {
  calls: number;
  refusedTargets: number;
  outsideRun: number;
}

function packetCalls(callsFile: string, subnets: string[]): PacketCounts {
  let text = '';
  try {
    text = readFileSync(callsFile, 'utf8');
  } catch {
    // no call at all
  }
  const lines = text.split('\n').filter(Boolean);
  let refusedTargets = 0;
  let outsideRun = 0;
  for (const l of lines) {
    const args = l.split('\t')[1]?.split(' ') ?? [];
    const ips = args.filter((a) => isIpAddress(a));
    if (ips.some((ip) => cidrContains('192.0.2.0/24', ip))) refusedTargets++;
    else if (ips.some((ip) => !subnets.some((s) => cidrContains(s, ip)))) outsideRun++;
  }
  return { calls: lines.length, refusedTargets, outsideRun };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-fuzz-'));
  const callsFile = join(dir, 'calls.tsv');
  const fx = new DockerFixtures();
  const api = await startKubeApiServer({
    objects: [
      node('node-1', { internalIP: '192.0.2.201', podCIDR: '192.0.2.0/25' }),
      ...Array.from({ length: 20 }, (_, i) => pod(`web-${i}`, { ip: `192.0.2.${10 + i}`, nodeName: 'node-1', labels: { app: 'web' } })),
      service('web', { clusterIP: '192.0.2.250', selector: { app: 'web' } }),
    ],
  });
  try {
    await ensureBusyboxImages();
    const nets = [await fx.createNetwork('fuzz-a'), await fx.createNetwork('fuzz-b')];
    const containers: string[] = [];
    for (const [i, n] of nets.entries()) {
      containers.push(await fx.runContainer(`fuzz-web${i}`, ['--network', n.name, '--expose', '80'], undefined, ['httpd', '-f', '-p', '80']));
      containers.push(await fx.runContainer(`fuzz-cli${i}`, ['--network', n.name]));
    }
    const ips = await Promise.all(containers.map(async (c) => Object.values((await inspect<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>(c)).NetworkSettings.Networks)[0]!.IPAddress));
    const subnets = nets.map((n) => n.subnet);
    const unassigned = subnets.flatMap((s) => [200, 201, 202].map((h) => s.replace(/\.0\/24$/, `.${h}`)));
    const world: World = { containers, networks: nets.map((n) => n.name), subnets, unassigned, pods: Array.from({ length: 20 }, (_, i) => `web-${i}`) };

    standIns(dir, callsFile, subnets);
    process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
    const config = loadConfig({ KUBECONFIG: api.kubeconfigPath, LOG_LEVEL: 'silent' });
    const deps = buildDeps(config, createLogger('silent'));
    await deps.kube?.cluster().waitForSync(30_000);
    const registry = new CommandRegistry(COMMANDS);

    const t0 = performance.now();
    const lines = await fuzzLines(world, deps, registry);
    const linesMs = performance.now() - t0;
    await deps.kube?.stop();

    const agentEnv = {
      PATH: process.env.PATH,
      NETPEEK_AGENT_SECRET: SECRET,
      NETPEEK_AGENT_LISTEN: `127.0.0.1:${47000 + int(1000)}`,
      NETPEEK_AGENT_ALLOW_CIDRS: subnets.join(','),
      NETPEEK_AGENT_RPS: '100000',
      NETPEEK_NODE_NAME: 'fuzz-node',
      LOG_LEVEL: 'silent',
    };
    const t1 = performance.now();
    const agent = await fuzzAgent(world, agentEnv);
    const agentMs = performance.now() - t1;
    const packets = packetCalls(callsFile, subnets);

    const verdict = (n: number) => (n === 0 ? '0 ✔' : `**${n}** ✘`);
    const md = `## Fuzz: generated questions and agent requests (\`npm run bench:fuzz\`)

Run ${new Date().toISOString()} (seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s in all) on ${machineLine()}.

**${lines.lines.toLocaleString('en-US')} question lines** (mutations of valid commands: inserted/deleted characters, unicode, smart quotes, Slack link and mention markup, 100 KB tokens, control bytes, shell metacharacters, shuffled and doubled words, address spellings; and pure noise) through sanitize → parse → command → Answer → text, Block Kit and JSON, against the real Docker engine (${containers.length} containers on ${nets.length} networks of this run) and the test API server (20 pods, 1 node, 1 Service in 192.0.2.0/24), ${CONCURRENCY} at a time, in ${(linesMs / 1000).toFixed(1)} s. Outcomes: ${lines.answers} answers, ${lines.userErrors} user errors, ${lines.backendErrors} backend errors; slowest line ${(lines.maxMs / 1000).toFixed(2)} s. ${lines.replaced} packet-sending lines named a subject that is not this run's and were asked about one of the run's containers instead.

**${agent.requests.toLocaleString('en-US')} agent requests** to a real agent process (allow-list: the run's two subnets), signed (80 %) and unsigned or wrongly signed; targets in every address spelling of TEST-NET-1 and of the run's unassigned addresses; malformed JSON, 200 KB–1.2 MB bodies, 300–2,300 targets, 5,000–25,000 levels of nesting, random bytes; in ${(agentMs / 1000).toFixed(1)} s. Statuses: ${Object.entries(agent.byStatus).map(([s, n]) => `${s} × ${n}`).join(', ')}; ${agent.transportErrors} requests cut by the agent before their body was sent (a refusal closes the socket).

| what | count | target |
| --- | --- | --- |
| crashes (a thrown error that is not a netpeek error; agent process exits) | ${verdict(lines.crashes + (agent.exited ? 1 : 0))} | 0 |
| answers or errors showing a stack trace or an "internal error" | ${verdict(lines.stackOrInternal)} | 0 |
| hangs over ${HANG_MS / 1000} s | ${verdict(lines.hangs)} | 0 |
| agent 5xx | ${verdict(agent.fiveXx)} | 0 |
| fping/ping calls naming a refused target (TEST-NET-1), recorded by the stand-in on PATH | ${verdict(packets.refusedTargets)} | 0 |
| fping/ping calls naming any other address outside the run's subnets | ${verdict(packets.outsideRun)} | 0 |
| fping/ping calls in all (probes of the run's own containers and unassigned addresses) | ${packets.calls} | |
${lines.examples.length ? `\nFirst findings:\n\n${lines.examples.map((e) => `- ${e.replace(/\|/g, '\\|')}`).join('\n')}\n` : ''}`;
    if (LINES >= 100_000 && AGENT_REQUESTS >= 10_000) writeSection('fuzz', md);
    process.stdout.write(`${md}\n`);
    void ips;
  } finally {
    await fx.cleanup();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:fuzz failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
