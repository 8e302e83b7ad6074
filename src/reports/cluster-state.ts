import { gunzipSync, gzipSync } from 'node:zlib';
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { httpStatusOf } from '../sources/kube-errors.js';
import { StateUnavailableError, type ReportHistory } from './history.js';
import { digestOf, type ReportRun, type RunDigest, type TickRecord, type TickState } from './model.js';
import { decideAdvance, decideClaim, type TickClaim, type TickLedger } from './tick-key.js';

/**
 * Report state in the cluster: one ConfigMap per report (`netpeek-report-state-<report>` in netpeek's
 * namespace), so that whichever replica leads diffs against the true previous run and sees every tick
 * key. Every write is a read-modify-replace carrying the resourceVersion that was read; a 409 Conflict
 * means another writer got there first, and the change is re-decided on what it wrote.
 *
 * Layout: `data` holds what a human wants from `kubectl get cm -o yaml` (last verdict, recent tick
 * keys as JSON); `binaryData["runs.json.gz"]` holds the previous run in full and the status digests
 * of the last few runs, gzipped (a 1,000-target run is ~20 KB there; the ConfigMap limit is 1 MiB).
 */

export const STATE_CONFIGMAP_PREFIX = 'netpeek-report-state-';
const TICKS_KEPT = 30;
const DIGESTS_KEPT = 8;
const MAX_ATTEMPTS = 8;

export function stateConfigMapName(report: string): string {
  return `${STATE_CONFIGMAP_PREFIX}${report}`;
}

/** The three calls the store needs; `configMapApi` adapts client-node's CoreV1Api. */
export interface ConfigMapApi {
  /** undefined on 404. */
  read(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  create(namespace: string, body: V1ConfigMap): Promise<V1ConfigMap>;
  replace(namespace: string, name: string, body: V1ConfigMap): Promise<V1ConfigMap>;
}

export function configMapApi(core: CoreV1Api): ConfigMapApi {
  return {
    async read(namespace, name) {
      try {
        return await core.readNamespacedConfigMap({ namespace, name });
      } catch (err) {
        if (httpStatusOf(err) === 404) return undefined;
        throw err;
      }
    },
    create: (namespace, body) => core.createNamespacedConfigMap({ namespace, body }),
    replace: (namespace, name, body) => core.replaceNamespacedConfigMap({ namespace, name, body }),
  };
}

interface StateDoc {
  ticks: TickRecord[];
  /** The newest runs in full, newest first (two: a retried tick still diffs against the run before it). */
  runs: ReportRun[];
  recent: RunDigest[];
}
const RUNS_KEPT = 2;

function decode(cm: V1ConfigMap | undefined): StateDoc {
  if (!cm) return { ticks: [], runs: [], recent: [] };
  const ticks = safeParse<TickRecord[]>(cm.data?.['ticks.json']) ?? [];
  const packed = cm.binaryData?.['runs.json.gz'];
  const stored = packed ? safeParse<{ runs?: ReportRun[]; recent?: RunDigest[] }>(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) : undefined;
  return { ticks, runs: stored?.runs ?? [], recent: stored?.recent ?? [] };
}

function safeParse<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function encode(report: string, namespace: string, doc: StateDoc, base: V1ConfigMap | undefined): V1ConfigMap {
  const runs = gzipSync(JSON.stringify({ runs: doc.runs, recent: doc.recent })).toString('base64');
  const last = doc.runs[0];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: stateConfigMapName(report),
      namespace,
      labels: { 'app.kubernetes.io/name': 'netpeek', 'app.kubernetes.io/component': 'report-state', 'netpeek.dev/report': report },
      ...(base?.metadata?.resourceVersion ? { resourceVersion: base.metadata.resourceVersion } : {}),
    },
    data: {
      report,
      ...(last ? { 'last-run': last.tickKey, 'last-verdict': last.verdict ?? '' } : {}),
      'ticks.json': JSON.stringify(doc.ticks),
    },
    binaryData: { 'runs.json.gz': runs },
  };
}

export interface ClusterStateOptions {
  namespace: string;
  /** For tick updatedAt; default Date.now. */
  now?: () => number;
  /** Names the server in messages. */
  server?: string;
}

export class ClusterReportState implements ReportHistory, TickLedger {
  private readonly now: () => number;

  constructor(
    private readonly api: ConfigMapApi,
    private readonly o: ClusterStateOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  private unavailable(what: string, report: string, err: unknown): StateUnavailableError {
    const status = httpStatusOf(err);
    const where = `ConfigMap ${this.o.namespace}/${stateConfigMapName(report)}${this.o.server ? ` on ${this.o.server}` : ''}`;
    const why =
      status === 403
        ? 'RBAC forbids it (the Role netpeek-bot-state must list this ConfigMap name for get and update, and allow create)'
        : status !== undefined
          ? `the API server answered HTTP ${status}`
          : `the API server could not be reached (${(err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? String(err)})`;
    return new StateUnavailableError(`netpeek could not ${what} ${where}: ${why}`, err);
  }

  /**
   * Reads the state, lets `change` decide, and writes the result with the resourceVersion that was
   * read; on 409 it reads again and re-decides. `change` returns the new doc (or undefined for no
   * write) and a value to hand back.
   */
  private async mutate<T>(report: string, change: (doc: StateDoc) => { doc?: StateDoc; value: T }): Promise<T> {
    const name = stateConfigMapName(report);
    for (let attempt = 1; ; attempt += 1) {
      let cm: V1ConfigMap | undefined;
      try {
        cm = await this.api.read(this.o.namespace, name);
      } catch (err) {
        throw this.unavailable('read', report, err);
      }
      const { doc, value } = change(decode(cm));
      if (!doc) return value;
      try {
        const body = encode(report, this.o.namespace, doc, cm);
        if (cm) await this.api.replace(this.o.namespace, name, body);
        else await this.api.create(this.o.namespace, body);
        return value;
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === 409 && attempt < MAX_ATTEMPTS) continue;
        throw this.unavailable(cm ? 'update' : 'create', report, err);
      }
    }
  }

  private async read(report: string): Promise<StateDoc> {
    try {
      return decode(await this.api.read(this.o.namespace, stateConfigMapName(report)));
    } catch (err) {
      throw this.unavailable('read', report, err);
    }
  }

  async save(run: ReportRun): Promise<void> {
    await this.mutate(run.report, (doc) => {
      const byTime = (a: { scheduledAt: string }, b: { scheduledAt: string }) => Date.parse(b.scheduledAt) - Date.parse(a.scheduledAt);
      const runs = [run, ...doc.runs.filter((r) => r.tickKey !== run.tickKey)].sort(byTime).slice(0, RUNS_KEPT);
      const recent = [digestOf(run), ...doc.recent.filter((d) => d.tickKey !== run.tickKey)].sort(byTime).slice(0, DIGESTS_KEPT);
      return { doc: { ...doc, runs, recent }, value: undefined };
    });
  }

  async latest(report: string, opts: { before?: string } = {}): Promise<ReportRun | undefined> {
    const before = opts.before !== undefined ? Date.parse(opts.before) : Number.POSITIVE_INFINITY;
    return (await this.read(report)).runs.find((r) => Date.parse(r.scheduledAt) < before);
  }

  async recent(report: string, limit: number): Promise<RunDigest[]> {
    return (await this.read(report)).recent.slice(0, limit);
  }

  async get(report: string, key: string): Promise<TickRecord | undefined> {
    return (await this.read(report)).ticks.find((t) => t.key === key);
  }

  /** The newest tick records (newest first), for listings. */
  async ticks(report: string): Promise<TickRecord[]> {
    return (await this.read(report)).ticks;
  }

  async claim(claim: TickClaim, takeOver: readonly TickState[] = []): Promise<{ ok: boolean; record: TickRecord }> {
    return this.mutate(claim.report, (doc) => {
      const decision = decideClaim(doc.ticks.find((t) => t.key === claim.key), claim, takeOver);
      return decision.ok ? { doc: { ...doc, ticks: withTick(doc.ticks, decision.record) }, value: decision } : { value: decision };
    });
  }

  async advance(report: string, key: string, holder: string, state: TickState, extra: Pick<TickRecord, 'channel' | 'messageTs'> = {}): Promise<boolean> {
    return this.mutate(report, (doc) => {
      const next = decideAdvance(doc.ticks.find((t) => t.key === key), holder, state, new Date(this.now()).toISOString(), extra);
      return next ? { doc: { ...doc, ticks: withTick(doc.ticks, next) }, value: true } : { value: false };
    });
  }
}

/** Puts a record in the list (replacing its key), newest scheduled first, keeping the last TICKS_KEPT. */
function withTick(ticks: TickRecord[], record: TickRecord): TickRecord[] {
  return [record, ...ticks.filter((t) => t.key !== record.key)].sort((a, b) => Date.parse(b.scheduledAt) - Date.parse(a.scheduledAt)).slice(0, TICKS_KEPT);
}
