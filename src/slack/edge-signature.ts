import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Slack's request signature, checked at the edge before a body is parsed. Bolt 4.7's own check
 * (`verifySlackRequest`) refuses timestamps more than five minutes old but accepts any timestamp in the
 * future, so a captured request stamped a day ahead would stay replayable for a day; the window here is
 * five minutes either way, and Bolt's check still runs on top (after the ack, for slash commands).
 * The HMAC is compared with node's timingSafeEqual rather than Bolt's helper, whose tsscmp draws random
 * bytes for every request: on the ack path, that was a measurable share of the time. For the same
 * reason the edge prepares the key once (`signingKey`) and hashes the body's raw bytes as they arrived
 * (`checkSlackSignature` takes a Buffer): no string of the body is built for the HMAC.
 */

const SIGNATURE = /^v0=[0-9a-f]{64}$/;

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

/** The signing secret as a key object, prepared once rather than from the string on every request. */
export function signingKey(signingSecret: string): KeyObject {
  return createSecretKey(Buffer.from(signingSecret, 'utf8'));
}

/**
 * The HMAC over `v0:{timestamp}:{body}`, compared in constant time, for headers that already passed
 * `checkSignatureHeaders`. The body is hashed as given: the raw bytes of the request (a string is
 * hashed as its UTF-8 bytes, which is the same thing).
 */
function checkSignedBody(key: KeyObject | string, headers: IncomingHttpHeaders, body: Buffer | string): SignatureCheck {
  const given = single(headers, 'x-slack-signature') as string;
  if (!SIGNATURE.test(given)) return { ok: false, reason: 'x-slack-signature must be v0= and 64 hex digits' };
  const expected = createHmac('sha256', key).update(`v0:${single(headers, 'x-slack-request-timestamp') as string}:`).update(body).digest();
  return timingSafeEqual(Buffer.from(given.slice(3), 'hex'), expected) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** Headers, window, then the HMAC over `v0:{timestamp}:{body}`, compared in constant time. */
export function checkSlackSignature(signingSecret: KeyObject | string, headers: IncomingHttpHeaders, body: Buffer | string, nowMs: number = Date.now()): SignatureCheck {
  const h = checkSignatureHeaders(headers, nowMs);
  return h.ok ? checkSignedBody(signingSecret, headers, body) : h;
}
