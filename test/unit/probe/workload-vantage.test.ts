import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/core/errors.js';
import type { ProbeSubject } from '../../../src/probe/vantage.js';
import { vantageOf } from '../../../src/probe/workload-vantage.js';

const ID = 'b'.repeat(64);
const web: ProbeSubject = { kind: 'container', name: 'web-1', id: ID, ip: '172.20.0.2', vantage: { kind: 'docker-host' }, ports: [], networks: ['front'], hostNetwork: false };
const pod: ProbeSubject = { kind: 'pod', name: 'shop/web-0', ip: '10.1.0.30', vantage: { kind: 'node', node: 'worker-1' }, ports: [], networks: [], hostNetwork: false };
const allowed = { insideWorkload: () => ({ ok: true as const }) };

describe('vantageOf (--from)', () => {
  it('a container on a Docker host that may be entered: inside it, named by container ID, never a PID', () => {
    const c = vantageOf(web, allowed);
    expect(c.vantage).toEqual({ kind: 'workload', workload: 'web-1', containerId: ID, host: { kind: 'docker-host' } });
    expect(c).toMatchObject({ inside: true, from: 'inside web-1' });
  });

  it('opt-in off: the host probes instead, and the sentence says so and why', () => {
    for (const probes of [undefined, {}, { insideWorkload: () => ({ ok: false as const, reason: 'NETPEEK_WORKLOAD_VANTAGE is off' }) }]) {
      const c = vantageOf(web, probes);
      expect(c.vantage).toEqual({ kind: 'docker-host' });
      expect(c.inside).toBe(false);
      expect(c.note).toBe('Probed from the Docker host, not from inside web-1: NETPEEK_WORKLOAD_VANTAGE is off. The Docker host may reach what web-1 cannot (Docker isolates bridge networks from each other; policies apply to pods).');
    }
  });

  it('a pod with running containers: inside it, named by its containers\' IDs (its node\'s agent finds the process)', () => {
    const containers = [{ id: `containerd://${'c'.repeat(64)}`, name: 'web' }, { id: `containerd://${'d'.repeat(64)}`, name: 'sidecar' }];
    const c = vantageOf({ ...pod, containers }, allowed);
    expect(c.vantage).toEqual({ kind: 'workload', workload: 'shop/web-0', containerId: containers[0]!.id, containers, host: { kind: 'node', node: 'worker-1' } });
    expect(c).toMatchObject({ inside: true, from: 'inside shop/web-0' });
  });

  it('a hostNetwork pod is never entered: its node\'s view is its own', () => {
    const c = vantageOf({ ...pod, hostNetwork: true }, allowed);
    expect(c.vantage).toEqual({ kind: 'node', node: 'worker-1' });
    expect(c.note).toContain("uses its node's network (hostNetwork)");
  });

  it('a pod: probed from its node, with the reason the prober gives', () => {
    const c = vantageOf(pod, { insideWorkload: () => ({ ok: false as const, reason: 'probing from inside a pod is not supported yet' }) });
    expect(c.vantage).toEqual({ kind: 'node', node: 'worker-1' });
    expect(c.note).toMatch(/^Probed from node worker-1, not from inside shop\/web-0: probing from inside a pod is not supported yet\./);
  });

  it('an address is not a workload', () => {
    expect(() => vantageOf({ ...web, kind: 'ip', name: '172.20.0.9', ip: '172.20.0.9' }, allowed)).toThrow(UserError);
  });
});
