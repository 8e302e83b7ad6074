import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Request signing shared by the agent and its clients: HMAC-SHA256 with a shared secret over
 * `METHOD\npath\nsha256(body)\ntimestamp\nnonce`. The timestamp (unix seconds) must be within the window,
 * and each nonce is accepted once (the agent's ReplayCache). This is the wire protocol the client and the
 * agent share; verifying lives with the agent (src/agent/signing.ts).
 */

export const SIGNATURE_HEADERS = {
  timestamp: 'x-netpeek-timestamp',
  nonce: 'x-netpeek-nonce',
  signature: 'x-netpeek-signature',
} as const;

/** How far a request's timestamp may be from the agent's clock, either way. */
export const SIGNATURE_WINDOW_MS = 30_000;

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
