/**
 * Issue 19, at run time: which libraries the built binary really loads for a one-shot answer (the
 * architecture test checks the import graph of the sources; this checks the bundle that esbuild made of
 * them). Every module a process loads from node_modules is recorded by a preload (record-modules.mjs).
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../support/backends.js';
import { netpeek, type CliResult } from '../support/cli.js';
import { BUSYBOX_IMAGE, docker, ensureBusyboxImages, uniqueName } from '../support/docker-fixtures.js';
import { DOCKER } from '../support/machine.js';
import { pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer } from '../support/kube-apiserver/index.js';

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
