/**
 * Runs the machine's real kubectl against a test API server: its kubeconfig, a discovery cache inside
 * the server's temp dir (never ~/.kube/cache), closed stdin (kubectl must never prompt), a timeout.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';

export const KUBECTL = process.env.NETPEEK_KUBECTL ?? '/usr/bin/kubectl';

export function kubectlAvailable(): boolean {
  try {
    accessSync(KUBECTL, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type KubectlResult = { code: number; stdout: string; stderr: string };

export function runKubectl(
  server: { kubeconfigPath: string },
  args: string[],
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const full = [
    '--kubeconfig', server.kubeconfigPath,
    '--cache-dir', join(dirname(server.kubeconfigPath), 'kubectl-cache'),
    '--request-timeout=10s',
    ...args,
  ];
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL, full,
      { timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, KUBECONFIG: server.kubeconfigPath, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}
