import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flood, send, untilAnswered } from '../../support/agent-flood.js';
import { buildAgentBundle, startLoopbackAgent, type AgentProcess } from './agent-process.js';

/**
 * Issue 10's lockout: 10,500 correctly signed requests, each with a fresh nonce, against `netpeek agent`
 * as its own process. The old agent stored every nonce before the rate limit, so requests refused with
 * 429 filled its 10,000-nonce cache and valid requests got 401 for half a minute. Now a refused request
 * leaves nothing behind. The only target is a TCP listener this test opens on 127.0.0.1, and the
 * allow-list is exactly that address and port.
 */

const SECRET = 'nonce-flood-secret-0123456789';

describe('agent under a signed nonce flood (netpeek agent as a process)', () => {
  let bundle: { file: string; remove(): void };
  let agent: AgentProcess;
  let target: Server;
  let body = '';

  beforeAll(async () => {
    // Probes connect and hang up; a reset from either side is fine here.
    target = createServer((s) => {
      s.on('error', () => undefined);
      s.end();
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    body = JSON.stringify({ probes: [{ kind: 'tcp', ip: '127.0.0.1', port }], timeoutMs: 500 });
    bundle = await buildAgentBundle();
    agent = await startLoopbackAgent(bundle.file, { NETPEEK_AGENT_SECRET: SECRET, NETPEEK_AGENT_ALLOW_CIDRS: '127.0.0.1/32', NETPEEK_AGENT_ALLOW_PORTS: String(port), NETPEEK_AGENT_RPS: '50' });
  }, 30_000);

  afterAll(async () => {
    if (agent?.child.exitCode === null) agent.child.kill('SIGTERM');
    bundle?.remove();
    await new Promise((r) => target?.close(r));
  });

  it('after 10,500 signed requests, a valid request is answered as soon as the rate allows, and none got 401', async () => {
    const result = await flood(agent.url, SECRET, body, 10_500, 50);
    // Every request was either answered or refused for rate: nobody was locked out.
    expect(Object.keys(result.statuses).sort()).toEqual(['200', '429']);
    expect(result.statuses[200]).toBeGreaterThanOrEqual(50);
    const next = await untilAnswered(agent.url, SECRET, body, { everyMs: 10, timeoutMs: 5000 });
    expect(next.statuses.filter((s) => s !== 429 && s !== 200)).toEqual([]);
    // One token comes back every 20 ms at 50 requests/s: well within a second, not 31 s.
    expect(next.ms).toBeLessThan(1000);
  }, 120_000);

  it('a request refused with 429 stored no nonce: the very same request is answered when resent', async () => {
    const result = await flood(agent.url, SECRET, body, 500, 50);
    expect(result.last429).toBeDefined();
    await new Promise((r) => setTimeout(r, 100));
    const again = await send(agent.url, result.last429!);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ node: 'loopback', results: [{ kind: 'tcp', ip: '127.0.0.1', ok: true }] });
    // …and once answered, that nonce is refused as a replay.
    const replay = await send(agent.url, result.last429!);
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body).error).toMatch(/replayed/);
  }, 60_000);
});
