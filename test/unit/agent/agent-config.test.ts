import { describe, expect, it } from 'vitest';
import { AGENT_CLIENT_ENV_SCHEMA, AGENT_ENV_SCHEMA, loadAgentClientConfig, loadAgentConfig } from '../../../src/agent/agent-config.js';
import { ConfigError } from '../../../src/config.js';

const secret = 'sixteen-chars-ok!';

describe('loadAgentConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadAgentConfig({ NETPEEK_AGENT_SECRET: secret, NETPEEK_NODE_NAME: 'node-a' });
    expect(c).toMatchObject({
      secret,
      listen: { host: '0.0.0.0', port: 7070 },
      allowCidrs: [],
      allowPorts: [{ from: 1, to: 65535 }],
      maxTargets: 256,
      maxInflight: 512,
      rps: 50,
      nodeName: 'node-a',
    });
    expect(loadAgentConfig({ NETPEEK_AGENT_SECRET: secret }).nodeName.length).toBeGreaterThan(0);
  });

  it('parses lists, ports and listen addresses', () => {
    const c = loadAgentConfig({
      NETPEEK_AGENT_SECRET: secret,
      NETPEEK_AGENT_LISTEN: '[::]:9000',
      NETPEEK_AGENT_ALLOW_CIDRS: '10.244.0.5/16, ::ffff:10.96.0.0/108,fd00::/64',
      NETPEEK_AGENT_ALLOW_PORTS: '80,443,8000-9000',
      NETPEEK_AGENT_MAX_TARGETS: '10',
      NETPEEK_AGENT_RPS: '2.5',
    });
    expect(c.listen).toEqual({ host: '::', port: 9000 });
    expect(c.allowCidrs).toEqual(['10.244.0.0/16', '10.96.0.0/12', 'fd00::/64']);
    expect(c.allowPorts).toHaveLength(3);
    expect(c.maxTargets).toBe(10);
    expect(c.rps).toBe(2.5);
  });

  it('names every bad variable and hides the secret', () => {
    let err: unknown;
    try {
      loadAgentConfig({
        NETPEEK_AGENT_SECRET: 'short',
        NETPEEK_AGENT_LISTEN: 'nowhere',
        NETPEEK_AGENT_ALLOW_CIDRS: '10.0.0.0/8,example.com/24',
        NETPEEK_AGENT_ALLOW_PORTS: '0-80',
        NETPEEK_AGENT_MAX_TARGETS: 'lots',
        NETPEEK_AGENT_MAX_INFLIGHT: '0',
        NETPEEK_AGENT_RPS: '-1',
        NETPEEK_NODE_NAME: 'bad name',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const name of ['NETPEEK_AGENT_SECRET=(hidden)', 'NETPEEK_AGENT_LISTEN', 'NETPEEK_AGENT_ALLOW_CIDRS', 'NETPEEK_AGENT_ALLOW_PORTS', 'NETPEEK_AGENT_MAX_TARGETS', 'NETPEEK_AGENT_MAX_INFLIGHT', 'NETPEEK_AGENT_RPS', 'NETPEEK_NODE_NAME'])
      expect(message).toContain(name);
    expect(message).not.toContain('short');
    expect((err as ConfigError).problems).toHaveLength(8);
  });

  it('requires the secret for the agent', () => {
    expect(() => loadAgentConfig({})).toThrow(/NETPEEK_AGENT_SECRET is not set/);
  });

  it('describes every variable', () => {
    for (const [name, field] of Object.entries({ ...AGENT_ENV_SCHEMA.shape, ...AGENT_CLIENT_ENV_SCHEMA.shape })) expect(field.description, name).toBeTruthy();
  });
});

describe('loadAgentClientConfig', () => {
  it('reads the static agent directory', () => {
    const c = loadAgentClientConfig({ NETPEEK_AGENTS: 'node-a=http://10.0.0.11:7070/, node-b=http://10.0.0.12:7070', NETPEEK_AGENT_SECRET: secret });
    expect(c).toEqual({ secret, timeoutMs: 5000, agents: { 'node-a': 'http://10.0.0.11:7070', 'node-b': 'http://10.0.0.12:7070' } });
  });

  it('names a bad directory entry', () => {
    expect(() => loadAgentClientConfig({ NETPEEK_AGENTS: 'node-a=ftp://x' })).toThrow(/NETPEEK_AGENTS.*http/);
    expect(() => loadAgentClientConfig({ NETPEEK_AGENTS: 'node-a' })).toThrow(/node=url/);
  });
});
