/**
 * One-shot CLI start-up (issue 19): whole processes, median of 7, each beside the tool it replaces,
 * measured in the same run. Peak RSS from /usr/bin/time -v (the kernel's maxrss of the child).
 * Also the console's and `netpeek serve`'s start-up to ready (prompt printed / "bot running" logged).
 * Runs the built binary (the `bin` entry): `npm run build` first.
 *
 * The pod row runs against the test API server (test/support/kube-apiserver) in this process, so every
 * child is spawned asynchronously: the server must keep answering while one runs. Its pod IP is a
 * fixture address: evaluated, never probed (no --probe).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startKubeApiServer } from '../test/support/kube-apiserver/index.js';
import { node, pod } from '../test/support/kube-apiserver/fixtures.js';
import { FAKE_BOT, startFakeSlackApi } from '../test/support/slack/fake-slack-api.js';
import { machineLine, median, repoRoot, writeSection } from './results-file.js';

const RUNS = 7;
const TIME = '/usr/bin/time';
const BUSYBOX_IMAGE = 'netpeek-test/busybox-net:1';
const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { bin: { netpeek: string } };
const main = join(repoRoot(), pkg.bin.netpeek);
if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time")`);
const KUBECTL = ['/usr/local/bin/kubectl', '/usr/bin/kubectl'].find((p) => existsSync(p)) ?? 'kubectl';

interface Run {
  seconds: number;
  rssMb: number;
}

// A directory of its own: no .env of the checkout is read, no history or SQLite file is left behind.
const home = mkdtempSync(join(tmpdir(), 'netpeek-bench-cli-'));
const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LOG_LEVEL: 'silent', NETPEEK_HISTORY_FILE: '' };

/**
 * One whole process under /usr/bin/time -v; the exit code must be 0 so a failing command is not timed
 * as fast. With `readyWhen`, the process itself (no /usr/bin/time, which would not outlive a kill),
 * until its output says it is ready; its peak RSS is then the kernel's VmHWM, read just before SIGTERM.
 */
function runOnce(cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; readyWhen?: RegExp } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = o.readyWhen
      ? spawn(cmd, args, { cwd: home, env: { ...baseEnv, ...o.env }, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(TIME, ['-v', cmd, ...args], { cwd: home, env: { ...baseEnv, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready: Run | undefined;
    const check = () => {
      if (ready || !o.readyWhen?.test(out + err)) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      ready = { seconds, rssMb: Number(hwm) / 1024 };
      child.kill('SIGTERM');
    };
    child.stdout!.on('data', (c: Buffer) => ((out += c.toString('utf8')), check()));
    child.stderr!.on('data', (c: Buffer) => ((err += c.toString('utf8')), check()));
    child.on('close', (code) => {
      if (o.readyWhen) return ready ? resolve(ready) : reject(new Error(`${cmd} ${args.join(' ')} never became ready (exit ${code}): ${out}\n${err}`));
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}\n${err}`));
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1];
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, rssMb: Number(kb) / 1024 });
    });
  });
}

async function measure(cmd: string, args: string[], o: Parameters<typeof runOnce>[2] = {}): Promise<Run> {
  await runOnce(cmd, args, o); // warm the page cache (and kubectl's discovery cache); not counted
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await runOnce(cmd, args, o));
  return { seconds: median(runs.map((r) => r.seconds)), rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

const name = `netpeek-bench-cli-${randomBytes(4).toString('hex')}`;
execFileSync('docker', ['create', '--name', name, BUSYBOX_IMAGE, 'sleep', '60'], { stdio: 'ignore' });
const api = await startKubeApiServer({
  namespaces: ['default', 'kube-system', 'shop'],
  objects: [node('node-1', { podCIDR: '10.244.1.0/24', internalIP: '10.0.0.11' }), pod('web-1', { namespace: 'shop', ip: '10.244.1.5', nodeName: 'node-1', hostIP: '10.0.0.11' })],
});
const slack = await startFakeSlackApi();
try {
  const kube = { KUBECONFIG: api.kubeconfigPath };
  const kubectlArgs = ['--kubeconfig', api.kubeconfigPath, '--cache-dir', join(dirname(api.kubeconfigPath), 'kubectl-cache'), 'get', 'pod', 'web-1', '-n', 'shop', '-o', 'wide'];
  const rows = [
    { question: '`netpeek explain expose` vs `node -e 0`', ours: await measure('node', [main, 'explain', 'expose']), theirs: await measure('node', ['-e', '0']), target: 1.5 },
    { question: '`netpeek container X` vs `docker inspect X`', ours: await measure('node', [main, 'container', name]), theirs: await measure('docker', ['inspect', name]), target: 3 },
    {
      question: '`netpeek pod X -n ns` vs `kubectl get pod X -n ns -o wide` (same test API server)',
      ours: await measure('node', [main, 'pod', 'web-1', '-n', 'shop'], { env: kube }),
      theirs: await measure(KUBECTL, kubectlArgs),
      target: 1,
    },
  ];
  // Ready = the console's first prompt; the bot's "running" log line (HTTP receiver listening, auth.test done).
  const consoleReady = await measure('node', [main, 'console'], { env: kube, readyWhen: /netpeek> |> $/m });
  const serveReady = await measure('node', [main, 'serve'], {
    env: { ...kube, LOG_LEVEL: 'info', SLACK_BOT_TOKEN: FAKE_BOT.token, SLACK_SIGNING_SECRET: 'bench-secret', NETPEEK_SLACK_TRANSPORT: 'http', SLACK_API_URL: slack.url, PORT: '0', NETPEEK_SLACK_AUDIT_DB: ':memory:', NETPEEK_REPORTS_DB: ':memory:' },
    readyWhen: /"msg":"netpeek Slack bot running"/,
  });
  const rss = (mb: number) => `${mb.toFixed(0)} MB (target ≤ 80 MB: ${mb <= 80 ? 'met' : 'NOT met'})`;
  const table = rows.map((r) => {
    const ratio = r.ours.seconds / r.theirs.seconds;
    return `| ${r.question} | ${r.ours.seconds.toFixed(3)} s | ${r.theirs.seconds.toFixed(3)} s | ${ratio.toFixed(2)}× (target ≤ ${r.target}×: ${ratio <= r.target ? 'met' : 'NOT met'}) | ${rss(r.ours.rssMb)} |`;
  });
  const md = [
    '## CLI start-up (issue 19)',
    '',
    `Whole processes of the \`bin\` entry (${pkg.bin.netpeek}), median of ${RUNS} (after one uncounted warm-up), baseline in the same run; peak RSS = the largest maxrss of the ${RUNS} runs (/usr/bin/time -v). \`npm run bench:cli\`.`,
    '',
    '| question | netpeek | baseline | ratio | netpeek peak RSS |',
    '| --- | --- | --- | --- | --- |',
    ...table,
    '',
    '| start-up to ready | median | peak RSS |',
    '| --- | --- | --- |',
    `| \`netpeek console\` (first prompt, kubeconfig set) | ${consoleReady.seconds.toFixed(3)} s | ${consoleReady.rssMb.toFixed(0)} MB |`,
    `| \`netpeek serve\` (HTTP receiver, "netpeek Slack bot running" logged, local fake Slack Web API) | ${serveReady.seconds.toFixed(3)} s | ${serveReady.rssMb.toFixed(0)} MB |`,
    '',
    machineLine(),
  ].join('\n');
  writeSection('cli-startup', md);
  process.stdout.write(`${md}\n`);
} finally {
  execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  await api.stop();
  await slack.close();
  rmSync(home, { recursive: true, force: true });
}
