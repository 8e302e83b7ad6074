import { describe, expect, it } from 'vitest';
import { SocketModeReceiver } from '@slack/bolt';
import { loadConfig } from '../../../src/config.js';
import { CommandRegistry } from '../../../src/core/registry.js';
import { createLogger } from '../../../src/log.js';
import { assembleDeps } from '../../../src/deps.js';
import { chooseTransport, createSlackBot } from '../../../src/slack/app.js';
import { loadSlackConfig } from '../../../src/slack/slack-config.js';
import { fakeCommands } from '../../support/slack/fake-commands.js';

const slack = (o: { botToken?: string; signingSecret?: string; appToken?: string }) => ({ port: 3000, ...o });

describe('chooseTransport', () => {
  it('uses HTTP with a signing secret and Socket Mode with an app token (which wins in auto)', () => {
    expect(chooseTransport(slack({ botToken: 'xoxb-1', signingSecret: 'secret-123' }), 'auto')).toBe('http');
    expect(chooseTransport(slack({ botToken: 'xoxb-1', appToken: 'xapp-1' }), 'auto')).toBe('socket');
    expect(chooseTransport(slack({ botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: 'secret-123' }), 'auto')).toBe('socket');
    expect(chooseTransport(slack({ botToken: 'xoxb-1', appToken: 'xapp-1', signingSecret: 'secret-123' }), 'http')).toBe('http');
  });

  it('says what is missing', () => {
    expect(() => chooseTransport(slack({ signingSecret: 'secret-123' }), 'auto')).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => chooseTransport(slack({ botToken: 'xoxb-1' }), 'auto')).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => chooseTransport(slack({ botToken: 'xoxb-1', signingSecret: 'secret-123' }), 'socket')).toThrow(/SLACK_APP_TOKEN/);
  });
});

describe('createSlackBot in Socket Mode', () => {
  it('builds a Socket Mode receiver (no connection until start)', async () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_APP_TOKEN: 'xapp-test', LOG_LEVEL: 'silent' });
    const log = createLogger('silent');
    const bot = createSlackBot({
      config,
      slackConfig: loadSlackConfig({ NETPEEK_SLACK_AUDIT_DB: ':memory:' }),
      registry: new CommandRegistry(fakeCommands().commands),
      deps: assembleDeps({ config, log }),
      log,
    });
    expect(bot.transport).toBe('socket');
    expect((bot.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
    await bot.stop();
  });
});
