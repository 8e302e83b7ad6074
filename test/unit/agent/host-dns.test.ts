import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../../src/agent/server.js';
import { signRequest } from '../../../src/probe/request-signature.js';
import { startDnsServer, type TestDnsServer } from '../../support/dns-server.js';
import { RecordingProber, SECRET, post, testConfig } from './helpers.js';

/**
 * POST /v1/dns: a name asked in the agent's own (the node's) network namespace, through the resolv.conf
 * it is configured with. The nameservers are this test's own DNS servers on loopback addresses of its
 * own choosing (127.x.y.z); the allow-list lists exactly the one that may be asked, so the other is
 * named and never queried.
 */

// Two loopback addresses nobody else uses: a random 127.x.y.0/30 of this run.
const base = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
const ALLOWED = `${base}.1`;
const OTHER = `${base}.2`;

describe('agent: POST /v1/dns (the node\'s own resolver)', () => {
  let allowed: TestDnsServer;
  let other: TestDnsServer;
  let dir = '';
  const agents: AgentHandle[] = [];

  beforeAll(async () => {
    [allowed, other] = await Promise.all([
      startDnsServer({ host: ALLOWED, records: { 'web.shop.svc.cluster.local.': ['10.96.0.20'] } }),
      startDnsServer({ host: OTHER, records: { 'web.shop.svc.cluster.local.': ['10.96.0.99'] } }),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'netpeek-host-dns-'));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  });

  afterAll(async () => {
    await Promise.all([allowed?.close(), other?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function agentWith(resolvConf: string, allow: string) {
    const path = join(dir, `resolv-${agents.length}.conf`);
    writeFileSync(path, resolvConf);
    const prober = new RecordingProber();
    const handle = await startAgent(testConfig({ NETPEEK_AGENT_ALLOW_CIDRS: allow, NETPEEK_AGENT_RESOLV_CONF: path }), { prober });
    agents.push(handle);
    return { url: handle.url, path, prober };
  }

  it('follows its resolv.conf (search list, ndots) and answers with every candidate, sent only to allowed nameservers', async () => {
    const { url, path } = await agentWith(`nameserver ${OTHER}\nnameserver ${ALLOWED}\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`, `${ALLOWED}/32`);
    const before = { allowed: allowed.queries.length, other: other.queries.length };
    const r = await post(url, { name: 'web', type: 'A', timeoutMs: 1000 }, { path: '/v1/dns' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ node: 'test-node', from: 'node test-node', resolvConfPath: path, deniedNameservers: [OTHER] });
    expect(r.json.results[0]).toMatchObject({ name: 'web.shop.svc.cluster.local.', outcome: 'answer', answers: ['10.96.0.20'] });
    expect(allowed.queries.slice(before.allowed).map((q) => q.name)).toEqual(['web.shop.svc.cluster.local.']);
    // The nameserver outside the allow-list is named in the answer and never asked.
    expect(other.queries.length).toBe(before.other);
  });

  it('with no nameserver in the allow-list, nothing is sent: every candidate is denied', async () => {
    const { url } = await agentWith(`nameserver ${OTHER}\n`, '10.213.7.0/24');
    const before = other.queries.length;
    const r = await post(url, { name: 'web.shop.svc.cluster.local.', type: 'A' }, { path: '/v1/dns' });
    expect(r.status).toBe(200);
    expect(r.json.deniedNameservers).toEqual([OTHER]);
    expect(r.json.results.map((x: { outcome: string }) => x.outcome)).toEqual(['denied']);
    expect(other.queries.length).toBe(before);
  });

  it('refuses an unsigned or replayed request and a body with unknown fields, asking nothing', async () => {
    const { url } = await agentWith(`nameserver ${ALLOWED}\n`, `${ALLOWED}/32`);
    const before = allowed.queries.length;
    const unsigned = await post(url, { name: 'web.shop.svc.cluster.local.' }, { path: '/v1/dns', headers: {} });
    expect(unsigned.status).toBe(401);
    const body = JSON.stringify({ name: 'web.shop.svc.cluster.local.' });
    const headers = signRequest(SECRET, { method: 'POST', path: '/v1/dns', body });
    expect((await post(url, body, { path: '/v1/dns', headers })).status).toBe(200);
    const replayed = await post(url, body, { path: '/v1/dns', headers });
    expect(replayed.status).toBe(401);
    expect(replayed.json.error).toMatch(/replayed/);
    const typo = await post(url, { name: 'web', tpye: 'A' }, { path: '/v1/dns' });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toMatch(/invalid request/);
    // Only the one good request reached the server.
    expect(allowed.queries.length).toBe(before + 1);
  });
});
