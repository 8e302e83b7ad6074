import { createLogger } from '../../../src/log.js';
import type { ProbeOptions, ProbeResult, ProbeTarget } from '../../../src/probe/types.js';
import type { ProbeService, Vantage } from '../../../src/probe/vantage.js';
import type { ReportDefinition } from '../../../src/reports/definitions.js';
import { countResults, type ReportRun, type TargetResult } from '../../../src/reports/model.js';
import type { ReportMessage } from '../../../src/render/report-blocks.js';
import type { ReportPoster } from '../../../src/reports/report-poster.js';

export const silent = createLogger('silent');

export function def(over: Partial<ReportDefinition> = {}): ReportDefinition {
  return {
    name: 'web',
    schedule: '0 * * * *',
    timezone: 'UTC',
    channel: 'C0123ABCD',
    quiet: false,
    targets: [{ kind: 'address', label: 'address 10.0.0.1:80', ip: '10.0.0.1', port: 80, from: 'docker-host' }],
    probes: ['icmp', 'tcp'],
    thresholds: { lossPct: 0 },
    timeoutMs: 500,
    count: 1,
    line: 2,
    ...over,
  };
}

export function row(id: string, status: TargetResult['status'], over: Partial<TargetResult> = {}): TargetResult {
  return { id, group: 'g', subject: id.split(' ').slice(0, 2).join(' '), kind: 'icmp', ip: '10.0.0.1', from: 'node a', status, ...(status === 'failed' ? { reason: 'timeout' } : {}), ...(status === 'ok' ? { ms: 1 } : {}), ...over };
}

/** A run at `iso` with the given rows. */
export function run(iso: string, results: TargetResult[], over: Partial<ReportRun> = {}): ReportRun {
  return {
    report: 'web',
    tickKey: `web@${new Date(iso).toISOString()}`,
    scheduledAt: new Date(iso).toISOString(),
    startedAt: new Date(iso).toISOString(),
    finishedAt: new Date(Date.parse(iso) + 1500).toISOString(),
    trigger: 'schedule',
    late: false,
    results,
    counts: countResults(results),
    notes: [],
    ...over,
  };
}

/** Records posts; can be told to fail, or to "crash" after Slack got the message. */
export class FakePoster implements ReportPoster {
  readonly posts: Array<{ channel: string; message: ReportMessage; ts: string }> = [];
  failNext = 0;
  crashAfterPostNext = 0;
  unreadable = false;

  async post(channel: string, message: ReportMessage): Promise<{ ts: string }> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('slack is down');
    }
    const ts = `${1_700_000_000 + this.posts.length}.000100`;
    this.posts.push({ channel, message, ts });
    if (this.crashAfterPostNext > 0) {
      this.crashAfterPostNext -= 1;
      throw new Error('process died right after posting');
    }
    return { ts };
  }

  async findPosted(channel: string, tickKey: string): Promise<string | undefined> {
    if (this.unreadable) throw new Error('missing_scope');
    return this.posts.find((p) => p.channel === channel && p.message.metadata.event_payload.tick === tickKey)?.ts;
  }

  postsFor(tickKey: string): number {
    return this.posts.filter((p) => p.message.metadata.event_payload.tick === tickKey).length;
  }
}

/** A ProbeService that answers from a table (ip:port → outcome) and records its calls. */
export class ScriptedProbes implements ProbeService {
  readonly calls: Array<{ vantage: Vantage; targets: ProbeTarget[]; opts: ProbeOptions }> = [];
  outcome: (t: ProbeTarget, v: Vantage) => Partial<ProbeResult> = () => ({ ok: true, ms: 1 });
  /** Called (and awaited) before answering. */
  gate?: () => Promise<void>;

  async probeFrom(vantage: Vantage, targets: ProbeTarget[], opts: ProbeOptions): Promise<ProbeResult[]> {
    this.calls.push({ vantage, targets, opts });
    // Like the real probers: an aborted signal ends the wait and rejects.
    const signal = opts.signal;
    if (this.gate) {
      await Promise.race([
        this.gate(),
        new Promise<void>((_, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      ]);
    }
    if (signal?.aborted) throw signal.reason;
    return targets.map((t) => ({ kind: t.kind, ip: t.ip, ...(t.port !== undefined ? { port: t.port } : {}), ok: true, ...this.outcome(t, vantage) }));
  }
}
