import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_SCHEMA, hasSlackCredentials, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has sane defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.logLevel).toBe('info');
    expect(c.docker).toEqual({ host: undefined, timeoutMs: 5000 });
    expect(c.slack.port).toBe(3000);
    expect(hasSlackCredentials(c)).toBe(false);
  });

  it('names every bad variable in one message', () => {
    const err = configError({ LOG_LEVEL: 'loud', NETPEEK_DOCKER_TIMEOUT_MS: 'soon', DOCKER_HOST: 'docker.sock', SLACK_BOT_TOKEN: 'abc' });
    expect(err.message).toMatch(/4 problems/);
    expect(err.message).toMatch(/LOG_LEVEL="loud": Invalid enum value/);
    expect(err.message).toMatch(/NETPEEK_DOCKER_TIMEOUT_MS="soon"/);
    expect(err.message).toMatch(/DOCKER_HOST="docker.sock": must look like unix:\/\/\/var\/run\/docker.sock/);
    expect(err.message).toMatch(/SLACK_BOT_TOKEN=\(hidden\): must start with xoxb-/);
  });

  it('NETPEEK_WORKLOAD_VANTAGE is off unless opted in, and a bad value is named', () => {
    expect(loadConfig({}).workloadVantage).toBe(false);
    expect(loadConfig({ NETPEEK_WORKLOAD_VANTAGE: 'true' }).workloadVantage).toBe(true);
    expect(loadConfig({ NETPEEK_WORKLOAD_VANTAGE: '0' }).workloadVantage).toBe(false);
    expect(configError({ NETPEEK_WORKLOAD_VANTAGE: 'sometimes' }).message).toMatch(/NETPEEK_WORKLOAD_VANTAGE="sometimes": Invalid enum value/);
  });

  it('names a missing partner variable', () => {
    expect(configError({ SLACK_SIGNING_SECRET: 'abcdefghijkl' }).message).toMatch(/SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is missing/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DOCKER_HOST: '', LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it('recognises HTTP and Socket Mode credentials', () => {
    expect(hasSlackCredentials(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefghijkl' }))).toBe(true);
    expect(hasSlackCredentials(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }))).toBe(true);
  });

  it('README\'s configuration reference lists every variable', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it('.env.example documents every variable', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const name of Object.keys(ENV_SCHEMA.shape)) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});

describe('logger', () => {
  function capture(): { lines: string[]; stream: Writable } {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    return { lines, stream };
  }

  it('writes JSON and redacts tokens and secrets', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    log.info({ slack: { botToken: 'xoxb-123-456', signingSecret: 'shh-very-secret' }, headers: { authorization: 'Bearer abc' } }, 'start');
    log.error({ err: new Error('auth failed for xoxb-999-888-secret') }, 'call xapp-1-abc failed');
    const text = lines.join('');
    expect(text).not.toContain('xoxb-123-456');
    expect(text).not.toContain('shh-very-secret');
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('xoxb-999-888-secret');
    expect(text).not.toContain('xapp-1-abc');
    const first = JSON.parse(lines[0]!);
    expect(first.msg).toBe('start');
    expect(first.slack.botToken).toBe('[Redacted]');
  });
});
