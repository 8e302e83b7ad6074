import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DOCKER, describeNeeding } from '../../support/backends.js';
import { NETPEEK_BIN, netpeek } from '../../support/cli.js';
import { PrivateDockerd } from '../../support/private-dockerd.js';

/**
 * The Docker engine goes away under a running console and comes back: answers say the engine is down
 * (exit 2 in the one-shot CLI), then recover without restarting netpeek. The engine is a private dockerd
 * on its own socket, so stopping it disturbs nothing else on the machine.
 */

const run = promisify(execFile);
const NAME = 'np-fault-web';
const RECOVERY_BOUND_MS = 10_000;

/** The interactive console on a pipe: write a line, wait for what it prints after that line. */
class Console {
  private out = '';
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.out += d.toString()));
  }

  static start(env: Record<string, string>): Console {
    const child = spawn(process.execPath, [NETPEEK_BIN, 'console'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', NO_COLOR: '1', LOG_LEVEL: 'silent', NETPEEK_HISTORY_FILE: '', ...env },
    });
    return new Console(child);
  }

  async ask(line: string, until: RegExp, timeoutMs = 15_000): Promise<string> {
    const from = this.out.length;
    this.child.stdin.write(`${line}\n`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const said = this.out.slice(from);
      if (until.test(said)) return said;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`console said nothing matching ${until} within ${timeoutMs} ms after "${line}"; it said: ${this.out.slice(from).slice(-2000)}`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end('exit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

const ANSWER = new RegExp(`container ${NAME}[\\s\\S]*State\\s+created`);
const ENGINE_DOWN = /Docker engine at unix:\/\/\S+ did not answer: (no socket there|connection refused)/;

describeNeeding([...DOCKER, 'root'], 'fault: the Docker engine stops and starts under a running console', () => {
  let engine: PrivateDockerd;
  let cli: Console;
  let env: Record<string, string>;

  beforeAll(async () => {
    engine = await PrivateDockerd.create();
    await engine.start();
    await engine.importBusybox('np-fault/busybox:1');
    await engine.docker(['create', '--name', NAME, '--network', 'none', 'np-fault/busybox:1']);
    expect(engine.bridge).not.toBe('docker0');
    env = { DOCKER_HOST: engine.host, KUBECONFIG: '/nonexistent/kubeconfig' };
    cli = Console.start(env);
  }, 180_000);

  afterAll(async () => {
    await cli?.close();
    await engine?.destroy();
    // The machine's own engine is untouched: its docker0 is still there.
    expect((await run('ip', ['-br', 'link', 'show', 'docker0'])).stdout).toMatch(/^docker0\s/);
  }, 60_000);

  it(`answers, says the engine is down (CLI exit 2), then recovers without a restart within ${RECOVERY_BOUND_MS / 1000} s`, async () => {
    expect(await cli.ask(`container ${NAME}`, ANSWER)).toMatch(ANSWER);
    expect((await netpeek(['container', NAME], env)).code).toBe(0);

    await engine.stop();
    const down = await cli.ask(`container ${NAME}`, ENGINE_DOWN);
    expect(down).not.toMatch(/\n\s+at |internal error/i);
    const oneShot = await netpeek(['container', NAME], env);
    expect(oneShot.code).toBe(2);
    expect(oneShot.stderr).toMatch(ENGINE_DOWN);
    expect(cli.child.exitCode).toBeNull();

    await engine.start();
    const up = Date.now();
    let tries = 0;
    let recovered: number | undefined;
    while (Date.now() - up < RECOVERY_BOUND_MS) {
      tries += 1;
      const said = await cli.ask(`container ${NAME}`, new RegExp(`${ANSWER.source}|${ENGINE_DOWN.source}`));
      if (ANSWER.test(said)) {
        recovered = Date.now() - up;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(`[fault] docker engine back: console answered again ${String(recovered)} ms after \`docker info\` did (${tries} tries, no restart)\n`);
    expect(recovered).toBeDefined();
    expect(recovered!).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
    expect((await netpeek(['container', NAME], env)).code).toBe(0);
    expect(cli.child.exitCode).toBeNull();
  }, 120_000);
});
