import { createHmac } from 'node:crypto';

/**
 * Signs requests the way Slack does (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret.
 */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type BodyKind = 'form' | 'json';

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with this secret instead (a forgery). */
  secret?: string;
  /** Leave out x-slack-signature / x-slack-request-timestamp. */
  omit?: ('signature' | 'timestamp')[];
  /** Extra headers, e.g. x-slack-retry-num. */
  headers?: Record<string, string>;
}

export const CONTENT_TYPES: Readonly<Record<BodyKind, string>> = {
  form: 'application/x-www-form-urlencoded',
  json: 'application/json',
};

export function signedHeaders(secret: string, body: string, kind: BodyKind, opts: SignOptions = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[kind], ...opts.headers };
  if (!opts.omit?.includes('timestamp')) headers['x-slack-request-timestamp'] = String(timestamp);
  if (!opts.omit?.includes('signature')) headers['x-slack-signature'] = slackSignature(opts.secret ?? secret, timestamp, body);
  return headers;
}

/** A form body exactly as Slack sends slash commands and interactivity payloads. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** POSTs a signed body with node's fetch. */
export async function postSigned(url: string, secret: string, body: string, kind: BodyKind, opts: SignOptions = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: signedHeaders(secret, body, kind, opts), body });
}
