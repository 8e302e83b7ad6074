import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { netpeek } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('netpeek binary: answers, usage and exit codes', () => {
  it('help lists the commands and exits 0', async () => {
    const r = await netpeek(['help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^netpeek commands\n/);
    expect(r.stdout).toMatch(/help\s+List the commands/);
    expect(r.stderr).toBe('');
  });

  it('--json prints the Answer', async () => {
    const r = await netpeek(['help', 'help', '--json']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout);
    expect(answer.command).toBe('help');
    expect(answer.tables).toContainEqual({ title: 'Usage:', columns: ['usage'], rows: [['netpeek help [<command>] [options]']] });
  });

  it('an unknown command exits 1 with one reason line and the usage', async () => {
    const r = await netpeek(['contaner', 'web-1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const [first, ...rest] = r.stderr.trim().split('\n');
    expect(first).toMatch(/^netpeek: "contaner" is not a netpeek command\. Did you mean "container"\?$/);
    expect(rest.join('\n')).toMatch(/Example: container webserver-1/);
  });

  it('an error in --json mode is JSON on stdout with exit 1', async () => {
    const r = await netpeek(['nope', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('bad_input');
  });

  it.each([
    [['container', 'web;reboot'], /no container, pod or network name can contain/],
    [['container', '$(id)'], /never runs a shell/],
    [['help', 'a', 'b'], /help takes at most 1 argument; "b" is extra\./],
    [['help', '--port', '99999'], /--port must be from 1 to 65535; got 99999/],
    [['help', '--frobnicate'], /unknown flag --frobnicate \(not a netpeek flag\)/],
    [['pod', 'web-1', '--contxt', 'dev'], /^netpeek: unknown flag --contxt; did you mean --context\?\n/],
    [['pod', '-l', 'app=web', '-o', 'yaml'], /^netpeek: -o\/--output takes json, wide or name; got "yaml"\./],
    [['container', 'x'.repeat(600)], /at most 500/],
  ])('bad input %j exits 1 with a specific message and no stack trace', async (args, message) => {
    const r = await netpeek(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('a bad configuration names each bad variable and exits 1', async () => {
    const r = await netpeek(['container', 'web-1'], { LOG_LEVEL: 'loud', NETPEEK_DOCKER_TIMEOUT_MS: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/configuration has 2 problems/);
    expect(r.stderr).toMatch(/LOG_LEVEL="loud"/);
    expect(r.stderr).toMatch(/NETPEEK_DOCKER_TIMEOUT_MS="abc"/);
  });

  it('reads .env from the working directory', async () => {
    writeFileSync(join(dir, '.env'), 'NETPEEK_DOCKER_TIMEOUT_MS=forever\n');
    const r = await netpeek(['container', 'web-1'], {}, undefined, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NETPEEK_DOCKER_TIMEOUT_MS="forever"/);
  });

  it('explain and help (selfContained: no backend, no configuration read) answer whatever the configuration says', async () => {
    const explain = await netpeek(['explain', 'expose'], { LOG_LEVEL: 'loud', NETPEEK_DOCKER_TIMEOUT_MS: 'abc' });
    expect(explain.code).toBe(0);
    expect(explain.stdout).toMatch(/^explain expose\nEXPOSE is documentation: it opens no port and changes no reachability\./);
    expect(explain.stderr).toBe('');
    const help = await netpeek(['help', 'pod'], { NETPEEK_DOCKER_TIMEOUT_MS: 'abc' });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/netpeek pod /);
  });

  it('.env yields to the environment: a variable set in both takes the environment\'s value', async () => {
    writeFileSync(join(dir, '.env'), 'NETPEEK_DOCKER_TIMEOUT_MS=forever\n');
    const r = await netpeek(['container', 'web-1'], { NETPEEK_DOCKER_TIMEOUT_MS: '2000', DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, undefined, dir);
    expect(r.stderr).not.toMatch(/NETPEEK_DOCKER_TIMEOUT_MS/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Docker engine at unix:\/\/\/nonexistent\/docker\.sock did not answer/);
  });

  it('--version prints the package version', async () => {
    const r = await netpeek(['--version']);
    expect(r.stdout).toMatch(/^netpeek \d+\.\d+\.\d+\n$/);
  });

  it('with no arguments and no Slack credentials it opens the console and answers lines from stdin', async () => {
    const r = await netpeek([], {}, '/netpeek help\nbogus\nexit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/netpeek console/);
    expect(r.stdout).toMatch(/No Slack credentials configured/);
    expect(r.stdout).toMatch(/Docker: /);
    expect(r.stdout).toMatch(/Kubernetes: /);
    expect(r.stdout).toMatch(/netpeek commands/);
    expect(r.stdout).toMatch(/"bogus" is not a netpeek command/);
  });
});
