import { BackendError, NetpeekError, UserError } from '../core/errors.js';

/**
 * Kubernetes failures as sentences a user can act on. Three families: the API server did not answer
 * (BackendError naming the server URL and context), RBAC said no (UserError `forbidden` naming the verb
 * and resource that are missing), and the server answered with another error Status.
 */

/** The request that failed, as RBAC sees it. */
export interface KubeRequest {
  verb: 'get' | 'list' | 'watch';
  /** Plural resource: pods, services, endpointslices, nodes, namespaces, networkpolicies. */
  resource: string;
  /** API group: "" for core, discovery.k8s.io for EndpointSlices, networking.k8s.io for NetworkPolicies. */
  group: string;
  namespace?: string;
  name?: string;
}

/** Which API server and context the request went to. */
export interface KubeTarget {
  context: string;
  server: string;
}

/** A Status the server sent inside a watch stream (type ERROR) or as an error body. */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeStatusError';
  }
}

const RBAC_HINT = 'netpeek needs get, list and watch on pods, services, endpointslices (discovery.k8s.io), nodes, namespaces and networkpolicies (networking.k8s.io); deploy/kubernetes has that ClusterRole.';

/** Node/fetch error codes that mean "nothing answered there". */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS did not answer)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was closed',
  EPIPE: 'the connection was closed',
  ECONNABORTED: 'the connection was aborted',
  UND_ERR_SOCKET: 'the connection was closed',
};

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

interface ErrorShape {
  code?: unknown;
  statusCode?: unknown;
  body?: unknown;
  message?: unknown;
  type?: unknown;
  cause?: unknown;
}

/** The HTTP status of a client-node failure: ApiException.code, Watch's statusCode, or a watch ERROR Status. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof KubeStatusError) return err.code;
  const e = (err ?? {}) as ErrorShape;
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number' && e.code >= 100 && e.code < 600) return e.code;
  return undefined;
}

/** The Status message in an ApiException body (JSON text) or a watch ERROR event. */
function statusMessage(err: unknown): { message?: string; reason?: string } {
  if (err instanceof KubeStatusError) return { message: err.message, reason: err.reason };
  const body = (err as ErrorShape | undefined)?.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  if (parsed && typeof parsed === 'object') {
    const s = parsed as { message?: unknown; reason?: unknown };
    return { ...(typeof s.message === 'string' ? { message: s.message } : {}), ...(typeof s.reason === 'string' ? { reason: s.reason } : {}) };
  }
  return {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function networkCode(err: unknown): string | undefined {
  for (let e = err as ErrorShape | undefined, depth = 0; e && depth < 4; e = e.cause as ErrorShape | undefined, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function scopeText(req: KubeRequest, namespace?: string): string {
  const ns = namespace ?? req.namespace;
  return ns ? `in namespace ${ns}` : 'at the cluster scope';
}

const FORBIDDEN = /is forbidden: User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)?/;

/** RBAC's denial → what is missing, in one sentence, with the server's own words as a detail. */
export function forbiddenError(req: KubeRequest, target: KubeTarget, serverMessage?: string): UserError {
  const m = serverMessage ? FORBIDDEN.exec(serverMessage) : null;
  const user = m?.[1];
  const verb = m?.[2] ?? req.verb;
  const resource = m?.[3] ?? req.resource;
  const group = m ? m[4]! : req.group;
  const scope = scopeText(req, m ? m[5] : undefined);
  const groupText = group ? ` in API group ${group}` : '';
  return new UserError(
    `Kubernetes (context ${target.context}) forbids it: ${user ? `${user} ` : 'netpeek '}may not ${verb} ${resource}${groupText} ${scope}. Missing permission: "${verb}" on "${resource}".`,
    [
      ...(serverMessage ? [`The API server said: ${serverMessage}`] : []),
      `Grant it with an RBAC rule: apiGroups ["${group}"], resources ["${resource}"], verbs ["${verb}"].`,
      RBAC_HINT,
    ],
    'forbidden',
  );
}

/** Any failure of a Kubernetes call → a NetpeekError that says what happened and where. */
export function kubeError(err: unknown, req: KubeRequest, target: KubeTarget): NetpeekError {
  if (err instanceof NetpeekError) return err;
  const where = `The Kubernetes API server at ${target.server} (context ${target.context})`;
  const status = httpStatusOf(err);
  if (status !== undefined) {
    const { message, reason } = statusMessage(err);
    if (status === 403) return forbiddenError(req, target, message);
    if (status === 401) {
      return new BackendError('kubernetes', `${where} rejected netpeek's credentials (401 Unauthorized).`, [
        'The token or client certificate in the kubeconfig is missing, expired or revoked; refresh the kubeconfig (or the service account token).',
      ]);
    }
    const what = `${req.verb} ${req.resource}${req.name ? ` "${req.name}"` : ''}`;
    const said = message ? `: ${message}` : '';
    return new BackendError('kubernetes', `${where} answered ${status}${reason ? ` ${reason}` : ''} to ${what}${said}.`, [
      status >= 500 || status === 429 ? 'This is usually temporary; ask again in a moment.' : 'Check that the cluster serves this resource (`kubectl api-resources`).',
    ]);
  }
  const code = networkCode(err);
  if (code && UNREACHABLE[code]) {
    return new BackendError('kubernetes', `${where} did not answer: ${UNREACHABLE[code]}.`, [
      'Check that the cluster is running and that this machine can reach that address (`kubectl --context ' + target.context + ' get --raw /readyz`).',
    ]);
  }
  if (code && TLS_CODES.test(code)) {
    return new BackendError('kubernetes', `${where} did not answer: its TLS certificate was not accepted (${code}).`, [
      'Check certificate-authority-data for this cluster in the kubeconfig.',
    ]);
  }
  if (err instanceof DeadlineError) {
    return new BackendError('kubernetes', `${where} did not answer within ${err.ms / 1000} s.`, ['Check that the cluster is up and not overloaded, then ask again.']);
  }
  const text = err instanceof Error ? err.message : String(err);
  return new BackendError('kubernetes', `${where} could not be asked: ${text}.`, []);
}

/** A call that took longer than netpeek waits. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** Rejects with DeadlineError when the promise takes longer than `ms` (the request itself is left to finish). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(ms)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** The unknown-context answer: which contexts exist. */
export function unknownContextError(context: string, contexts: readonly string[], origin: string): UserError {
  return new UserError(
    `There is no Kubernetes context "${context}" in ${origin}.`,
    [`Contexts: ${contexts.length ? contexts.join(', ') : '(none)'}`, `Example: pod webserver-2 --context ${contexts[0] ?? 'my-context'}`],
    'not_found',
  );
}
