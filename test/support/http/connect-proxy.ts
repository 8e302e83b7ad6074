import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

export interface ProxyRequest {
  method: string;
  /** host:port for CONNECT, the absolute URL for plain HTTP. */
  target: string;
}

export interface ConnectProxy {
  url: string;
  /** Everything that passed through it so far. */
  seen(): ProxyRequest[];
  stop(): Promise<void>;
}

/** Starts test/support/process/connect-proxy.ts in its own process. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, join(repo, 'test/support/process/connect-proxy.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const lines = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  const until = Date.now() + 20_000;
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}: ${err}`);
    if (Date.now() > until) throw new Error(`proxy did not start: ${err}`);
    const p = lines().find((l) => typeof l.port === 'number');
    if (p) port = p.port as number;
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => lines().filter((l) => typeof l.method === 'string') as unknown as ProxyRequest[],
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
