/**
 * `Status` objects exactly as the real API server writes them for failures (metav1.Status), with the
 * same messages: `pods "x" not found`, `Operation cannot be fulfilled on …`, RBAC's `… is forbidden: User …`.
 */
import type { ResourceDef } from './resources.js';
import { qualifiedName } from './resources.js';

export type StatusCause = { reason?: string; message?: string; field?: string };
export type StatusDetails = { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
export type Status = {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
};

/** An error carrying the Status the HTTP layer sends. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
}

export function status(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details && Object.keys(details).length > 0) s.details = details;
  return s;
}

function detailsFor(r: ResourceDef, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
}

export const errors = {
  notFound: (r: ResourceDef, name: string) =>
    new StatusError(status(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, detailsFor(r, name))),
  alreadyExists: (r: ResourceDef, name: string) =>
    new StatusError(status(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, detailsFor(r, name))),
  conflict: (r: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new StatusError(status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${why}`, detailsFor(r, name))),
  badRequest: (message: string) => new StatusError(status(400, 'BadRequest', message)),
  invalid: (r: ResourceDef, name: string, field: string, value: string, detail: string) =>
    new StatusError(
      status(422, 'Invalid', `${r.kind} "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`, {
        name,
        ...(r.group ? { group: r.group } : {}),
        kind: r.kind,
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }],
      }),
    ),
  expired: (message: string) => new StatusError(status(410, 'Expired', message)),
  gone: (message: string) => new StatusError(status(410, 'Gone', message)),
  methodNotAllowed: (_verb: string, r: ResourceDef) =>
    new StatusError(status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', { kind: r.plural })),
  methodNotAllowedPath: () => new StatusError(status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')),
  notAcceptable: (accept: string) =>
    new StatusError(status(406, 'NotAcceptable', `the server was unable to respond with a content type that the client supports (${accept})`)),
  unsupportedMediaType: (type: string) =>
    new StatusError(status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`)),
  notFoundPath: () => new StatusError(status(404, 'NotFound', 'the server could not find the requested resource', {})),
  unauthorized: () => new StatusError(status(401, 'Unauthorized', 'Unauthorized')),
  internal: (message = 'injected failure') =>
    new StatusError(status(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] })),
  tooManyRequests: (retryAfterSeconds = 1) =>
    new StatusError(status(429, 'TooManyRequests', 'The server has received too many requests and has asked us to try again later', { retryAfterSeconds })),
  serviceUnavailable: (message = 'the server is currently unable to handle the request') =>
    new StatusError(status(503, 'ServiceUnavailable', message)),
  timeout: (message = 'Timeout: request did not complete within the allotted timeout') =>
    new StatusError(status(504, 'Timeout', message, { retryAfterSeconds: 1 })),
};

/**
 * RBAC's denial, word for word: `pods is forbidden: User "u" cannot list resource "pods" in API group ""
 * in the namespace "ns"` (or `at the cluster scope`; `pods "x" is forbidden: …` for a named object).
 */
export function forbidden(
  user: string,
  verb: string,
  r: ResourceDef,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): StatusError {
  const what = name ? `${qualifiedName(r)} "${name}"` : qualifiedName(r);
  const res = subresource ? `${r.plural}/${subresource}` : r.plural;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  const message = `${what} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${r.group}" ${scope}`;
  return new StatusError(status(403, 'Forbidden', message, detailsFor(r, name)));
}
