import { timingSafeEqual } from 'node:crypto';
import { computeSignature, SIGNATURE_HEADERS, SIGNATURE_WINDOW_MS, type SignedParts } from '../probe/request-signature.js';

/** The agent's side of request signing: checking what clients signed with src/probe/request-signature.ts. */

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const HEX64 = /^[0-9a-f]{64}$/i;

/** On success, the nonce and timestamp the caller signed: the handler stores the nonce once the request has passed every other check. */
export type VerifyResult = { ok: true; nonce: string; timestampSec: number } | { ok: false; reason: string };

export interface VerifyOptions {
  secret: string;
  headers: Record<string, string | string[] | undefined>;
  now?: number;
  windowMs?: number;
}

function header(h: VerifyOptions['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
}

/** Checks headers, window and signature (constant time); remembers nothing. The reasons are safe to return. */
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
  return { ok: true, nonce, timestampSec: Number(timestamp) };
}
