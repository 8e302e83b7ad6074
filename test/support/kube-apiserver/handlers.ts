/**
 * The resource verbs: get, list (resourceVersion semantics, limit/continue chunking, selectors, Table),
 * watch (handed to WatchHub), create, update (409 on a stale resourceVersion), patch, delete and
 * deletecollection, with the status subresource, each answering like the real registry.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Allocator } from './defaults.js';
import { applyCreateDefaults, defaultNetworkPolicy, validateName } from './defaults.js';
import { applyPatch } from './patch.js';
import type { RequestInfo } from './request.js';
import { negotiate, readJsonBody, sendJson, type Format } from './request.js';
import type { KubeObject, ResourceDef } from './resources.js';
import { apiVersionOf, RESOURCES, resolveResource } from './resources.js';
import type { Filter } from './selectors.js';
import { matches, parseFilter } from './selectors.js';
import { errors, status, StatusError } from './status.js';
import type { Store } from './store.js';
import { keyOf, nowTimestamp } from './store.js';
import { toTable } from './table.js';
import type { WatchHub } from './watch.js';

export type Ctx = { store: Store; watches: WatchHub; alloc: Allocator };

const NAMESPACES = resolveResource('namespaces');
const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const flag = (v: string | null) => v === 'true' || v === '1';

const encodeContinue = (rv: number, start: string) =>
  Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad token');
    return { rv: t.rv, start: t.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function parseRv(s: string, what = 'resourceVersion'): number {
  if (!/^\d+$/.test(s)) throw errors.badRequest(`${what}: Invalid value: "${s}": strconv.ParseUint: parsing "${s}": invalid syntax`);
  return Number(s);
}

type Page = { items: KubeObject[]; meta: Record<string, unknown> };

function listPage(store: Store, r: ResourceDef, ns: string | undefined, f: Filter, q: URLSearchParams): Page {
  const limit = Math.max(0, Number(q.get('limit') ?? 0) || 0);
  const cont = q.get('continue') ?? '';
  const rvParam = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  let rv = store.resourceVersion;
  let start = '';
  let all: KubeObject[];
  if (cont) {
    if (rvParam) throw errors.badRequest('specifying resource version is not allowed when using continue');
    ({ rv, start } = decodeContinue(cont));
    const snapshot = store.listAt(r, ns, rv);
    if (!snapshot) {
      const e = errors.expired(CONTINUE_EXPIRED);
      (e.status.metadata as Record<string, unknown>) = { continue: encodeContinue(store.resourceVersion, start) };
      throw e;
    }
    all = snapshot;
  } else if (match === 'Exact') {
    if (!rvParam || rvParam === '0') throw errors.badRequest(`resourceVersionMatch "Exact" is forbidden for resourceVersion "${rvParam}"`);
    rv = parseRv(rvParam);
    const snapshot = store.listAt(r, ns, rv);
    if (!snapshot) throw errors.expired('The resourceVersion for the provided list is too old.');
    all = snapshot;
  } else {
    if (match && match !== 'NotOlderThan') throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`);
    if (match && !rvParam) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (rvParam && parseRv(rvParam) > store.resourceVersion) {
      throw new StatusError(status(504, 'Timeout', `Too large resource version: ${rvParam}, current: ${store.resourceVersion}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
      }));
    }
    all = store.list(r, ns);
  }
  const items: KubeObject[] = [];
  let remaining = 0;
  let i = start ? all.findIndex((o) => keyOf(o) >= start) : 0;
  if (i < 0) i = all.length;
  for (; i < all.length; i++) {
    if (limit && items.length === limit) { remaining = all.length - i; break; }
    if (matches(r, f, all[i]!)) items.push(all[i]!);
  }
  const meta: Record<string, unknown> = { resourceVersion: String(rv) };
  if (remaining > 0) {
    meta.continue = encodeContinue(rv, `${keyOf(items[items.length - 1]!)}\u0000`);
    if (f.labels.length === 0 && f.fields.length === 0) meta.remainingItemCount = remaining;
  }
  return { items, meta };
}

const partial = (o: KubeObject) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });

function stripTypeMeta(o: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest as KubeObject;
}

function render(r: ResourceDef, fmt: Format, items: KubeObject[], meta: Record<string, unknown>, single: boolean): unknown {
  if (fmt.kind === 'table') return { ...toTable(r, items, meta, fmt.include), apiVersion: `meta.k8s.io/${fmt.version}` };
  if (fmt.kind === 'partial') {
    return single ? partial(items[0]!) : { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items: items.map(partial) };
  }
  return single ? items[0] : { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: meta, items: items.map(stripTypeMeta) };
}

function mustGet(store: Store, r: ResourceDef, ns: string | undefined, name: string): KubeObject {
  const o = store.get(r, ns, name);
  if (!o) throw errors.notFound(r, name);
  return o;
}

function asObject(body: unknown, r: ResourceDef): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request must be a JSON object');
  const o = body as KubeObject;
  if (o.kind !== undefined && o.kind !== r.kind) {
    throw errors.badRequest(`${String(o.kind)} in version "${r.version}" cannot be handled as a ${r.kind}: the kind in the data (${String(o.kind)}) does not match the expected kind (${r.kind})`);
  }
  if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(r)) {
    throw errors.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(r)})`);
  }
  o.metadata = o.metadata && typeof o.metadata === 'object' ? o.metadata : {};
  return o;
}

function checkNamespace(o: KubeObject, info: RequestInfo): void {
  if (!info.resource!.namespaced) return;
  if (o.metadata.namespace && o.metadata.namespace !== info.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  o.metadata.namespace = info.namespace;
}

/** What a PUT/PATCH stores: the status subresource changes only status; the main resource keeps it. */
function compose(r: ResourceDef, existing: KubeObject, next: KubeObject, subresource?: string): KubeObject {
  if (subresource === 'status') return { ...existing, status: next.status };
  const out: KubeObject = { ...next, metadata: { ...next.metadata, name: existing.metadata.name, namespace: existing.metadata.namespace } };
  if (r.hasStatus) {
    if (existing.status === undefined) delete out.status;
    else out.status = existing.status;
  }
  if (r.kind === 'Namespace') out.metadata.labels = { ...out.metadata.labels, 'kubernetes.io/metadata.name': existing.metadata.name! };
  if (r.kind === 'NetworkPolicy') defaultNetworkPolicy(out);
  return out;
}

function create(ctx: Ctx, r: ResourceDef, o: KubeObject, dryRun: boolean): KubeObject {
  if (o.metadata.resourceVersion) throw errors.internal('resourceVersion should not be set on objects to be created');
  if (r.namespaced && !ctx.store.get(NAMESPACES, undefined, o.metadata.namespace!)) throw errors.notFound(NAMESPACES, o.metadata.namespace!);
  validateName(r, o);
  if (ctx.store.get(r, o.metadata.namespace, o.metadata.name!)) throw errors.alreadyExists(r, o.metadata.name!);
  // The real create strategies reset status for these kinds; only the status subresource sets it.
  if (r.kind === 'Pod' || r.kind === 'Service' || r.kind === 'Namespace') delete o.status;
  delete o.metadata.deletionTimestamp;
  applyCreateDefaults(r, o, ctx.alloc);
  if (dryRun) return { ...o, metadata: { ...o.metadata, creationTimestamp: nowTimestamp() } };
  return ctx.store.create(r, o);
}

function remove(ctx: Ctx, r: ResourceDef, target: KubeObject, dryRun: boolean): KubeObject {
  if (dryRun) return target;
  if (r.kind === 'Namespace') {
    const ns = target.metadata.name!;
    for (const res of RESOURCES.filter((x) => x.namespaced)) {
      for (const o of ctx.store.list(res, ns)) ctx.store.delete(res, ns, o.metadata.name!);
    }
  }
  return ctx.store.delete(r, target.metadata.namespace, target.metadata.name!)!;
}

export async function handleResource(ctx: Ctx, req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo): Promise<void> {
  const r = info.resource;
  const q = url.searchParams;
  if (!r || (!r.namespaced && info.namespace !== undefined)) throw errors.notFoundPath();
  if (info.subresource !== undefined && (info.subresource !== 'status' || !r.hasStatus)) throw errors.notFoundPath();
  if (info.subresource && !['get', 'update', 'patch'].includes(info.verb)) throw errors.methodNotAllowed(info.verb, r);
  const ns = info.namespace;
  const dryRun = q.getAll('dryRun').includes('All');
  const accept = req.headers.accept;
  const { store } = ctx;
  switch (info.verb) {
    case 'watch':
    case 'list': {
      const extra = info.name ? `metadata.name=${info.name}` : '';
      const fs = [q.get('fieldSelector') ?? '', extra].filter(Boolean).join(',');
      const filter = parseFilter(r, q.get('labelSelector') ?? undefined, fs || undefined);
      const fmt = negotiate(accept, q.get('includeObject'));
      if (info.verb === 'watch') {
        const timeout = q.get('timeoutSeconds');
        return ctx.watches.serve(res, {
          resource: r, namespace: ns, filter, resourceVersion: q.get('resourceVersion') ?? undefined,
          allowWatchBookmarks: flag(q.get('allowWatchBookmarks')), sendInitialEvents: flag(q.get('sendInitialEvents')),
          timeoutSeconds: timeout ? Number(timeout) : undefined, table: fmt.kind === 'table' ? fmt.include : undefined,
        });
      }
      const page = listPage(store, r, ns, filter, q);
      return sendJson(res, 200, render(r, fmt, page.items, page.meta, false));
    }
    case 'get': {
      const o = mustGet(store, r, ns, info.name!);
      return sendJson(res, 200, render(r, negotiate(accept, q.get('includeObject')), [o], { resourceVersion: o.metadata.resourceVersion }, true));
    }
    case 'create': {
      if (r.namespaced && ns === undefined) throw errors.methodNotAllowed('create', r);
      const o = asObject(await readJsonBody(req), r);
      checkNamespace(o, info);
      return sendJson(res, 201, create(ctx, r, o, dryRun));
    }
    case 'update':
    case 'patch': {
      const name = info.name!;
      const existing = store.get(r, ns, name);
      let next: KubeObject;
      if (info.verb === 'update') {
        next = asObject(await readJsonBody(req), r);
        if (next.metadata.name !== name) throw errors.badRequest(`the name of the object (${next.metadata.name ?? ''}) does not match the name on the URL (${name})`);
        checkNamespace(next, info);
        if (!existing) {
          if (!r.allowCreateOnUpdate || info.subresource) throw errors.notFound(r, name);
          return sendJson(res, 201, create(ctx, r, next, dryRun));
        }
      } else {
        if (!existing) throw errors.notFound(r, name);
        const body = await readJsonBody(req);
        next = asObject(applyPatch(structuredClone(existing), body, req.headers['content-type'] ?? ''), r);
      }
      const rv = next.metadata.resourceVersion;
      if (rv && rv !== existing.metadata.resourceVersion) throw errors.conflict(r, name);
      const composed = compose(r, existing, next, info.subresource);
      if (dryRun) return sendJson(res, 200, composed);
      return sendJson(res, 200, store.update(r, composed));
    }
    case 'delete': {
      const target = mustGet(store, r, ns, info.name!);
      const opts = (await readOptionalBody(req)) as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined;
      const pre = opts?.preconditions;
      if (pre?.uid && pre.uid !== target.metadata.uid) {
        throw errors.conflict(r, info.name!, `the UID in the precondition (${pre.uid}) does not match the UID in record (${target.metadata.uid}). The object might have been deleted and then recreated`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== target.metadata.resourceVersion) {
        throw errors.conflict(r, info.name!, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${target.metadata.resourceVersion}). The object might have been modified`);
      }
      return sendJson(res, 200, deleteResponse(r, remove(ctx, r, target, dryRun)));
    }
    case 'deletecollection': {
      if (r.kind === 'Namespace' || r.kind === 'Node') throw errors.methodNotAllowed('deletecollection', r);
      const filter = parseFilter(r, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
      const gone = store.list(r, ns).filter((o) => matches(r, filter, o)).map((o) => remove(ctx, r, o, dryRun));
      return sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(store.resourceVersion) }, items: gone.map(stripTypeMeta) });
    }
    default:
      throw errors.methodNotAllowed(info.verb, r);
  }
}

/**
 * What DELETE answers: pods and services return the deleted object; a namespace returns itself as the
 * namespace controller first sees it (Terminating; here it is gone at once); the rest a Success Status.
 */
function deleteResponse(r: ResourceDef, o: KubeObject): unknown {
  if (r.returnDeletedObject) return o;
  if (r.kind === 'Namespace') {
    return { ...o, metadata: { ...o.metadata, deletionTimestamp: nowTimestamp() }, status: { ...(o.status as object), phase: 'Terminating' } };
  }
  const details = { name: o.metadata.name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: o.metadata.uid };
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

async function readOptionalBody(req: IncomingMessage): Promise<unknown> {
  const len = req.headers['content-length'];
  if (len === '0' || (len === undefined && !req.headers['transfer-encoding'])) {
    req.resume();
    return undefined;
  }
  try {
    return await readJsonBody(req);
  } catch (e) {
    if (e instanceof StatusError && e.status.message === 'the body of the request was empty') return undefined;
    throw e;
  }
}
