import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditOutcome, AuditSource } from '../store/audit-log.js';
import type { ContextState } from '../sources/kubernetes.js';
import type { TickEvent } from '../reports/scheduler.js';

/**
 * The bot's Prometheus metrics (`GET /metrics` on the bot's HTTP port, both transports).
 * Every label value comes from a closed set — command names of the registry, audit outcomes, Slack
 * method names netpeek calls, cache resources, report names of the definitions file — never a pod,
 * user, channel or address, so the series count stays bounded however the bot is used.
 * process_* and nodejs_* keep their standard names so a stock Node.js dashboard finds them.
 */
export interface BotMetricsOptions {
  /** The registry's command names: anything else is counted as `unknown`. */
  commands: readonly string[];
  /** Read at scrape time, so the figures are as current as `status`. */
  kubeStates?: () => ContextState[];
  /** Off in tests that make several bots in one process. */
  defaultMetrics?: boolean;
}

export type SlackErrorKind = 'platform' | 'http' | 'rate_limited' | 'request';

/** Slack method names are `family.method` (chat.postMessage, files.getUploadURLExternal). */
const METHOD = /^[a-z]+(\.[a-zA-Z]+){1,2}$/;

export class BotMetrics {
  readonly registry = new Registry();
  private readonly commands: Set<string>;
  private readonly questions: Counter<'command' | 'outcome' | 'source'>;
  private readonly latency: Histogram<'command'>;
  private readonly slackErrors: Counter<'method' | 'kind'>;
  private readonly reportRuns: Counter<'report' | 'outcome'>;
  private readonly reportTargets: Counter<'report' | 'state'>;

  constructor(o: BotMetricsOptions) {
    const registers = [this.registry];
    this.commands = new Set(o.commands);
    this.questions = new Counter({
      name: 'netpeek_questions_total',
      help: 'Questions answered, by command, outcome (ok, refused, user_error, failed, undelivered) and where they came from.',
      labelNames: ['command', 'outcome', 'source'],
      registers,
    });
    this.latency = new Histogram({
      name: 'netpeek_answer_duration_seconds',
      help: 'Time from the request reaching the bot to the answer being delivered (or refused), by command.',
      labelNames: ['command'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.slackErrors = new Counter({
      name: 'netpeek_slack_api_errors_total',
      help: "Failed Slack Web API calls by method and kind: platform (ok:false), http (non-2xx), rate_limited (429), request (no response).",
      labelNames: ['method', 'kind'],
      registers,
    });
    this.reportRuns = new Counter({
      name: 'netpeek_report_runs_total',
      help: 'Report ticks by report and outcome (posted, quiet, already-posted, not-leader, post-failed, failed, …).',
      labelNames: ['report', 'outcome'],
      registers,
    });
    this.reportTargets = new Counter({
      name: 'netpeek_report_targets_total',
      help: 'Targets of report runs by report and state (ok, failed, not-probed).',
      labelNames: ['report', 'state'],
      registers,
    });
    const states = o.kubeStates;
    const caches = () => (states ? safeStates(states).flatMap((c) => c.caches.map((cache) => ({ context: c.context, ...cache }))) : []);
    new Gauge({
      name: 'netpeek_kube_cache_synced',
      help: 'Whether a Kubernetes watch cache has listed at least once and serves from memory (1) or not (0), by context and resource.',
      labelNames: ['context', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const c of caches()) this.set({ context: c.context, resource: c.resource }, c.synced && c.current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'netpeek_kube_cache_objects',
      help: 'Objects held by a Kubernetes watch cache, by context and resource.',
      labelNames: ['context', 'resource'],
      registers,
      collect() {
        this.reset();
        for (const c of caches()) this.set({ context: c.context, resource: c.resource }, c.objects);
      },
    });
    new Counter({
      name: 'netpeek_kube_watch_restarts_total',
      help: 'Watches and lists a Kubernetes watch cache started after its first one (reconnects, 410 relists), by context and resource.',
      labelNames: ['context', 'resource'],
      registers,
      collect() {
        // The caches own the count; a scrape copies it (it only grows while the process lives).
        this.reset();
        for (const c of caches()) this.inc({ context: c.context, resource: c.resource }, c.restarts);
      },
    });
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** One question's audit record: the same outcome the audit log keeps. */
  question(command: string, source: AuditSource, outcome: AuditOutcome, durationMs: number): void {
    const name = this.commands.has(command) ? command : 'unknown';
    this.questions.inc({ command: name, outcome, source });
    this.latency.observe({ command: name }, durationMs / 1000);
  }

  slackError(method: string, kind: SlackErrorKind): void {
    this.slackErrors.inc({ method: METHOD.test(method) ? method : 'other', kind });
  }

  reportTick(e: TickEvent): void {
    this.reportRuns.inc({ report: e.report, outcome: e.outcome });
    if (e.counts) {
      this.reportTargets.inc({ report: e.report, state: 'ok' }, e.counts.ok);
      this.reportTargets.inc({ report: e.report, state: 'failed' }, e.counts.failed);
      this.reportTargets.inc({ report: e.report, state: 'not-probed' }, e.counts.notProbed);
    }
  }

  /** The `/metrics` custom route for Bolt's receivers. */
  route() {
    return {
      path: '/metrics',
      method: ['GET'],
      handler: (_req: unknown, res: ServerResponse) => {
        this.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
            res.end(body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`);
          },
        );
      },
    };
  }
}

/** A kubeconfig that cannot be read has no caches to report; the scrape must still succeed. */
function safeStates(states: () => ContextState[]): ContextState[] {
  try {
    return states();
  } catch {
    return [];
  }
}
