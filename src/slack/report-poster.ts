import type { webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import { REPORT_EVENT_TYPE, type ReportTrend } from '../core/report.js';
import type { ReportPoster } from '../reports/report-poster.js';
import type { ReportMessage } from '../render/report-blocks.js';
import { deliver, type RetryPolicy } from './delivery.js';

/**
 * Report posts through Bolt's WebClient, with the same retry module (delivery.ts) as every Slack answer.
 * Each post carries message metadata naming its tick, so any replica can look in the channel to learn
 * whether a tick whose post was interrupted did reach Slack.
 */
type Client = Pick<webApi.WebClient, 'chat' | 'conversations' | 'files'>;

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export class SlackReportPoster implements ReportPoster {
  constructor(
    private readonly client: Client,
    private readonly retry: RetryPolicy,
    private readonly log: Logger,
  ) {}

  async post(channel: string, message: ReportMessage): Promise<{ ts: string }> {
    const tick = message.metadata.event_payload.tick;
    const res = await deliver(
      `report post ${tick}`,
      () => this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, metadata: message.metadata, unfurl_links: false, unfurl_media: false }),
      this.retry,
      this.log,
    );
    const ts = res.ts ?? '';
    for (const [i, reply] of message.thread.entries()) {
      try {
        await deliver(`report thread ${tick} ${i + 1}/${message.thread.length}`, () => this.client.chat.postMessage({ channel, thread_ts: ts, text: reply.text, blocks: reply.blocks }), this.retry, this.log);
      } catch (err) {
        // The verdict is out; a missing table reply is logged (deliver did) and does not fail the tick.
        this.log.warn({ tick, part: i + 1, err: (err as Error).message }, 'a thread reply of a report could not be posted');
        break;
      }
    }
    if (message.trend) await this.postTrend(channel, ts, tick ?? '', message.trend);
    return { ts };
  }

  /** The trend PNG in the post's thread; the verdict is already out, so a failure here is logged, not thrown. */
  private async postTrend(channel: string, ts: string, tick: string, trend: ReportTrend): Promise<void> {
    try {
      const { trendChartPng } = await import('../render/trend-chart.js');
      const png = await trendChartPng(trend);
      const report = tick.split('@')[0] || 'report';
      const last = (xs: (number | null)[]) => [...xs].reverse().find((x) => x !== null);
      const share = last(trend.reachablePct);
      const p95 = last(trend.p95Ms);
      const alt = `Reachable share and p95 latency of ${trend.labels.length} runs of ${report}; latest: ${share ?? '—'}% reachable, p95 ${p95 ?? '—'} ms`;
      await deliver(`report trend ${tick}`, () => this.client.files.uploadV2({ channel_id: channel, thread_ts: ts, file: png, filename: `${report}-trend.png`, title: trend.title, alt_text: alt }), this.retry, this.log);
    } catch (err) {
      this.log.warn({ tick, err: (err as Error).message }, 'the trend picture of a report could not be posted');
    }
  }

  async findPosted(channel: string, tickKey: string, oldest: Date): Promise<string | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const res = (await this.client.conversations.history({
        channel,
        oldest: (Math.floor(oldest.getTime() / 1000) - 1).toString(),
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      })) as { messages?: HistoryMessage[]; response_metadata?: { next_cursor?: string } };
      const hit = (res.messages ?? []).find((m) => m.metadata?.event_type === REPORT_EVENT_TYPE && m.metadata.event_payload?.tick === tickKey);
      if (hit?.ts) return hit.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }
}
