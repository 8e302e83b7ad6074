/**
 * Issue 19, at run time: which libraries the built binary really loads for a one-shot answer (the
 * architecture test checks the import graph of the sources; this checks the bundle that esbuild made of
 * them). Every module a process loads from node_modules is recorded by a preload (record-modules.mjs).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../support/backends.js';
import { netpeek, type CliResult } from '../support/cli.js';
import { BUSYBOX_IMAGE, docker, ensureBusyboxImages, uniqueName } from '../support/docker-fixtures.js';
import { DOCKER } from '../support/machine.js';
import { node, pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-modules-'));
const PRELOAD = new URL('../support/process/record-modules.mjs', import.meta.url).href;
let runs = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The answer, and the packages (by name) it loaded from node_modules. */
async function withModules(args: string[], env: Record<string, string> = {}): Promise<CliResult & { packages: string[] }> {
  const log = join(dir, `modules-${runs++}.log`);
  const r = await netpeek(args, { ...env, NODE_OPTIONS: `--import=${PRELOAD}`, NETPEEK_MODULES_LOG: log });
  const files = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const packages = [...new Set(files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)![1]!))].sort();
  return { ...r, packages };
}

describe('the binary loads only what the question needs (issue 19)', () => {
  it('explain and help load nothing from node_modules: no pino, no backend library (bundled zod and yaml: the architecture test)', async () => {
    const explain = await withModules(['explain', 'expose']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/^explain expose\n/);
    expect(explain.packages).toEqual([]);
    const help = await withModules(['help', 'pod']);
    expect(help.code).toBe(0);
    expect(help.packages).toEqual([]);
  });

  it('shell completion (`__complete`, run on every <TAB>) loads nothing from node_modules, even when it asks the Kubernetes API', async () => {
    const api = await startKubeApiServer({ objects: [pod('web-1', { ip: '10.244.1.5' })] });
    try {
      const r = await withModules(['__complete', 'pod', ''], { KUBECONFIG: api.kubeconfigPath });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('web-1\tpod\n:4\n');
      expect(r.packages).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('the recorder sees the libraries that are loaded: audit reads the SQLite audit log through better-sqlite3', async () => {
    const r = await withModules(['audit'], { NETPEEK_SLACK_AUDIT_DB: join(dir, 'audit.db'), NETPEEK_REPORTS_DB: join(dir, 'reports.db') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^netpeek audit log\n/);
    expect(r.packages).toContain('better-sqlite3');
    expect(r.packages).not.toContain('pino');
  });
});

describeNeeding(DOCKER, 'container X loads no dockerode (the engine API over node:http)', () => {
  const name = uniqueName('modules');
  beforeAll(async () => {
    await ensureBusyboxImages();
    await docker('create', '--name', name, BUSYBOX_IMAGE, 'sleep', '60');
  }, 120_000);
  afterAll(async () => {
    await docker('rm', '-f', name).catch(() => undefined);
  });

  it('answers from the engine without dockerode, pino or client-node', async () => {
    const r = await withModules(['container', name], { KUBECONFIG: '/nonexistent/kubeconfig' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^container ${name}\\n`));
    expect(r.stdout).toMatch(/State\s+created/);
    for (const heavy of ['dockerode', 'docker-modem', 'pino', '@kubernetes/client-node']) expect(r.packages).not.toContain(heavy);
  });
});

describe('pod X loads no client-node when node:https can apply the kubeconfig\'s credentials', () => {
  const servers: KubeApiServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  async function server(o: { tls?: boolean; token?: string } = {}): Promise<KubeApiServer> {
    const api = await startKubeApiServer({
      ...o,
      namespaces: ['default', 'shop'],
      objects: [node('node-1', { podCIDR: '10.244.1.0/24', internalIP: '10.0.0.11' }), pod('web-1', { namespace: 'shop', ip: '10.244.1.5', nodeName: 'node-1', hostIP: '10.0.0.11' })],
    });
    servers.push(api);
    return api;
  }
  /** The pod answer (its IP is a fixture address: evaluated, never probed). */
  const answersPod = (r: CliResult) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('10.244.1.5');
    expect(r.stdout).toContain('10.244.1.0/24');
  };

  it('plain HTTP (insecure-skip-tls-verify), a direct GET of the pod', async () => {
    const api = await server();
    const r = await withModules(['pod', 'web-1', '-n', 'shop'], { KUBECONFIG: api.kubeconfigPath, DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    answersPod(r);
    expect(r.packages).not.toContain('@kubernetes/client-node');
    expect(r.packages).not.toContain('pino');
  });

  it('HTTPS with the kubeconfig\'s CA and a bearer token the server checks; CA and token also as files relative to the kubeconfig', async () => {
    const api = await server({ tls: true, token: 'sekret-token-1' });
    const r = await withModules(['pod', 'web-1', '-n', 'shop'], { KUBECONFIG: api.kubeconfigPath });
    answersPod(r);
    expect(r.packages).not.toContain('@kubernetes/client-node');

    const sub = join(dir, 'files');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'ca.crt'), api.caPem!);
    writeFileSync(join(sub, 'token'), 'sekret-token-1\n');
    const kubeconfig = join(sub, 'kubeconfig');
    const doc = parseYaml(readFileSync(api.kubeconfigPath, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, unknown> }[] };
    delete doc.clusters[0]!.cluster['certificate-authority-data'];
    doc.clusters[0]!.cluster['certificate-authority'] = 'ca.crt';
    doc.users[0]!.user = { tokenFile: 'token' };
    writeFileSync(kubeconfig, stringifyYaml(doc));
    const fromFiles = await withModules(['pod', 'web-1', '-n', 'shop'], { KUBECONFIG: kubeconfig });
    answersPod(fromFiles);
    expect(fromFiles.packages).not.toContain('@kubernetes/client-node');

    // A wrong token is the server's 401, told as netpeek tells it (exit 1 or 2, never a stack trace).
    doc.users[0]!.user = { token: 'wrong' };
    writeFileSync(kubeconfig, stringifyYaml(doc));
    const refused = await withModules(['pod', 'web-1', '-n', 'shop'], { KUBECONFIG: kubeconfig });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/^netpeek: /);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('an exec credential plugin is left to client-node, and the answer is the same', async () => {
    const api = await server({ tls: true, token: 'from-the-plugin' });
    const doc = parseYaml(readFileSync(api.kubeconfigPath, 'utf8')) as { users: { user: Record<string, unknown> }[] };
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-the-plugin' } });
    doc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `echo '${credential}'`], interactiveMode: 'Never' } };
    const kubeconfig = join(dir, 'exec-kubeconfig');
    writeFileSync(kubeconfig, stringifyYaml(doc));
    const r = await withModules(['pod', 'web-1', '-n', 'shop'], { KUBECONFIG: kubeconfig });
    answersPod(r);
    expect(r.packages).toContain('@kubernetes/client-node');
  });
});
