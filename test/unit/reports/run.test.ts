import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/probe/types.js';
import { evaluate, probeTargets, runReport } from '../../../src/reports/run.js';
import type { ResolvedTarget } from '../../../src/reports/targets.js';
import { ManualClock } from '../../../src/reports/clock.js';
import { def, ScriptedProbes } from './helpers.js';

const target = (i: number, node = 'a', kind: 'icmp' | 'tcp' = 'icmp'): ResolvedTarget => ({
  id: `t${i} ${kind}`,
  group: 'g',
  subject: `t${i}`,
  probe: kind === 'icmp' ? { kind, ip: `10.0.0.${i}` } : { kind, ip: `10.0.0.${i}`, port: 80 },
  vantage: { kind: 'node', node },
});

describe('a report run', () => {
  const d = def({ thresholds: { latencyWarnMs: 10, lossPct: 20 } });

  it.each<[string, Partial<ProbeResult>, object]>([
    ['ok', { ok: true, ms: 2 }, { status: 'ok', ms: 2 }],
    ['slow', { ok: true, ms: 12 }, { status: 'ok', ms: 12, slow: true }],
    ['refused', { ok: false, error: 'refused', detail: 'RST' }, { status: 'failed', reason: 'refused', detail: 'RST' }],
    ['loss over the threshold', { ok: true, ms: 1, icmp: { sent: 4, received: 2, lossPct: 50 } }, { status: 'failed', reason: 'loss', lossPct: 50 }],
    ['loss under the threshold', { ok: true, ms: 1, icmp: { sent: 10, received: 9, lossPct: 10 } }, { status: 'ok', lossPct: 10 }],
    ['denied', { ok: false, error: 'denied', detail: 'not in the allow-list' }, { status: 'not-probed', reason: 'denied by allow-list' }],
    ['agent down', { ok: false, error: 'error', unavailable: { agent: 'http://x', reason: 'refused', message: 'agent http://x refused the connection' } }, { status: 'not-probed', reason: 'agent down', detail: 'agent http://x refused the connection' }],
    ['no agent', { ok: false, error: 'error', unavailable: { agent: '', reason: 'no-agent', message: 'no agent for node a' } }, { status: 'not-probed', reason: 'no agent' }],
  ])('evaluates %s', (_, result, want) => {
    expect(evaluate(target(1), { kind: 'icmp', ip: '10.0.0.1', ...result } as ProbeResult, d)).toMatchObject({ id: 't1 icmp', from: 'node a', ...want });
  });

  it('probes from each host in batches within the caps, results in target order', async () => {
    const probes = new ScriptedProbes();
    let inFlight = 0;
    let maxInFlight = 0;
    probes.gate = async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
    };
    probes.outcome = (t) => (t.ip.endsWith('.7') ? { ok: false, error: 'timeout' } : { ok: true, ms: 1 });
    const targets = Array.from({ length: 250 }, (_, i) => target(i, `n${i % 5}`));
    const rows = await probeTargets(d, targets, { sources: {}, probes, caps: { batchSize: 20, perVantage: 2, vantages: 3 } });
    expect(rows.map((r) => r.id)).toEqual(targets.map((t) => t.id));
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.id)).toEqual(['t7 icmp']);
    expect(probes.calls.every((c) => c.targets.length <= 20)).toBe(true);
    expect(probes.calls).toHaveLength(5 * Math.ceil(50 / 20));
    expect(maxInFlight).toBeLessThanOrEqual(6);
    expect(probes.calls.every((c) => c.targets.every((t) => c.vantage.kind === 'node' && Number(t.ip.split('.')[3]) % 5 === Number(c.vantage.node.slice(1))))).toBe(true);
  });

  it('retries a batch once when the agent is busy', async () => {
    const probes = new ScriptedProbes();
    let first = true;
    probes.outcome = () => {
      if (first) return { ok: false, error: 'error', unavailable: { agent: 'x', reason: 'busy', retryAfterSec: 0.01, message: 'busy' } };
      return { ok: true, ms: 1 };
    };
    probes.gate = async () => void setImmediate(() => (first = false));
    const rows = await probeTargets(d, [target(1)], { sources: {}, probes });
    expect(probes.calls).toHaveLength(2);
    expect(rows[0]?.status).toBe('ok');
  });

  it('without a prober every target is "not probed"', async () => {
    const rows = await probeTargets(d, [target(1)], { sources: {} });
    expect(rows[0]).toMatchObject({ status: 'not-probed', reason: 'probing not configured' });
  });

  it('a target entry whose source is missing comes back as not probed, the rest is probed', async () => {
    const clock = new ManualClock('2024-05-03T10:00:00Z');
    const report = def({
      targets: [
        { kind: 'pods', label: 'pods default app=web', namespace: 'default', selector: 'app=web' },
        { kind: 'address', label: 'address 10.0.0.9:80', ip: '10.0.0.9', port: 80, from: 'docker-host' },
      ],
    });
    const r = await runReport(report, { tickKey: 'web@x', scheduledAt: new Date(clock.now()), trigger: 'schedule', late: false }, { sources: {}, probes: new ScriptedProbes(), clock });
    expect(r.results.map((x) => [x.id, x.status, x.reason])).toEqual([
      ['address 10.0.0.9:80 icmp', 'ok', undefined],
      ['address 10.0.0.9:80 tcp/80', 'ok', undefined],
      ['pods default app=web icmp', 'not-probed', 'API server unreachable'],
    ]);
    expect(r.notes[0]).toContain('pods default app=web: not probed: no Kubernetes cluster is configured');
    expect(r.counts).toEqual({ total: 3, ok: 2, failed: 0, notProbed: 1, slow: 0 });
  });
});
