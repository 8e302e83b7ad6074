import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProbeKind } from '../core/kinds.js';
import type { ProbeResult } from '../probe/types.js';

/** Label values are bounded: kind × outcome, route × status code. Never a target address. */
export type Outcome = 'ok' | 'refused' | 'timeout' | 'unreachable' | 'denied' | 'error';

export const ROUTES = ['/v1/probe', '/v1/dns', '/v1/workload/sockets', '/v1/workload/dns', '/healthz', '/readyz', '/metrics'] as const;

/** The agent's own registry, so several agents in one process (tests) do not collide. */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'kind' | 'outcome'>;
  private readonly results: Counter<'kind' | 'outcome'>;
  private readonly requests: Counter<'route' | 'code'>;
  private readonly inflight: Gauge;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.duration = new Histogram({
      name: 'netpeek_agent_probe_duration_seconds',
      help: 'Time of each probe (ICMP average RTT, TCP connect, HTTP time to headers), by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.results = new Counter({ name: 'netpeek_agent_probe_results_total', help: 'Probe results by kind and outcome.', labelNames: ['kind', 'outcome'], registers });
    this.requests = new Counter({ name: 'netpeek_agent_requests_total', help: 'HTTP requests by route and status code.', labelNames: ['route', 'code'], registers });
    this.inflight = new Gauge({ name: 'netpeek_agent_probes_in_flight', help: 'Probes running now.', registers });
    // Unprefixed: process_*/nodejs_* are what stock Node.js dashboards and alerts query.
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  recordResults(results: ProbeResult[]): void {
    for (const r of results) {
      const labels = { kind: r.kind, outcome: r.ok ? 'ok' : (r.error ?? 'error') };
      this.results.inc(labels);
      if (r.ms !== undefined) this.duration.observe(labels, r.ms / 1000);
    }
  }

  recordDenied(kinds: ProbeKind[]): void {
    for (const kind of kinds) this.results.inc({ kind, outcome: 'denied' });
  }

  recordRequest(path: string, code: number): void {
    const route = (ROUTES as readonly string[]).includes(path) ? path : 'other';
    this.requests.inc({ route, code: String(code) });
  }

  setInflight(n: number): void {
    this.inflight.set(n);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
