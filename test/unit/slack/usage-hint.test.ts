import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../../commands/index.js';
import { loadSlackConfig } from '../../../src/slack/slack-config.js';
import { slackUsageHint } from '../../../src/slack/usage-hint.js';

interface Manifest {
  features: { slash_commands: { command: string; url: string; usage_hint: string }[]; app_home: { messages_tab_enabled: boolean; home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url: string }; socket_mode_enabled: boolean };
}

const manifest = parse(readFileSync(new URL('../../../deploy/slack/manifest.yaml', import.meta.url), 'utf8')) as Manifest;

describe('deploy/slack/manifest.yaml', () => {
  it('declares the slash command the bot answers, on the receiver endpoint', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([loadSlackConfig({}).command]);
    for (const url of [manifest.features.slash_commands[0]!.url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url]) {
      expect(url).toMatch(/^https:\/\/.+\/slack\/events$/);
    }
  });

  it("shows the commands' own usage hints (derived from the registry)", () => {
    expect(manifest.features.slash_commands[0]!.usage_hint).toBe(slackUsageHint(COMMANDS));
    expect(slackUsageHint(COMMANDS)).toBe('container webserver-1 | pod webserver-2 -n shop | ping webserver-2 --port 80 | help');
  });

  it('subscribes to mentions, DMs and the Home tab opening; enables buttons, the DM tab and the Home tab', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'message.im']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks for the scopes the bot uses and nothing broader', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      ['app_mentions:read', 'channels:history', 'chat:write', 'commands', 'files:write', 'groups:history', 'im:history', 'im:write', 'mpim:history'].sort(),
    );
  });
});
