import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './results-file.js';

export interface ServeProcess {
  port: number;
  stop(): void;
}

/**
 * The Slack bot as production starts it (deploy/docker/Dockerfile: `node dist/bundle/netpeek.cjs serve`,
 * the bundle `npm run build` made): its default log level (info, JSON on stderr, here written to a file
 * as a container runtime would collect it), its SQLite store in a temporary working directory, the
 * Web API at `slackApiUrl`. `nodeArgs` go before the script (profiling flags). Resolves once /healthz
 * answers 200; the process is ended with SIGTERM by stop().
 */
export async function startServe(o: { signingSecret: string; botToken: string; slackApiUrl: string; nodeArgs?: string[] }): Promise<ServeProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-bench-serve-'));
  const logFile = join(dir, 'serve.log');
  const env: NodeJS.ProcessEnv = { ...process.env, SLACK_BOT_TOKEN: o.botToken, SLACK_SIGNING_SECRET: o.signingSecret, SLACK_API_URL: o.slackApiUrl, PORT: String(port), KUBECONFIG: '' };
  delete env.SLACK_APP_TOKEN;
  delete env.NETPEEK_DATABASE_URL;
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), join(repoRoot(), 'dist', 'bundle', 'netpeek.cjs'), 'serve'], { cwd: dir, env, stdio: ['ignore', 'ignore', openSync(logFile, 'w')] });
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  const logTail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      const tail = logTail();
      cleanUp();
      throw new Error(`netpeek serve exited (${child.exitCode}) before it was ready: ${tail}`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      const tail = logTail();
      child.once('exit', cleanUp);
      child.kill('SIGTERM');
      throw new Error(`netpeek serve was not ready within 60 s: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: () => {
      child.once('exit', cleanUp);
      child.kill('SIGTERM');
    },
  };
}

/** A loopback port nothing listens on now (the kernel's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
