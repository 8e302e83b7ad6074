/**
 * Colours in a real pseudo-terminal (util-linux `script` gives the CLI a pty as stdout): the verdict
 * green when allowed, red when denied, warnings yellow; none with NO_COLOR, through a pipe, or with
 * --json. The questions are `reach --no-probe` and pod lookups against the test API server: nothing is probed.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNeeding } from '../support/backends.js';
import { NETPEEK_BIN, netpeek } from '../support/cli.js';
import { namespace, networkPolicy, node, pod } from '../support/kube-apiserver/fixtures.js';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-apiserver/index.js';

let api: KubeApiServer;
const ESC = '\u001b[';
const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';

/** Runs the built CLI with a pty as its stdout (and stdin), through `script -q -e -c`. */
function inPty(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const quoted = [process.execPath, NETPEEK_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-q', '-e', '-c', quoted, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm', LOG_LEVEL: 'silent', NETPEEK_HISTORY_FILE: '', KUBECONFIG: api.kubeconfigPath, ...env },
      timeout: 60_000,
    }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, out: stdout }));
  });
}

beforeAll(async () => {
  api = await startKubeApiServer({
    objects: [
      namespace('shop'),
      node('node-1', { internalIP: '192.0.2.51', podCIDR: '10.244.1.0/24' }),
      pod('web-1', { namespace: 'shop', ip: '10.244.1.11', nodeName: 'node-1', labels: { app: 'web' } }),
      pod('web-2', { namespace: 'shop', ip: '10.244.1.12', nodeName: 'node-1', labels: { app: 'web' }, ready: false }),
      pod('db-0', { namespace: 'shop', ip: '10.244.1.20', nodeName: 'node-1', labels: { app: 'db' }, containers: [{ name: 'pg', image: 'postgres:16', ports: [{ containerPort: 5432 }] }] }),
      // db-0 takes connections from app=web on 5432 only.
      networkPolicy('db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }, 'shop'),
    ],
  });
});

afterAll(async () => {
  await api?.stop();
});

describeNeeding(['bsdutils'], 'terminal colours', () => {
  it('allowed is green, denied is red, in a pty', async () => {
    const allowed = await inPty(['reach', 'shop/web-1', 'shop/db-0', '--port', '5432', '--no-probe']);
    expect(allowed.code).toBe(0);
    const summaryOk = allowed.out.split('\n')[1]!;
    expect(summaryOk.startsWith(GREEN)).toBe(true);
    expect(summaryOk).toMatch(/allow/i);
    const denied = await inPty(['reach', 'shop/web-1', 'shop/db-0', '--port', '80', '--no-probe']);
    const summaryNo = denied.out.split('\n')[1]!;
    expect(summaryNo).toContain(RED);
    expect(summaryNo).toMatch(/den|not|block/i);
  });

  it('warnings are highlighted (yellow) in a pty', async () => {
    const r = await inPty(['pod', 'web-2', '-n', 'shop']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${YELLOW}  ! web-2 is not ready`);
  });

  it('NO_COLOR, a pipe, or --json / -o json: no escape codes at all', async () => {
    const noColor = await inPty(['pod', 'web-2', '-n', 'shop'], { NO_COLOR: '1' });
    expect(noColor.out).toMatch(/web-2 is not ready/);
    expect(noColor.out).not.toContain(ESC);
    for (const flags of [['--json'], ['-o', 'json']]) {
      const json = await inPty(['reach', 'shop/web-1', 'shop/db-0', '--port', '80', '--no-probe', ...flags]);
      expect(json.out).not.toContain(ESC);
      expect(JSON.parse(json.out).policy.port.verdict).toBe('denied');
    }
    // NO_COLOR="" does not turn colours off (no-color.org), yet a pipe still gets none.
    const piped = await netpeek(['pod', 'web-2', '-n', 'shop'], { NO_COLOR: '', KUBECONFIG: api.kubeconfigPath });
    expect(piped.stdout).toMatch(/web-2 is not ready/);
    expect(piped.stdout).not.toContain(ESC);
    const emptyNoColor = await inPty(['pod', 'web-2', '-n', 'shop'], { NO_COLOR: '' });
    expect(emptyNoColor.out).toContain(YELLOW);
  });
});
