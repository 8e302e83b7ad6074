import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ReplayCache } from './replay-cache.js';

/**
 * Request signing shared by the agent and its clients: HMAC-SHA256 with a shared secret over
 * `METHOD\npath\nsha256(body)\ntimestamp\nnonce`. The timestamp (unix seconds) must be within the window,
 * and each nonce is accepted once (see ReplayCache).
 */

export const SIGNATURE_HEADERS = {
  timestamp: 'x-netpeek-timestamp',
  nonce: 'x-netpeek-nonce',
  signature: 'x-netpeek-signature',
} as const;

/** How far a request's timestamp may be from the agent's clock, either way. */
export const SIGNATURE_WINDOW_MS = 30_000;

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const HEX64 = /^[0-9a-f]{64}$/i;

export interface SignedParts {
  method: string;
  /** Path including any query string, exactly as sent. */
  path: string;
  body: Buffer | string;
}

export function canonicalString(p: SignedParts, timestamp: string, nonce: string): string {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  return `${p.method.toUpperCase()}\n${p.path}\n${bodyHash}\n${timestamp}\n${nonce}`;
}

export function computeSignature(secret: string, p: SignedParts, timestamp: string, nonce: string): string {
  return createHmac('sha256', secret).update(canonicalString(p, timestamp, nonce)).digest('hex');
}

/** The three headers to send with a request. `now` and `nonce` are for tests. */
export function signRequest(secret: string, p: SignedParts, at: { now?: number; nonce?: string } = {}): Record<string, string> {
  const timestamp = String(Math.floor((at.now ?? Date.now()) / 1000));
  const nonce = at.nonce ?? randomBytes(16).toString('base64url');
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: computeSignature(secret, p, timestamp, nonce),
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface VerifyOptions {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  now?: number;
  windowMs?: number;
  /** When given, a nonce seen before is refused (and a fresh one is remembered). */
  replay?: ReplayCache;
}

function header(h: VerifyOptions['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
}

/** Checks headers, window, signature (constant time), then the nonce. The reasons are safe to return. */
export function verifyRequest(p: SignedParts, o: VerifyOptions): VerifyResult {
  const timestamp = header(o.headers, SIGNATURE_HEADERS.timestamp);
  const nonce = header(o.headers, SIGNATURE_HEADERS.nonce);
  const signature = header(o.headers, SIGNATURE_HEADERS.signature);
  if (!timestamp || !nonce || !signature) return { ok: false, reason: 'request is not signed (x-netpeek-timestamp, x-netpeek-nonce and x-netpeek-signature are required)' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'x-netpeek-timestamp must be unix seconds' };
  if (!NONCE.test(nonce)) return { ok: false, reason: 'x-netpeek-nonce must be 16-128 characters of [A-Za-z0-9_-]' };
  const skewMs = Math.abs((o.now ?? Date.now()) - Number(timestamp) * 1000);
  if (skewMs > (o.windowMs ?? SIGNATURE_WINDOW_MS)) return { ok: false, reason: `request timestamp is ${Math.round(skewMs / 1000)} s away from the agent's clock (window ${(o.windowMs ?? SIGNATURE_WINDOW_MS) / 1000} s)` };
  const expected = Buffer.from(computeSignature(o.secret, p, timestamp, nonce), 'hex');
  if (!HEX64.test(signature) || !timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'signature does not match (wrong secret?)' };
  if (o.replay) {
    const seen = o.replay.firstUse(nonce);
    if (seen === 'replayed') return { ok: false, reason: 'nonce was already used (replayed request)' };
    if (seen === 'full') return { ok: false, reason: 'too many recent requests to remember their nonces; retry shortly' };
  }
  return { ok: true };
}
