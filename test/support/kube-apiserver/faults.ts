/**
 * Injected failures: the next N matching requests answer with a given status code, using the Status
 * the real server would send for it (RBAC's Forbidden names the verb, resource, group and scope).
 */
import type { RequestInfo } from './request.js';
import type { ResourceDef } from './resources.js';
import { errors, forbidden, status, StatusError } from './status.js';

/** One line of the request log. */
export type RequestRecord = {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) for resource requests. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
  /** HTTP status sent (set when the response head is written). */
  status?: number;
  /** Date.now() when the request arrived. */
  at: number;
  userAgent?: string;
  accept?: string;
  contentType?: string;
};

export type FaultMatch =
  | { verb?: string | string[]; resource?: string; namespace?: string; name?: string; watch?: boolean }
  | ((r: RequestRecord) => boolean);

export type FaultSpec = {
  /** HTTP status to answer with (default 500). 401, 403, 404, 409, 410, 429, 500, 503, 504 get the real Status shapes. */
  code?: number;
  /** Replaces the default message. */
  message?: string;
  /** Which requests to fail; default: any resource request (not discovery, /version, /openapi). */
  match?: FaultMatch;
  /** For 429/503/504: Retry-After seconds. */
  retryAfterSeconds?: number;
  /** User named in a 403 (default: the server's `user` option). */
  user?: string;
  /** For watches: answer 200 and stream one ERROR event with the Status, then close (how the real server reports errors mid-watch). */
  asWatchEvent?: boolean;
};

type Pending = { remaining: number; spec: FaultSpec };

function matchesRecord(m: FaultMatch | undefined, rec: RequestRecord): boolean {
  if (m === undefined) return rec.verb !== undefined;
  if (typeof m === 'function') return m(rec);
  if (rec.verb === undefined) return false;
  if (m.verb !== undefined && !(Array.isArray(m.verb) ? m.verb : [m.verb]).includes(rec.verb)) return false;
  if (m.resource !== undefined && m.resource !== rec.resource) return false;
  if (m.namespace !== undefined && m.namespace !== rec.namespace) return false;
  if (m.name !== undefined && m.name !== rec.name) return false;
  if (m.watch !== undefined && m.watch !== rec.watch) return false;
  return true;
}

export class Faults {
  private queue: Pending[] = [];
  latencyMs = 0;

  failNext(count: number, spec: FaultSpec = {}): void {
    if (count > 0) this.queue.push({ remaining: count, spec });
  }

  clear(): void {
    this.queue = [];
    this.latencyMs = 0;
  }

  /** How many injected failures are still queued. */
  get pending(): number {
    return this.queue.reduce((n, p) => n + p.remaining, 0);
  }

  /** The fault to apply to this request, if one is queued for it (consumes one). */
  take(rec: RequestRecord): FaultSpec | undefined {
    const p = this.queue.find((x) => matchesRecord(x.spec.match, rec));
    if (!p) return undefined;
    if (--p.remaining <= 0) this.queue = this.queue.filter((x) => x !== p);
    return p.spec;
  }
}

export function faultError(spec: FaultSpec, info: RequestInfo | undefined, defaultUser: string): StatusError {
  const code = spec.code ?? 500;
  const r: ResourceDef | undefined = info?.resource;
  const name = info?.name;
  let e: StatusError;
  switch (code) {
    case 401: e = errors.unauthorized(); break;
    case 403:
      e = r
        ? forbidden(spec.user ?? defaultUser, info!.verb, r, info!.namespace, name, info!.subresource)
        : new StatusError(status(403, 'Forbidden', `forbidden: User "${spec.user ?? defaultUser}" cannot get path`));
      break;
    case 404: e = r && name ? errors.notFound(r, name) : errors.notFoundPath(); break;
    case 409: e = r && name ? errors.conflict(r, name) : new StatusError(status(409, 'Conflict', 'Operation cannot be fulfilled')); break;
    case 410: e = errors.expired('too old resource version'); break;
    case 429: e = errors.tooManyRequests(spec.retryAfterSeconds ?? 1); break;
    case 500: e = errors.internal(spec.message ?? 'injected failure'); break;
    case 503: e = errors.serviceUnavailable(); break;
    case 504: e = errors.timeout(); break;
    default: e = new StatusError(status(code, 'Unknown', spec.message ?? `injected failure ${code}`));
  }
  if (spec.message && code !== 500) e.status.message = spec.message;
  if (spec.retryAfterSeconds !== undefined) e.status.details = { ...e.status.details, retryAfterSeconds: spec.retryAfterSeconds };
  return e;
}
