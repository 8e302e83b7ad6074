import { describe, expect, it } from 'vitest';
import { summariseProbes } from '../../../src/probe/probe-facts.js';
import type { ProbeResult } from '../../../src/probe/types.js';

describe('summariseProbes', () => {
  it('turns results into facts and one sentence per outcome', () => {
    const results: ProbeResult[] = [
      { kind: 'icmp', ip: '10.1.0.30', ok: true, ms: 0.2, icmp: { sent: 3, received: 3, lossPct: 0, minMs: 0.1, avgMs: 0.2, maxMs: 0.3 } },
      { kind: 'tcp', ip: '10.1.0.30', port: 80, ok: true, ms: 0.5 },
      { kind: 'tcp', ip: '10.1.0.30', port: 8080, ok: false, error: 'refused' },
      { kind: 'tcp', ip: '10.1.0.30', port: 9090, ok: false, error: 'timeout' },
    ];
    const s = summariseProbes(results, 'node worker-1');
    expect(s.facts[0]).toEqual({ kind: 'icmp', target: '10.1.0.30', ok: true, ms: 0.2, from: 'node worker-1', detail: '3/3 replies, 0% loss, rtt min/avg/max 0.1/0.2/0.3 ms' });
    expect(s.facts[2]).toMatchObject({ port: 8080, ok: false, error: 'refused' });
    expect(s.explanations).toHaveLength(4);
    expect(s.explanations[0]).toBe('10.1.0.30 answers ping from node worker-1: its network namespace is up and reachable at its private address, with nothing published.');
    expect(s.explanations[2]).toMatch(/10\.1\.0\.30:8080 refused the connection: the address is reachable/);
    expect(s.explanations[3]).toMatch(/did not answer in time: a firewall or network policy drops the packets, or the workload is down/);
    expect(s.degraded).toBe(false);
    expect(s.warnings).toEqual([]);
  });

  it('an unavailable agent degrades: warning, no explanations, degraded=true', () => {
    const unavailable = { agent: 'http://10.0.0.5:7070', node: 'worker-2', reason: 'refused' as const, message: 'the agent at http://10.0.0.5:7070 refused the connection' };
    const s = summariseProbes([{ kind: 'icmp', ip: '10.1.2.3', ok: false, error: 'error', unavailable }], 'node worker-2');
    expect(s.degraded).toBe(true);
    expect(s.explanations).toEqual([]);
    expect(s.warnings[0]).toBe('Could not probe from node worker-2: the agent at http://10.0.0.5:7070 refused the connection. The lookup above is still current; only the live check is missing.');
    expect(s.facts[0]?.error).toBe('agent unavailable');
  });
});
