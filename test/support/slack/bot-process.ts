import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FAKE_BOT, type FakeSlackApi } from './fake-slack-api.js';

/**
 * `netpeek serve` as its own process — src/main.ts exactly as `npm start` runs it, with the real Bolt
 * HTTP receiver — talking to the local fake Slack Web API (SLACK_API_URL). For attacks whose
 * failure mode is the process ending, which an in-test bot could not show.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

export interface BotProcess {
  child: ChildProcess;
  base: string;
  eventsUrl: string;
  auditDb: string;
  /** Its pino lines so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Exit code once it has exited, else null. */
  exitCode(): number | null;
  stop(): Promise<void>;
}

export async function startBotProcess(api: FakeSlackApi, signingSecret: string, env: Record<string, string> = {}): Promise<BotProcess> {
  // Its own working directory, so no .env of the checkout is read.
  const dir = mkdtempSync(join(tmpdir(), 'netpeek-bot-'));
  const auditDb = join(dir, 'audit.db');
  const child = spawn(process.execPath, ['--import', TSX, join(repo, 'src/main.ts'), 'serve'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      SLACK_BOT_TOKEN: FAKE_BOT.token,
      SLACK_SIGNING_SECRET: signingSecret,
      NETPEEK_SLACK_TRANSPORT: 'http',
      SLACK_API_URL: api.url,
      NETPEEK_SLACK_AUDIT_DB: auditDb,
      NETPEEK_SLACK_RETRY_BASE_MS: '20',
      NETPEEK_SLACK_RETRY_MAX_MS: '200',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdout?.resume();
  const logs = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const until = Date.now() + 30_000;
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`netpeek serve exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > until) throw new Error(`netpeek serve did not start within 30 s: ${stderr}`);
    const running = logs().find((l) => l.msg === 'netpeek Slack bot running');
    if (running) port = Number(running.port);
    else await new Promise((r) => setTimeout(r, 50));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    base,
    eventsUrl: `${base}/slack/events`,
    auditDb,
    logs,
    exitCode: () => child.exitCode,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
