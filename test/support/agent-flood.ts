import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { signRequest } from '../../src/probe/request-signature.js';

/**
 * Drives an agent as issue 10's attacker did: many correctly signed probe requests, each with its own
 * nonce, as fast as `concurrency` connections allow. Shared by the nonce-flood test and bench:hardening.
 */

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export interface FloodResult {
  /** HTTP status → how many requests got it. */
  statuses: Record<number, number>;
  ms: number;
  /** The last request refused with 429, to resend later. */
  last429?: SignedRequest;
}

const PATH = '/v1/probe';

export function signedProbe(secret: string, body: string): SignedRequest {
  return { headers: { 'content-type': 'application/json', ...signRequest(secret, { method: 'POST', path: PATH, body }) }, body };
}

export function send(baseUrl: string, r: SignedRequest, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${PATH}`, { method: 'POST', agent, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

export async function flood(baseUrl: string, secret: string, body: string, total: number, concurrency = 50): Promise<FloodResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<number, number> = {};
  let last429: SignedRequest | undefined;
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent++;
        const r = signedProbe(secret, body);
        const { status } = await send(baseUrl, r, agent);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 429) last429 = r;
      }
    }),
  );
  agent.destroy();
  return { statuses, ms: performance.now() - t0, ...(last429 ? { last429 } : {}) };
}

/** Sends fresh valid requests every `everyMs` until one is answered 200; how long that took and what came before. */
export async function untilAnswered(baseUrl: string, secret: string, body: string, o: { everyMs?: number; timeoutMs?: number } = {}): Promise<{ ms: number; attempts: number; statuses: number[] }> {
  const t0 = performance.now();
  const statuses: number[] = [];
  for (;;) {
    const { status } = await send(baseUrl, signedProbe(secret, body));
    statuses.push(status);
    if (status === 200) return { ms: performance.now() - t0, attempts: statuses.length, statuses };
    if (performance.now() - t0 > (o.timeoutMs ?? 60_000)) return { ms: Number.POSITIVE_INFINITY, attempts: statuses.length, statuses };
    await new Promise((r) => setTimeout(r, o.everyMs ?? 10));
  }
}
