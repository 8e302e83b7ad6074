import type { IncomingHttpHeaders } from 'node:http';
import { verifySlackRequest } from '@slack/bolt';

/**
 * Slack's request signature, checked at the edge before a body is parsed. Bolt 4.7's own check
 * (`verifySlackRequest`) refuses timestamps more than five minutes old but accepts any timestamp in the
 * future, so a captured request stamped a day ahead would stay replayable for a day; the window here is
 * five minutes either way, and Bolt's check still runs on top.
 */

export const SLACK_TIMESTAMP_WINDOW_S = 5 * 60;

/** `unsigned`: the signature headers are missing altogether (an ssl_check, or not from Slack). */
export type SignatureCheck = { ok: true } | { ok: false; reason: string; unsigned?: true };

function single(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
}

/** The headers alone: present, a timestamp in unix seconds within the window. Cheap enough to run before the body is read. */
export function checkSignatureHeaders(headers: IncomingHttpHeaders, nowMs: number = Date.now()): SignatureCheck {
  const signature = single(headers, 'x-slack-signature');
  const timestamp = single(headers, 'x-slack-request-timestamp');
  if (!signature || !timestamp) return { ok: false, unsigned: true, reason: 'request is not signed (x-slack-signature and x-slack-request-timestamp are required)' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'x-slack-request-timestamp must be unix seconds' };
  const skew = Number(timestamp) - Math.floor(nowMs / 1000);
  if (skew > SLACK_TIMESTAMP_WINDOW_S) return { ok: false, reason: `x-slack-request-timestamp is ${skew} s in the future (at most ${SLACK_TIMESTAMP_WINDOW_S} s either way)` };
  if (-skew > SLACK_TIMESTAMP_WINDOW_S) return { ok: false, reason: `x-slack-request-timestamp is ${-skew} s old (at most ${SLACK_TIMESTAMP_WINDOW_S} s either way)` };
  return { ok: true };
}

/** Headers, window, then the HMAC over `v0:{timestamp}:{body}` (constant-time compare, by Bolt). */
export function checkSlackSignature(signingSecret: string, headers: IncomingHttpHeaders, body: string, nowMs: number = Date.now()): SignatureCheck {
  const h = checkSignatureHeaders(headers, nowMs);
  if (!h.ok) return h;
  try {
    verifySlackRequest({
      signingSecret,
      body,
      headers: { 'x-slack-signature': single(headers, 'x-slack-signature') as string, 'x-slack-request-timestamp': Number(single(headers, 'x-slack-request-timestamp')) },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.replace(/^Failed to verify authenticity: /, '') : 'signature does not match' };
  }
}
