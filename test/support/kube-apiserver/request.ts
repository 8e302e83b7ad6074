/**
 * Request plumbing: the API server's RequestInfo (verb, resource, namespace, name, subresource from the
 * path), content negotiation (JSON, `as=Table`, `as=PartialObjectMetadata[List]`), body reading, replies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { ResourceDef } from './resources.js';
import { findResource } from './resources.js';
import { errors, StatusError, type Status } from './status.js';
import type { IncludeObject } from './table.js';

export type RequestInfo = {
  /** A path under /api/v1 or /apis/<group>/<version> naming a resource. */
  isResource: boolean;
  verb: string;
  group: string;
  version: string;
  /** The resource as named in the path (even when the server does not serve it). */
  plural: string;
  resource?: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
};

const truthy = (v: string | null) => v === 'true' || v === '1';

/** Like k8s.io/apiserver's RequestInfoFactory, for the paths this server knows. */
export function parseRequestInfo(method: string, url: URL): RequestInfo | undefined {
  const seg = url.pathname.split('/').filter(Boolean);
  let group: string, version: string | undefined, rest: string[];
  if (seg[0] === 'api') [group, version, rest] = ['', seg[1], seg.slice(2)];
  else if (seg[0] === 'apis') [group, version, rest] = [seg[1] ?? '', seg[2], seg.slice(3)];
  else return undefined;
  if (!version || rest.length === 0) return undefined;
  let watch = truthy(url.searchParams.get('watch'));
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || extra.length) return undefined;
  const m = method.toUpperCase();
  const verb =
    m === 'GET' || m === 'HEAD' ? (watch ? 'watch' : name ? 'get' : 'list')
    : m === 'POST' ? 'create'
    : m === 'PUT' ? 'update'
    : m === 'PATCH' ? 'patch'
    : m === 'DELETE' ? (name ? 'delete' : 'deletecollection')
    : m.toLowerCase();
  return {
    isResource: true, verb, group, version, plural,
    resource: findResource(group, version, plural),
    namespace, name, subresource, watch,
  };
}

export type Format = { kind: 'json' } | { kind: 'table'; version: string; include: IncludeObject } | { kind: 'partial' };

/** Picks the first media type in Accept that the server can produce, like the real negotiator. */
export function negotiate(accept: string | undefined, includeObject: string | null): Format {
  if (!accept || !accept.trim()) return { kind: 'json' };
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    const p = new Map(params.map((kv) => kv.split('=') as [string, string]));
    const as = p.get('as');
    if (!as) return { kind: 'json' };
    if (p.get('g') !== 'meta.k8s.io' || (p.get('v') !== 'v1' && p.get('v') !== 'v1beta1')) continue;
    if (as === 'Table') {
      const include = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
      return { kind: 'table', version: p.get('v')!, include };
    }
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial' };
  }
  throw errors.notAcceptable(accept);
}

export const MAX_BODY = 3 * 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new StatusError({ ...errors.badRequest('').status, code: 413, reason: 'RequestEntityTooLarge', message: `Request entity too large: limit is ${MAX_BODY}` });
    chunks.push(c as Buffer);
  }
  const body = Buffer.concat(chunks);
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type === 'application/vnd.kubernetes.protobuf') {
    // kubectl's typed clients (`kubectl create configmap|namespace|…`) send protobuf; this server only decodes JSON and YAML.
    throw new StatusError({
      ...errors.badRequest('').status,
      code: 415,
      reason: 'UnsupportedMediaType',
      message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (the test API server does not decode application/vnd.kubernetes.protobuf)',
    });
  }
  const text = body.toString('utf8');
  if (!text.trim()) throw errors.badRequest('the body of the request was empty');
  try {
    return type === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, s: Status): void {
  const headers: Record<string, string> = {};
  if (s.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(s.details.retryAfterSeconds);
  sendJson(res, s.code, s, headers);
}
