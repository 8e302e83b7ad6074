import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../../src/slack/bot-metrics.js';
import { parseMetrics, sample } from '../../support/prometheus-text.js';

describe('bot metrics keep every label bounded', () => {
  it('counts a command outside the registry as unknown, and a Slack call that is not a method name as other', async () => {
    const m = new BotMetrics({ commands: ['pod', 'container'], defaultMetrics: false });
    m.question('pod', 'slash', 'ok', 12);
    m.question('rm -rf /', 'mention', 'user_error', 3);
    m.question('(unparsed)', 'slash', 'user_error', 1);
    m.slackError('chat.postMessage', 'platform');
    m.slackError('https://files.slack.com/upload/v1/CwABAAAAXQoAAZnm', 'http');
    const text = await m.registry.metrics();
    const f = parseMetrics(text);
    expect(sample(f, 'netpeek_questions_total', { command: 'pod', outcome: 'ok', source: 'slash' })?.value).toBe('1');
    expect(sample(f, 'netpeek_questions_total', { command: 'unknown', outcome: 'user_error', source: 'mention' })?.value).toBe('1');
    expect(sample(f, 'netpeek_questions_total', { command: 'unknown', outcome: 'user_error', source: 'slash' })?.value).toBe('1');
    expect(sample(f, 'netpeek_slack_api_errors_total', { method: 'chat.postMessage', kind: 'platform' })?.value).toBe('1');
    expect(sample(f, 'netpeek_slack_api_errors_total', { method: 'other', kind: 'http' })?.value).toBe('1');
    expect(text).not.toContain('rm -rf');
    expect(text).not.toContain('CwABAAAAXQoAAZnm');
  });

  it('a kubeconfig that cannot be read leaves the cache gauges empty instead of failing the scrape', async () => {
    const m = new BotMetrics({
      commands: [],
      defaultMetrics: false,
      kubeStates: () => {
        throw new Error('kubeconfig unreadable');
      },
    });
    const f = parseMetrics(await m.registry.metrics());
    expect(f.get('netpeek_kube_cache_synced')?.metrics).toEqual([]);
  });
});
