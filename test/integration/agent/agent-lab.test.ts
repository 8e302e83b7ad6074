import * as childProcess from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import { signRequest } from '../../../src/probe/request-signature.js';
import { createLogger } from '../../../src/log.js';
import { AllowList } from '../../../src/net/address-policy.js';
import { AgentClient } from '../../../src/probe/agent-client.js';
import { LocalProber } from '../../../src/probe/local-prober.js';
import { describeNeeding, NETNS } from '../../support/backends.js';
import { createLab, leftovers, type Lab } from '../../support/netns.js';
import { RecordingProber, SECRET, post, testConfig } from '../../unit/agent/helpers.js';

/**
 * The agent in this process, probing a namespace lab with the real LocalProber. A recording wrapper and a
 * spy on child_process.spawn prove that refused requests start no probe and spawn no fping/ping.
 * The allow-list is exactly the lab's subnet.
 */

vi.mock('node:child_process', async (importOriginal) => {
  const mod = await importOriginal<typeof import('node:child_process')>();
  return { ...mod, spawn: vi.fn(mod.spawn) };
});
const spawnSpy = vi.mocked(childProcess.spawn);
const icmpSpawns = () => spawnSpy.mock.calls.filter((c) => ['fping', 'ping'].includes(String(c[0]).split('/').pop() ?? ''));

describeNeeding(NETNS, 'agent probing a namespace lab', () => {
  let lab: Lab;
  let agent: AgentHandle;
  let recorder: RecordingProber;
  let logText = '';
  let a: string;

  beforeAll(async () => {
    lab = await createLab({ nodes: 2 });
    a = lab.nodes[0]!.ip;
    await lab.tcpListener(lab.nodes[0]!.ns, 8080);
    await lab.httpServer(lab.nodes[1]!.ns, 8081);
    const config = testConfig({ NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet, NETPEEK_AGENT_MAX_TARGETS: '64' });
    const sink = new Writable({ write: (chunk, _enc, cb) => ((logText += String(chunk)), cb()) });
    const logger = createLogger('debug', sink);
    recorder = new RecordingProber(new LocalProber({ allowList: new AllowList(config.allowCidrs, config.allowPorts), logger }));
    agent = await startAgent(config, { prober: recorder, logger });
  });

  afterAll(async () => {
    await agent?.close();
    await lab?.destroy();
    if (lab) expect(leftovers(lab.id)).toEqual({ namespaces: [], links: [] });
  });

  beforeEach(() => {
    spawnSpy.mockClear();
  });

  it('runs a signed batch against the lab', async () => {
    const r = await post(agent.url, {
      probes: [
        { kind: 'icmp', ip: a },
        { kind: 'icmp', ip: lab.unassigned(0) },
        { kind: 'tcp', ip: a, port: 8080 },
        { kind: 'tcp', ip: a, port: 8099 },
        { kind: 'http', ip: lab.nodes[1]!.ip, port: 8081, path: '/' },
      ],
      timeoutMs: 400,
      count: 2,
    });
    expect(r.status).toBe(200);
    expect(r.json.node).toBe('test-node');
    const [icmp, lost, open, refused, http] = r.json.results;
    expect(icmp).toMatchObject({ ok: true, icmp: { sent: 2, received: 2, lossPct: 0 } });
    expect(lost).toMatchObject({ ok: false, error: 'unreachable', icmp: { lossPct: 100 } });
    expect(open).toMatchObject({ ok: true });
    expect(refused).toMatchObject({ error: 'refused' });
    expect(http).toMatchObject({ ok: true, http: { status: 200 } });
    expect(icmpSpawns()).toHaveLength(1);
  });

  it.each([
    ['unsigned', { headers: {} }],
    ['wrong secret', { secret: 'definitely-not-the-secret' }],
    ['stale', { now: Date.now() - 60_000 }],
  ])('refuses a %s request with 401 and starts nothing', async (_n, opts) => {
    const calls = recorder.calls.length;
    const r = await post(agent.url, { probes: [{ kind: 'icmp', ip: a }] }, opts);
    expect(r.status).toBe(401);
    expect(r.json.error).toEqual(expect.any(String));
    expect(recorder.calls).toHaveLength(calls);
    expect(icmpSpawns()).toHaveLength(0);
  });

  it('refuses a replayed request with 401 and runs the batch once', async () => {
    const body = JSON.stringify({ probes: [{ kind: 'icmp', ip: a }] });
    const headers = signRequest(SECRET, { method: 'POST', path: '/v1/probe', body });
    const calls = recorder.calls.length;
    expect((await post(agent.url, body, { headers })).status).toBe(200);
    const again = await post(agent.url, body, { headers });
    expect(again.status).toBe(401);
    expect(recorder.calls).toHaveLength(calls + 1);
    expect(icmpSpawns()).toHaveLength(1);
  });

  it.each(['::ffff:169.254.169.254', '0xa9fea9fe', '2852039166', '169.254.43518', '127.1', '::1', '8.8.8.8', '10.0.0.1', 'localhost'])(
    'refuses %s with 403 and sends nothing (not even the lab targets in the same batch)',
    async (ip) => {
      const calls = recorder.calls.length;
      const r = await post(agent.url, {
        probes: [
          { kind: 'icmp', ip: a },
          { kind: 'icmp', ip },
          { kind: 'tcp', ip, port: 80 },
        ],
      });
      expect(r.status).toBe(403);
      expect(r.json.error).toContain(ip);
      expect(r.json.denied.map((d: { index: number }) => d.index)).toEqual([1, 2]);
      expect(recorder.calls).toHaveLength(calls);
      expect(icmpSpawns()).toHaveLength(0);
    },
  );

  it('refuses oversized and malformed requests before probing', async () => {
    const calls = recorder.calls.length;
    const many = await post(agent.url, { probes: Array.from({ length: 65 }, (_, i) => ({ kind: 'icmp', ip: lab.unassigned(i % 40) })) });
    expect(many.status).toBe(413);
    expect((await post(agent.url, '{"probes": [{"kind": "icmp", "ip": ')).status).toBe(400);
    const noPort = await post(agent.url, { probes: [{ kind: 'tcp', ip: a }] });
    expect(noPort.status).toBe(400);
    expect(noPort.json.field).toBe('probes.0.port');
    expect(recorder.calls).toHaveLength(calls);
    expect(icmpSpawns()).toHaveLength(0);
  });

  it('counts results in /metrics without any target address, and never logs the secret', async () => {
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    expect(text).toMatch(/netpeek_agent_probe_results_total\{kind="icmp",outcome="ok"\} \d+/);
    expect(text).toMatch(/netpeek_agent_probe_results_total\{kind="tcp",outcome="refused"\} 1/);
    expect(text).toMatch(/netpeek_agent_probe_results_total\{kind="icmp",outcome="denied"\} \d+/);
    expect(text).toMatch(/netpeek_agent_probe_duration_seconds_count\{kind="http",outcome="ok"\} 1/);
    expect(text).not.toContain(lab.subnet.split('.').slice(0, 3).join('.'));
    expect(text).not.toMatch(/169\.254|8\.8\.8\.8/);
    expect(logText).toContain('agent listening');
    expect(logText).not.toContain(SECRET);
  });

  it('answers 429 past the request rate, and the client reports it as busy', async () => {
    const limited = await startAgent(testConfig({ NETPEEK_AGENT_ALLOW_CIDRS: lab.subnet, NETPEEK_AGENT_RPS: '1' }), { prober: recorder });
    try {
      const client = new AgentClient(limited.url, SECRET, { node: 'lab-root' });
      const first = await client.probe([{ kind: 'icmp', ip: a }], { timeoutMs: 300 });
      expect(first[0]).toMatchObject({ ok: true, via: 'test-node' });
      const second = await client.probe([{ kind: 'icmp', ip: a }], { timeoutMs: 300 });
      expect(second[0]).toMatchObject({ ok: false, unavailable: { reason: 'busy', status: 429, agent: limited.url } });
      expect(icmpSpawns()).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });
});
