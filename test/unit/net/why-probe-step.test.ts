import { describe, expect, it } from 'vitest';
import { probeStep } from '../../../src/net/why-probe-step.js';

describe('probeStep', () => {
  const tcp = (ok: boolean, error?: string) => ({ kind: 'tcp' as const, target: '10.200.0.3', port: 5432, ok, from: 'the Docker host', ms: 0.42, ...(error ? { error } : {}) });
  it('a TCP connect passes, saying where it ran from and what it does not test', () => {
    expect(probeStep({ facts: [tcp(true)], from: 'the Docker host', vantageNote: 'not from inside web-1', port: 5432, degraded: false })).toEqual({
      id: 'probe',
      status: 'pass',
      evidence: 'TCP 10.200.0.3:5432 from the Docker host (not from inside web-1): connected in 0.42 ms.',
    });
  });

  it('refused and timeout fail with what they mean; a refusal by the allow-list and a degraded agent are skips', () => {
    expect(probeStep({ facts: [tcp(false, 'refused')], from: 'the Docker host', port: 5432, degraded: false }).evidence).toContain('nothing accepts on that port');
    expect(probeStep({ facts: [tcp(false, 'timeout')], from: 'the Docker host', port: 5432, degraded: false }).evidence).toContain('something drops the packets');
    expect(probeStep({ facts: [tcp(false, 'denied')], from: 'the Docker host', port: 5432, degraded: false }).status).toBe('skip');
    expect(probeStep({ facts: [{ ...tcp(false, 'agent unavailable'), detail: 'connect ECONNREFUSED' }], from: 'node n1', port: 5432, degraded: true })).toEqual({
      id: 'probe',
      status: 'skip',
      evidence: 'Not checked: the probe could not run from node n1: connect ECONNREFUSED.',
    });
  });

  it('a connect with no answer: the echo sent after it says whether the address is there', () => {
    const echo = (ok: boolean) => ({ kind: 'icmp' as const, target: '10.200.0.3', ok, from: 'the Docker host', ...(ok ? { ms: 0.05 } : { error: 'timeout' }) });
    expect(probeStep({ facts: [echo(true), tcp(false, 'timeout')], from: 'the Docker host', port: 5432, degraded: false }).evidence).toBe(
      'TCP 10.200.0.3:5432 from the Docker host: no answer before the timeout, though 10.200.0.3 answers an ICMP echo: something drops TCP to port 5432 on the way (a firewall, a NetworkPolicy).',
    );
    expect(probeStep({ facts: [echo(false), tcp(false, 'timeout')], from: 'the Docker host', port: 5432, degraded: false }).evidence).toBe(
      'TCP 10.200.0.3:5432 from the Docker host: no answer before the timeout, and 10.200.0.3 answers no ICMP echo either: the address is not there, or something drops everything sent to it.',
    );
  });
});
