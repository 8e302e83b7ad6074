import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../commands/index.js';
import { runConsole } from '../../../src/cli/console.js';
import { assembleDeps, type Deps } from '../../../src/deps.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';

const dir = mkdtempSync(join(tmpdir(), 'netpeek-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function session(lines: string[], historyFile?: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (c) => (out += String(c)));
  const deps: Deps = assembleDeps({ config: loadConfig({}), log: createLogger('silent') });
  const done = runConsole({
    input,
    output,
    registry: new CommandRegistry(COMMANDS),
    deps,
    checks: [
      { name: 'Docker', check: async () => ({ ok: true, detail: 'Docker 99 at unix:///test.sock' }) },
      { name: 'Kubernetes', check: async () => ({ ok: false, detail: 'no /root/.kube/config and not running inside a cluster' }) },
    ],
    historyFile,
    color: false,
    reason: 'No Slack credentials configured.',
  });
  for (const l of lines) input.write(`${l}\n`);
  input.end();
  await done;
  return out;
}

describe('interactive console', () => {
  it('prints a banner naming the backends found and not found', async () => {
    const out = await session([]);
    expect(out).toContain('✓ Docker: Docker 99 at unix:///test.sock');
    expect(out).toContain('✗ Kubernetes: no /root/.kube/config and not running inside a cluster');
    expect(out).toContain('No Slack credentials configured.');
  });

  it('answers slash-command and bare lines, errors included, and keeps going', async () => {
    const out = await session(['/netpeek help', 'bogus thing', 'help help', 'exit', 'help']);
    expect(out).toContain('netpeek commands');
    expect(out).toContain('netpeek: "bogus" is not a netpeek command.');
    expect(out).toMatch(/Usage:\n +netpeek help \[<command>\] \[options\]/);
    // nothing after exit is answered
    expect(out.split('netpeek commands').length).toBe(2);
  });

  it('prints JSON when a line has --json', async () => {
    const out = await session(['help --json']);
    const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
    expect(JSON.parse(json).command).toBe('help');
  });

  it('keeps a history file', async () => {
    const file = join(dir, 'history');
    writeFileSync(file, 'help\n');
    await session(['help help', '', 'status-typo'], file);
    expect(readFileSync(file, 'utf8')).toBe('help\nhelp help\nstatus-typo\n');
  });
});
