import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Lab } from '../../support/netns.js';

/**
 * Runs the real `netpeek agent` entry (src/agent/run-agent.ts) as its own process inside a lab namespace,
 * so its probes leave from that namespace, like an agent on another node. The TypeScript entry is bundled
 * once with esbuild (already in node_modules as vite's dependency); packages stay external and resolve
 * from the repository's node_modules.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function buildAgentBundle(): Promise<{ file: string; remove(): void }> {
  const dir = join(repo, 'node_modules', '.cache', 'netpeek-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `agent-${process.pid}-${randomBytes(3).toString('hex')}.mjs`);
  await build({ entryPoints: [join(repo, 'src/agent/run-agent.ts')], outfile: file, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });
  return { file, remove: () => rmSync(file, { force: true }) };
}

export interface AgentProcess {
  url: string;
  node: string;
  child: ChildProcess;
  /** What it wrote to stderr (its JSON log). */
  log(): string;
}

/** Starts an agent in `ns` listening on `ip:7070` and waits until /healthz answers. */
export async function startAgentIn(lab: Lab, bundle: string, ns: string, ip: string, env: Record<string, string>): Promise<AgentProcess> {
  const child = lab.spawn(ns, process.execPath, [bundle], {
    env: { PATH: process.env.PATH, NETPEEK_AGENT_LISTEN: `${ip}:7070`, NETPEEK_NODE_NAME: ns, LOG_LEVEL: 'info', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.resume();
  const url = `http://${ip}:7070`;
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`agent in ${ns} exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(500) })).ok) return { url, node: ns, child, log: () => stderr };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`agent in ${ns} did not answer /healthz within 15 s: ${stderr}`);
}

/**
 * Starts the bundled agent as a process on 127.0.0.1 (a free port), waiting for its "agent listening" line.
 * `args` follow the script: `startLoopbackAgent(NETPEEK_BIN, env, ['agent'])` runs the built `netpeek agent`.
 */
export async function startLoopbackAgent(bundle: string, env: Record<string, string>, args: string[] = []): Promise<AgentProcess> {
  const child = spawn(process.execPath, [bundle, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, NETPEEK_AGENT_LISTEN: '127.0.0.1:0', NETPEEK_NODE_NAME: 'loopback', LOG_LEVEL: 'info', ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.resume();
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}: ${stderr}`);
    const line = stderr.split('\n').find((l) => l.includes('"agent listening"'));
    if (line) return { url: String((JSON.parse(line) as { url: string }).url), node: 'loopback', child, log: () => stderr };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`agent did not start within 15 s: ${stderr}`);
}
