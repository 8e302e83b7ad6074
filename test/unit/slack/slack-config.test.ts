import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { loadSlackConfig, SLACK_ENV_SCHEMA } from '../../../src/slack/slack-config.js';

describe('loadSlackConfig', () => {
  it('has defaults that allow everything and persist the audit log', () => {
    const c = loadSlackConfig({});
    expect(c).toMatchObject({
      command: '/netpeek',
      transport: 'auto',
      auditDb: 'netpeek-audit.db',
      buttons: { ttlSeconds: 900 },
      retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 },
      access: { channels: [], users: [], probeChannels: [], probeUsers: [], allowDms: true },
    });
    expect(c.access.scopes.size).toBe(0);
    expect(c.maxWaitingAnswers).toBe(5000);
  });

  it('NETPEEK_SLACK_MAX_WAITING_ANSWERS: a whole number from 1, named when it is not', () => {
    expect(loadSlackConfig({ NETPEEK_SLACK_MAX_WAITING_ANSWERS: '200' }).maxWaitingAnswers).toBe(200);
    expect(() => loadSlackConfig({ NETPEEK_SLACK_MAX_WAITING_ANSWERS: '0' })).toThrow(/NETPEEK_SLACK_MAX_WAITING_ANSWERS="0"/);
    expect(() => loadSlackConfig({ NETPEEK_SLACK_MAX_WAITING_ANSWERS: 'lots' })).toThrow(/NETPEEK_SLACK_MAX_WAITING_ANSWERS="lots"/);
  });

  it('reads lists and per-channel maps', () => {
    const c = loadSlackConfig({
      NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0A0000001, C0B0000001',
      NETPEEK_SLACK_PROBE_USERS: 'U0ALICE001',
      NETPEEK_SLACK_CHANNEL_SCOPES: 'C123ABC=shop,payments; C456DEF=*; *=default',
      NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C123ABC=shop',
      NETPEEK_SLACK_CHANNEL_CLUSTERS: 'C123ABC=prod-eu',
    });
    expect(c.access.channels).toEqual(['C0A0000001', 'C0B0000001']);
    expect(c.access.probeUsers).toEqual(['U0ALICE001']);
    expect([...c.access.scopes]).toEqual([
      ['C123ABC', ['shop', 'payments']],
      ['C456DEF', ['*']],
      ['*', ['default']],
    ]);
    expect(c.access.defaultNamespaces.get('C123ABC')).toBe('shop');
    expect(c.access.defaultClusters.get('C123ABC')).toBe('prod-eu');
  });

  it('loadConfig, which validates these with every other variable once, gives the bot the same Slack settings', () => {
    const env = {
      NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0A0000001, C0B0000001',
      NETPEEK_SLACK_CHANNEL_SCOPES: 'C123ABC=shop,payments; *=default',
      NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C123ABC=shop',
      NETPEEK_SLACK_MAX_WAITING_ANSWERS: '200',
      NETPEEK_POD_NAME: 'netpeek-0',
    };
    expect(loadConfig(env).slackBot).toEqual(loadSlackConfig(env));
    expect(() => loadConfig({ NETPEEK_ALERTMANAGER_TOKEN: 'a'.repeat(20), NETPEEK_ALERTMANAGER_CHANNELS: 'C0ALERTS1=*', NETPEEK_SLACK_ALLOWED_CHANNELS: 'C0OPS0001' })).toThrow(
      /routes to C0ALERTS1, not in NETPEEK_SLACK_ALLOWED_CHANNELS/,
    );
  });

  it('names every bad variable in one error, hiding secrets', () => {
    let err: unknown;
    try {
      loadSlackConfig({
        NETPEEK_SLACK_ALLOWED_CHANNELS: 'ops,C0A0000001',
        NETPEEK_SLACK_CHANNEL_SCOPES: 'ops=shop;C123ABC=Bad_NS',
        NETPEEK_SLACK_CHANNEL_NAMESPACES: 'C123ABC=a,b',
        NETPEEK_BUTTON_SECRET: 'short',
        NETPEEK_SLACK_COMMAND: 'netpeek',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/NETPEEK_SLACK_ALLOWED_CHANNELS="ops,C0A0000001": ops is not a Slack channel ID/);
    expect(msg).toMatch(/"ops" in "ops=shop" is not a channel ID/);
    expect(msg).toMatch(/Bad_NS in "C123ABC=Bad_NS" is not a valid namespace/);
    expect(msg).toMatch(/"C123ABC=a,b" needs exactly one namespace/);
    expect(msg).toMatch(/NETPEEK_BUTTON_SECRET=\(hidden\): must be at least 32 characters/);
    expect(msg).toMatch(/NETPEEK_SLACK_COMMAND="netpeek": must look like \/netpeek/);
    expect(msg).not.toContain('short');
  });

  it('describes every variable', () => {
    for (const [name, schema] of Object.entries(SLACK_ENV_SCHEMA.shape)) {
      expect(schema.description, name).toBeTruthy();
    }
  });
});
