import type { BackendState } from '../core/backend-check.js';
import { BackendError } from '../core/errors.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { contextClients } from './kube-client.js';
import type { ClusterOptions, KubeCluster } from './kube-cluster.js';
import { ClusterConnection } from './kube-cluster.js';
import { unknownContextError } from './kube-errors.js';
import type { CacheState } from './kube-watch-cache.js';
import { findKubeconfig, type KubeconfigFound } from './kubeconfig.js';

export type { KubeCluster } from './kube-cluster.js';
export type { CacheState } from './kube-watch-cache.js';

/**
 * Kubernetes as commands see it: every context of the kubeconfig (or the in-cluster service account),
 * each a KubeCluster with its own watch caches. Building one reads nothing; the kubeconfig is read on
 * first use, and a context's watches start when it is first asked (or on `start()`).
 */
export interface KubeSource {
  /** Whether a kubeconfig or in-cluster account exists (reads files only; no network). */
  configured(): boolean;
  /** Where the configuration came from, or why there is none. */
  origin(): string;
  /** Context names. Throws BackendError when nothing is configured. */
  contexts(): string[];
  /** NETPEEK_KUBE_CONTEXT, else the kubeconfig's current context. */
  defaultContext(): string;
  /** A context's cluster (default: the default context). Unknown names → UserError listing the contexts. */
  cluster(context?: string): KubeCluster;
  /** Starts the watch caches of these contexts (default: the default context). */
  start(contexts?: string[]): void;
  /** Every context, with the states of its caches when they were started. */
  states(): ContextState[];
  stop(): Promise<void>;
}

export interface ContextState {
  context: string;
  server: string;
  isDefault: boolean;
  /** Whether the context's caches were started (a context nobody asked about has none). */
  started: boolean;
  caches: CacheState[];
}

export interface KubeSourceOptions extends ClusterOptions {
  /** For tests: the environment findKubeconfig reads (KUBERNETES_SERVICE_HOST). */
  env?: NodeJS.ProcessEnv;
}

type Loaded = KubeconfigFound | { missing: string };

export class KubeContexts implements KubeSource {
  private loaded: Loaded | undefined;
  private readonly clusters = new Map<string, ClusterConnection>();

  constructor(
    private readonly settings: Config['kube'],
    private readonly log?: Logger,
    private readonly opts: KubeSourceOptions = {},
  ) {}

  private load(): Loaded {
    if (!this.loaded) {
      this.loaded = findKubeconfig(this.settings.kubeconfig, this.opts.env);
    }
    return this.loaded;
  }

  private require(): Exclude<Loaded, { missing: string }> {
    const l = this.load();
    if ('missing' in l) {
      throw new BackendError('kubernetes', `This netpeek has no Kubernetes cluster to ask: ${l.missing}.`, [
        'Set KUBECONFIG (and NETPEEK_KUBE_CONTEXT for a context other than the current one), or run netpeek inside the cluster with its service account.',
      ]);
    }
    return l;
  }

  configured(): boolean {
    return !('missing' in this.load());
  }

  origin(): string {
    const l = this.load();
    return 'missing' in l ? l.missing : l.origin;
  }

  contexts(): string[] {
    return [...this.require().contexts];
  }

  defaultContext(): string {
    const l = this.require();
    return this.settings.context ?? (l.currentContext || l.contexts[0]) ?? '';
  }

  cluster(context?: string): KubeCluster {
    const l = this.require();
    const name = context ?? this.defaultContext();
    if (!l.contexts.includes(name)) throw unknownContextError(name, l.contexts, l.origin);
    let c = this.clusters.get(name);
    if (!c) {
      // Without watch caches (a one-shot answer), reads are direct GETs: over node:https when the credentials allow.
      c = new ClusterConnection(contextClients(l, name, { direct: this.opts.watchCaches === false }), { ...(this.settings.changes ? { changes: this.settings.changes } : {}), ...this.opts, ...(this.log ? { log: this.log } : {}) });
      this.clusters.set(name, c);
    }
    return c;
  }

  start(contexts?: string[]): void {
    for (const name of contexts ?? [this.defaultContext()]) this.cluster(name).start();
  }

  states(): ContextState[] {
    const l = this.load();
    if ('missing' in l) return [];
    const def = this.settings.context ?? l.currentContext;
    return l.contexts.map((context) => {
      const c = this.clusters.get(context);
      const server = l.context(context)?.server ?? '';
      const caches = c?.cacheStates() ?? [];
      return { context, server, isDefault: context === def, started: caches.some((x) => x.started), caches: caches.some((x) => x.started) ? caches : [] };
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.clusters.values()].map((c) => c.stop()));
  }
}

/** The KubeSource for a netpeek configuration. Reads nothing until used. */
export function createKubeSource(settings: Config['kube'], log?: Logger, opts: KubeSourceOptions = {}): KubeSource {
  return new KubeContexts(settings, log, opts);
}

/** One line per context for banners and `status`: where it points and how its caches are. */
export function describeContextState(s: ContextState): string {
  const where = `${s.context}${s.isDefault ? ' (default)' : ''} at ${s.server || '(no server)'}`;
  if (!s.started) return `${where}: watches not started (they start with the first question)`;
  const synced = s.caches.filter((c) => c.synced);
  const errors = s.caches.filter((c) => c.lastError);
  const counts = s.caches.map((c) => `${c.resource} ${c.synced ? c.objects : '…'}`).join(', ');
  if (synced.length === s.caches.length && s.caches.every((c) => c.current)) return `${where}: caches synced (${counts})`;
  const err = errors[0]?.lastError;
  return `${where}: ${synced.length} of ${s.caches.length} caches synced (${counts})${err ? `; ${err}` : ''}`;
}

/** The banner/status check: the configuration, and each context's caches. No network calls. */
export function kubeBackendState(kube: KubeSource): BackendState {
  if (!kube.configured()) return { ok: false, detail: kube.origin() };
  try {
    kube.cluster();
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
  const states = kube.states();
  const started = states.filter((s) => s.started);
  const broken = started.filter((s) => s.caches.some((c) => c.lastError && !c.current));
  const shown = started.length ? started : states.filter((s) => s.isDefault);
  const detail = `kubeconfig ${kube.origin()}; ${shown.map(describeContextState).join('; ')}${states.length > shown.length ? `; other contexts: ${states.filter((s) => !shown.includes(s)).map((s) => s.context).join(', ')}` : ''}`;
  return { ok: broken.length === 0, detail };
}
