import type { ReportMessage } from '../render/report-blocks.js';

/**
 * Where report messages go. The real one posts to Slack (src/slack/report-poster.ts) and is handed in by
 * the composition root, so reports never import the Slack adapter.
 */
export interface ReportPoster {
  /** Posts the message, then its thread replies; resolves with the message's ts once the main post succeeded. */
  post(channel: string, message: ReportMessage): Promise<{ ts: string }>;
  /**
   * The ts of this tick's post in `channel` (posted at or after `oldest`), or undefined when there is
   * none. Throws when the channel cannot be read (the caller then does not post, to avoid a double).
   */
  findPosted(channel: string, tickKey: string, oldest: Date): Promise<string | undefined>;
}
