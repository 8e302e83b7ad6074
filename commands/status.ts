import type { Answer, Fact } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import type { Deps, NetpeekCommand } from '../src/deps.js';
import { isNetpeekError } from '../src/core/errors.js';
import { DOCKER_DESKTOP_VM, isDockerDesktop } from '../src/net/explain-docker.js';
import { matchesLabels, parseLabelSelector } from '../src/net/label-selector.js';
import { engineIdentity } from '../src/sources/docker.js';
import type { KubeSource } from '../src/sources/kubernetes.js';
import { describeContextState } from '../src/sources/kubernetes.js';

/** What `status` reports about one backend. */
interface BackendReport {
  ok: boolean;
  /** What answered, or why nothing did — a sentence safe to show. */
  detail: string;
  /** Details worth a line each when it answered (versions, endpoint…). */
  facts: Fact[];
  /** What to do about a failure. */
  hints: string[];
  explanations: string[];
}

/** One backend to check. */
interface StatusCheck {
  /** "Docker", "Kubernetes (context kind-dev)", "agent node-1". */
  name: string;
  run(deps: Deps): Promise<BackendReport>;
}

type NamedReport = BackendReport & { name: string };

/**
 * The backend checks, in display order; Kubernetes (one per context in use) and the host agents follow.
 */
const STATUS_CHECKS: readonly StatusCheck[] = [{ name: 'Docker', run: dockerReport }];

export const status: NetpeekCommand = {
  name: 'status',
  aliases: [],
  summary: 'Which backends netpeek can ask (Docker engine, Kubernetes contexts, agents), with versions, or why not',
  args: [],
  flags: [],
  examples: ['status'],
  subject: { role: 'about', kind: 'status' },
  sendsPackets: 'never',
  description: 'Checks every backend netpeek is configured for and reports what answered. It always answers, even when nothing does.',
  async run(_query, deps) {
    const checks = [...STATUS_CHECKS, ...kubernetesChecks(deps), ...agentChecks(deps), ...storeChecks(deps)];
    const reports = await Promise.all(checks.map((check) => safely(check, deps)));
    return statusAnswer(reports);
  },
};

/** A check that throws still yields a report: status must answer when backends do not. */
async function safely(check: StatusCheck, deps: Deps): Promise<NamedReport> {
  try {
    return { name: check.name, ...(await check.run(deps)) };
  } catch (err) {
    if (!isNetpeekError(err)) deps.log.error({ err, backend: check.name }, 'status check failed');
    const detail = isNetpeekError(err) ? err.message : 'The check failed inside netpeek; the error was logged.';
    return { name: check.name, ok: false, detail, facts: [], hints: isNetpeekError(err) ? err.details : [], explanations: [] };
  }
}

function statusAnswer(reports: NamedReport[]): Answer {
  const up = reports.filter((r) => r.ok).map((r) => r.name);
  const down = reports.filter((r) => !r.ok);
  const summary =
    down.length === 0
      ? `Every backend answers: ${up.join(', ')}.`
      : up.length === 0
        ? `No backend answers: ${down.map((r) => r.detail).join(' ')}`
        : `${up.join(', ')} ${up.length === 1 ? 'answers' : 'answer'}; ${down.map((r) => r.name).join(', ')} ${down.length === 1 ? 'does' : 'do'} not.`;
  return newAnswer('status', 'netpeek status', {
    subject: { kind: 'status', name: 'backends' },
    summary,
    facts: reports.flatMap((r) => (r.ok ? r.facts : [{ label: r.name, value: r.detail }])),
    tables: [{ title: 'Backends', columns: ['backend', 'state', 'detail'], rows: reports.map((r) => [r.name, r.ok ? 'answers' : 'does not answer', r.detail]) }],
    explanations: reports.flatMap((r) => r.explanations),
    hints: reports.flatMap((r) => r.hints),
  });
}

async function dockerReport(deps: Deps): Promise<BackendReport> {
  const base = { facts: [], hints: [], explanations: [] };
  if (!deps.docker) {
    return { ...base, ok: false, detail: 'No Docker engine is configured.', hints: ['Set DOCKER_HOST, or give netpeek access to /var/run/docker.sock.'] };
  }
  const docker = deps.docker;
  const [info, version] = await Promise.all([docker.info(), docker.version()]);
  const desktop = isDockerDesktop(engineIdentity(info));
  const engine = info.ServerVersion ?? version.Version;
  return {
    ...base,
    ok: true,
    detail: `Docker ${engine} (API ${version.ApiVersion}) at ${docker.endpoint}${desktop ? ', Docker Desktop' : ''}`,
    facts: [
      { label: 'Docker engine', value: `${engine} (API ${version.ApiVersion})` },
      { label: 'Docker endpoint', value: docker.endpoint },
      { label: 'Docker host OS', value: [info.OperatingSystem, info.OSType && info.Architecture ? `${info.OSType}/${info.Architecture}` : undefined].filter(Boolean).join(', ') },
      { label: 'Docker Desktop', value: desktop ? 'yes — the engine runs in a VM' : 'no' },
      { label: 'Containers', value: `${info.ContainersRunning ?? '?'} running of ${info.Containers ?? '?'}` },
    ],
    explanations: desktop ? [DOCKER_DESKTOP_VM] : [],
  };
}

// ---- Kubernetes: one check per context in use (the default one, and any a question has started) ----

function kubernetesChecks(deps: Deps): StatusCheck[] {
  const kube = deps.kube;
  if (!kube) return [];
  if (!kube.configured()) {
    return [
      {
        name: 'Kubernetes',
        run: async () => ({
          ok: false,
          detail: `No Kubernetes cluster: ${kube.origin()}.`,
          facts: [],
          hints: ['Set KUBECONFIG (and NETPEEK_KUBE_CONTEXT), or run netpeek inside the cluster with its service account.'],
          explanations: [],
        }),
      },
    ];
  }
  return kube
    .states()
    .filter((s) => s.isDefault || s.started)
    .map((s) => ({ name: `Kubernetes (context ${s.context})`, run: () => kubeContextReport(kube, s.context) }));
}

/** Asks the context's API server for its version (directly), then reports its watch caches. */
async function kubeContextReport(kube: KubeSource, context: string): Promise<BackendReport> {
  const cluster = kube.cluster(context);
  const version = await cluster.serverVersion();
  const states = kube.states();
  const state = states.find((s) => s.context === context)!;
  const broken = state.caches.filter((c) => c.lastError && !c.current);
  const others = states.filter((s) => !s.isDefault && !s.started).map((s) => s.context);
  const caches = state.caches.length
    ? state.caches.map((c) => `${c.resource} ${c.synced ? c.objects : 'not synced'}${c.synced && !c.current ? ' (stale)' : ''}`).join(', ')
    : 'not started (they start with the first question)';
  return {
    ok: broken.length === 0,
    detail: `Kubernetes ${version}: ${describeContextState(state)}`,
    facts: [
      { label: `Kubernetes ${context}`, value: `${version} at ${cluster.server}${state.isDefault ? ' (default context)' : ''}` },
      { label: `${context} watch caches`, value: caches },
      ...(state.isDefault && others.length ? [{ label: 'Other Kubernetes contexts', value: others.join(', ') }] : []),
    ],
    hints: broken.map((c) => c.lastError!).slice(0, 1),
    explanations: [],
  };
}

// ---- Host agents: the configured ones answer /healthz; in Kubernetes, the DaemonSet's ready pods ----

const AGENT_HEALTH_TIMEOUT_MS = 2000;

function agentChecks(deps: Deps): StatusCheck[] {
  const configured: [string, string][] = [
    ...(deps.config.docker.agentUrl ? [['agent (Docker host)', deps.config.docker.agentUrl] as [string, string]] : []),
    ...Object.entries(deps.config.agents.byNode).map(([node, url]): [string, string] => [`agent ${node}`, url]),
  ];
  const checks: StatusCheck[] = configured.map(([name, url]) => ({ name, run: () => agentHealth(url, Boolean(deps.config.agents.secret)) }));
  if (deps.kube?.configured()) checks.push({ name: 'agents (DaemonSet)', run: () => daemonSetAgents(deps) });
  return checks;
}

async function agentHealth(url: string, haveSecret: boolean): Promise<BackendReport> {
  const hints = haveSecret ? [] : ['NETPEEK_AGENT_SECRET is not set here, so netpeek cannot sign probe requests to it.'];
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(AGENT_HEALTH_TIMEOUT_MS) });
    const ok = res.ok;
    return { ok: ok && haveSecret, detail: ok ? `answers at ${url}` : `answered HTTP ${res.status} at ${url}/healthz`, facts: [], hints, explanations: [] };
  } catch (err) {
    const why = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${AGENT_HEALTH_TIMEOUT_MS} ms` : 'connection failed';
    return { ok: false, detail: `${url}: ${why}`, facts: [], hints: ['Is `netpeek agent` running there, and is its port reachable from here?', ...hints], explanations: [] };
  }
}

async function daemonSetAgents(deps: Deps): Promise<BackendReport> {
  const { namespace, selector } = deps.config.agents.discovery;
  const cluster = deps.kube!.cluster();
  const [pods, nodes] = await Promise.all([cluster.pods({ namespace }), cluster.nodes()]);
  const want = parseLabelSelector(selector);
  const agents = pods.filter((p) => matchesLabels(want, p.labels));
  const ready = new Set(agents.filter((p) => p.ready && p.nodeName).map((p) => p.nodeName));
  const missing = nodes.map((n) => n.name).filter((n) => !ready.has(n));
  return {
    ok: ready.size > 0 && missing.length === 0,
    detail: `${ready.size} of ${nodes.length} nodes have a ready agent (pods ${selector} in ${namespace})`,
    facts: [],
    hints: missing.length ? [`Nodes without a ready agent: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}. Probes from them report "agent unavailable".`] : [],
    explanations: [],
  };
}

// ---- The store: where audit records, report history and Slack claims are kept ----

function storeChecks(deps: Deps): StatusCheck[] {
  const store = deps.store;
  if (!store) return [];
  return [
    {
      name: store.kind === 'postgres' ? 'store (PostgreSQL)' : 'store (SQLite)',
      async run() {
        const s = await store.check();
        const hints = s.ok
          ? store.shared
            ? []
            : ['With more than one replica, or to keep the audit trail across restarts, set NETPEEK_DATABASE_URL (PostgreSQL).']
          : ['Check that PostgreSQL runs and that NETPEEK_DATABASE_URL, NETPEEK_DATABASE_PASSWORD_FILE and NETPEEK_DATABASE_SSL are right; netpeek reconnects by itself.'];
        return {
          ok: s.ok,
          detail: s.detail,
          facts: [
            { label: 'Store', value: s.detail },
            ...(s.auditBuffered || s.auditLost ? [{ label: 'Audit records', value: `${s.auditBuffered} waiting for the database, ${s.auditLost} lost (only in the logs)` }] : []),
          ],
          hints,
          explanations: [],
        };
      },
    },
  ];
}
