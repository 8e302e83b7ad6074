import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import { signRequest } from '../../../src/probe/request-signature.js';
import { AgentClient } from '../../../src/probe/agent-client.js';
import { AgentRouter } from '../../../src/probe/agent-router.js';
import { StaticAgentDirectory } from '../../../src/probe/agent-directory.js';
import { RecordingProber, SECRET, post, testConfig } from './helpers.js';
import { streamPost } from '../../support/http/stream-post.js';
import { parseMetrics } from '../../support/prometheus-text.js';

/**
 * The agent's HTTP surface on 127.0.0.1 with a prober that records batches and sends nothing.
 * Real packets are in test/integration/agent.
 */

const LAB = '10.213.7.0/24';
const good = { probes: [{ kind: 'icmp', ip: '10.213.7.10' }, { kind: 'tcp', ip: '10.213.7.10', port: 80 }] };

const agents: AgentHandle[] = [];
async function agent(env: Record<string, string> = {}, prober = new RecordingProber()) {
  const handle = await startAgent(testConfig({ NETPEEK_AGENT_ALLOW_CIDRS: LAB, ...env }), { prober });
  agents.push(handle);
  return { handle, prober, url: handle.url };
}

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

describe('agent: signed requests only', () => {
  it('runs a signed batch and answers with the node and results', async () => {
    const { url, prober } = await agent();
    const r = await post(url, { ...good, timeoutMs: 700, count: 2 });
    expect(r.status).toBe(200);
    expect(r.json.node).toBe('test-node');
    expect(r.json.results).toHaveLength(2);
    expect(prober.calls).toHaveLength(1);
    expect(prober.calls[0]?.opts).toMatchObject({ timeoutMs: 700, count: 2, deadlineMs: 3100 });
  });

  it.each([
    ['unsigned', { headers: {} }, /not signed/],
    ['wrong secret', { secret: 'not-the-secret-at-all-!!' }, /signature does not match/],
    ['stale', { now: Date.now() - 45_000 }, /away from the agent's clock/],
    ['from the future', { now: Date.now() + 45_000 }, /away from the agent's clock/],
    ['signed for another path', { headers: signRequest(SECRET, { method: 'POST', path: '/v1/other', body: JSON.stringify(good) }) }, /signature does not match/],
  ])('refuses %s with 401 and runs nothing', async (_name, opts, why) => {
    const { url, prober } = await agent();
    const r = await post(url, good, opts);
    expect(r.status).toBe(401);
    expect(r.json.error).toMatch(why);
    expect(prober.calls).toHaveLength(0);
  });

  it('refuses a replayed request', async () => {
    const { url, prober } = await agent();
    const body = JSON.stringify(good);
    const headers = signRequest(SECRET, { method: 'POST', path: '/v1/probe', body });
    expect((await post(url, body, { headers })).status).toBe(200);
    const again = await post(url, body, { headers });
    expect(again.status).toBe(401);
    expect(again.json.error).toMatch(/replayed/);
    expect(prober.calls).toHaveLength(1);
  });
});

describe('agent: allow-list before anything runs', () => {
  it.each(['::ffff:169.254.169.254', '0xa9fea9fe', '2852039166', '0251.0376.0251.0376', '127.1', '::1', '8.8.8.8', '10.213.8.1', 'localhost', 'metadata.google.internal'])(
    'refuses a batch containing %s with 403, naming it',
    async (ip) => {
      const { url, prober } = await agent();
      const r = await post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.10' }, { kind: 'tcp', ip, port: 80 }] });
      expect(r.status).toBe(403);
      expect(r.json.error).toContain(ip);
      expect(r.json.error).toContain('nothing was probed');
      expect(r.json).toMatchObject({ target: ip, rule: expect.any(String), denied: [{ index: 1, target: ip }] });
      expect(prober.calls).toHaveLength(0);
    },
  );

  it('refuses a port outside the allowed ranges', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_ALLOW_PORTS: '80,443' });
    const r = await post(url, { probes: [{ kind: 'tcp', ip: '10.213.7.10', port: 22 }] });
    expect(r.status).toBe(403);
    expect(r.json.rule).toBe('allow ports 80,443');
    expect(prober.calls).toHaveLength(0);
  });

  it('denies everything with an empty allow-list', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_ALLOW_CIDRS: '' });
    const r = await post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.10' }] });
    expect(r.status).toBe(403);
    expect(r.json.error).toContain('everything is denied');
    expect(prober.calls).toHaveLength(0);
  });

  it('hands the prober canonical addresses', async () => {
    const { url, prober } = await agent();
    const r = await post(url, { probes: [{ kind: 'icmp', ip: '::ffff:ad5:70a' }, { kind: 'icmp', ip: '0x0ad5070a' }] });
    expect(r.status).toBe(200);
    expect(prober.calls[0]?.targets.map((t) => t.ip)).toEqual(['10.213.7.10', '10.213.7.10']);
  });
});

describe('agent: input limits', () => {
  it('refuses more targets than allowed with 413', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_MAX_TARGETS: '3' });
    const r = await post(url, { probes: Array.from({ length: 4 }, () => ({ kind: 'icmp', ip: '10.213.7.10' })) });
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ field: 'probes', max: 3 });
    expect(prober.calls).toHaveLength(0);
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const { url, prober } = await agent();
    const r = await post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.10' }], pad: 'x'.repeat(300 * 1024) });
    expect(r.status).toBe(413);
    expect(prober.calls).toHaveLength(0);
  });

  it('NETPEEK_AGENT_MAX_BODY_BYTES sets the cap: over it → 413 with the connection closed, while it streams', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_MAX_BODY_BYTES: '4096' });
    const r = await streamPost(`${url}/v1/probe`, { 'content-type': 'application/json' }, 50 * 1024 * 1024);
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/larger than 4096 bytes/);
    expect(r.connectionClose).toBe(true);
    expect(r.cutOff).toBe(true);
    expect(prober.calls).toHaveLength(0);
    // Under the cap the same agent answers.
    expect((await post(url, good)).status).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"probes": [', /not valid JSON/, '(body)'],
    ['no probes', { probes: [] }, /probes: must list at least one target/, 'probes'],
    ['tcp without port', { probes: [{ kind: 'tcp', ip: '10.213.7.10' }] }, /probes\.0\.port: Required/, 'probes.0.port'],
    ['unknown kind', { probes: [{ kind: 'udp', ip: '10.213.7.10' }] }, /probes\.0\.kind/, 'probes.0.kind'],
    ['bad timeout', { probes: [{ kind: 'icmp', ip: '10.213.7.10' }], timeoutMs: 60_000 }, /timeoutMs/, 'timeoutMs'],
    ['unknown field', { probes: [{ kind: 'icmp', ip: '10.213.7.10' }], shell: 'rm -rf /' }, /Unrecognized key/, '(body)'],
    ['path with a space', { probes: [{ kind: 'http', ip: '10.213.7.10', port: 80, path: '/a b' }] }, /probes\.0\.path/, 'probes.0.path'],
  ])('answers %s with 400 naming the field', async (_name, body, why, field) => {
    const { url, prober } = await agent();
    const r = await post(url, body);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(why);
    if (field !== '(body)') expect(r.json.field).toBe(field);
    expect(prober.calls).toHaveLength(0);
  });

  it('answers 429 with Retry-After past the request rate', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_RPS: '2' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, good)).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const r = await post(url, good);
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(prober.calls).toHaveLength(2);
  });

  it('answers 429 when a batch would pass the in-flight cap, without queueing', async () => {
    const { url, prober } = await agent({ NETPEEK_AGENT_MAX_INFLIGHT: '3' });
    prober.delayMs = 300;
    const first = post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.10' }, { kind: 'icmp', ip: '10.213.7.11' }] });
    await new Promise((r) => setTimeout(r, 50));
    const second = await post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.12' }, { kind: 'icmp', ip: '10.213.7.13' }] });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(200);
    expect((await post(url, { probes: [{ kind: 'icmp', ip: '10.213.7.12' }] })).status).toBe(200);
  });

  it('answers unknown routes and methods', async () => {
    const { url } = await agent();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${url}/v1/probe`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

describe('agent: health and metrics', () => {
  it('serves healthz, readyz and metrics without target addresses', async () => {
    const { url } = await agent();
    await post(url, good);
    await post(url, { probes: [{ kind: 'icmp', ip: '169.254.169.254' }] });
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, node: 'test-node' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('netpeek_agent_probe_results_total{kind="icmp",outcome="ok"} 1');
    expect(text).toContain('netpeek_agent_probe_results_total{kind="icmp",outcome="denied"} 1');
    expect(text).toContain('netpeek_agent_probe_duration_seconds_bucket');
    expect(text).toContain('netpeek_agent_requests_total{route="/v1/probe",code="403"} 1');
    expect(text).not.toMatch(/10\.213\.7\.|169\.254\./);
  });

  it('keeps the standard process_* and nodejs_* metric names, so a stock Node.js dashboard finds them', async () => {
    const { url } = await agent();
    const families = parseMetrics(await (await fetch(`${url}/metrics`)).text());
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(families.has(name), name).toBe(true);
    expect([...families.keys()].filter((n) => /^netpeek_agent_(process|nodejs)_/.test(n))).toEqual([]);
  });
});

describe('AgentClient', () => {
  let silent: net.Server;
  let silentUrl: string;
  let closedUrl: string;

  beforeAll(async () => {
    silent = net.createServer((s) => s.on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const c = net.createServer();
    await new Promise<void>((r) => c.listen(0, '127.0.0.1', () => r()));
    closedUrl = `http://127.0.0.1:${(c.address() as AddressInfo).port}`;
    await new Promise((r) => c.close(r));
  });
  afterAll(async () => {
    silent.close();
  });

  const targets = [
    { kind: 'icmp' as const, ip: '10.213.7.10' },
    { kind: 'tcp' as const, ip: '10.213.7.11', port: 80 },
  ];

  it('returns the agent results marked with its node', async () => {
    const { url } = await agent();
    const r = await new AgentClient(url, SECRET).probe(targets, { timeoutMs: 500 });
    expect(r).toEqual([expect.objectContaining({ ok: true, via: 'test-node' }), expect.objectContaining({ ok: true, port: 80 })]);
  });

  it('turns a 403 into denied results naming the target', async () => {
    const { url } = await agent();
    const r = await new AgentClient(url, SECRET).probe([targets[0]!, { kind: 'icmp', ip: '0xa9fea9fe' }], { timeoutMs: 500 });
    expect(r[1]).toMatchObject({ ok: false, error: 'denied', detail: 'target 0xa9fea9fe (= 169.254.169.254) is link-local/metadata and not in the allow-list' });
    expect(r[0]).toMatchObject({ ok: false, error: 'denied', detail: expect.stringContaining('not probed') });
  });

  it.each([
    ['a wrong secret', 'unauthorized', /refused our signature .*NETPEEK_AGENT_SECRET/],
  ])('reports %s as an unavailable agent, naming it', async (_n, reason, why) => {
    const { url } = await agent();
    const r = await new AgentClient(url, 'wrong-secret-wrong-secret', { node: 'node-x' }).probe(targets, { timeoutMs: 500 });
    for (const x of r) {
      expect(x).toMatchObject({ ok: false, error: 'error', via: 'node-x', unavailable: { agent: url, node: 'node-x', reason, status: 401 } });
      expect(x.detail).toContain(url);
      expect(x.detail).toMatch(why);
    }
  });

  it('reports a busy agent with its Retry-After', async () => {
    const { url } = await agent({ NETPEEK_AGENT_RPS: '1' });
    const client = new AgentClient(url, SECRET);
    await client.probe(targets, { timeoutMs: 500 });
    const r = await client.probe(targets, { timeoutMs: 500 });
    expect(r[0]?.unavailable).toMatchObject({ reason: 'busy', status: 429, retryAfterSec: 1 });
  });

  it('reports nothing listening, and a silent agent, as unavailable', async () => {
    const refused = await new AgentClient(closedUrl, SECRET).probe(targets, { timeoutMs: 100 });
    expect(refused[0]?.unavailable).toMatchObject({ reason: 'refused', agent: closedUrl });
    expect(refused[0]?.detail).toContain(`agent ${closedUrl} refused the connection`);
    const t0 = performance.now();
    const slow = await new AgentClient(silentUrl, SECRET, { timeoutMs: 200 }).probe(targets, { timeoutMs: 100, deadlineMs: 100 });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(slow[1]?.unavailable).toMatchObject({ reason: 'timeout' });
    expect(slow[1]?.detail).toMatch(/did not answer within 300 ms/);
  });

  /**
   * A TCP relay in front of the agent, counting connections. `resetReused` makes it answer a second
   * request on one connection with a reset instead of passing it on: an agent that closed a kept
   * connection just as the client reused it.
   */
  async function relay(to: string, o: { resetReused?: boolean } = {}): Promise<{ url: string; connections: () => number; close(): void }> {
    const target = new URL(to);
    let connections = 0;
    const server = net.createServer((client) => {
      connections++;
      let requests = 0;
      const upstream = net.connect(Number(target.port), target.hostname);
      client.on('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('POST ')) requests++;
        if (o.resetReused && requests > 1) {
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        upstream.write(chunk);
      });
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, close: () => server.close() };
  }

  it('asks the same agent again over the connection it kept', async () => {
    const { url, prober } = await agent();
    const r = await relay(url);
    const client = new AgentClient(r.url, SECRET);
    for (let i = 0; i < 3; i++) expect((await client.probe(targets, { timeoutMs: 500 }))[0]).toMatchObject({ ok: true });
    expect(prober.calls).toHaveLength(3);
    expect(r.connections()).toBe(1);
    r.close();
  });

  it('a kept connection reset as it is reused: the call is signed again and sent once on a new connection', async () => {
    const { url, prober } = await agent();
    const r = await relay(url, { resetReused: true });
    const client = new AgentClient(r.url, SECRET);
    expect((await client.probe(targets, { timeoutMs: 500 }))[0]).toMatchObject({ ok: true });
    const again = await client.probe(targets, { timeoutMs: 500 });
    expect(again[0]).toMatchObject({ ok: true, via: 'test-node' });
    expect(again[0]?.unavailable).toBeUndefined();
    // The reset request never reached the agent; the one sent again did, on a second connection, with a fresh nonce (no 401).
    expect(prober.calls).toHaveLength(2);
    expect(r.connections()).toBe(2);
    r.close();
  });

  it('picks the agent by node name', async () => {
    const a = await agent({ NETPEEK_NODE_NAME: 'node-a' });
    const router = new AgentRouter(new StaticAgentDirectory({ 'node-a': a.url }), SECRET);
    expect((await router.probeFrom('node-a', targets, { timeoutMs: 500 }))[0]).toMatchObject({ ok: true, via: 'node-a' });
    expect((await router.probeFrom('node-z', targets, { timeoutMs: 500 }))[0]).toMatchObject({ ok: false, unavailable: { reason: 'no-agent', node: 'node-z' } });
  });
});
