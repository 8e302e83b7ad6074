/**
 * The HTTP(S) server: binds 127.0.0.1 only, logs every request, applies latency, bearer-token auth,
 * an optional RBAC-like authorizer and injected faults, then routes to discovery or resource handlers.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ExtraGroup, aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION, wantsAggregated,
} from './discovery.js';
import { Faults, faultError, type RequestRecord } from './faults.js';
import { handleResource, type Ctx } from './handlers.js';
import type { Certificate } from './kubeconfig.js';
import { openapiV3Document, openapiV3Root } from './openapi.js';
import { parseRequestInfo, sendJson, sendStatus, type RequestInfo } from './request.js';
import { errors, forbidden, status, StatusError } from './status.js';

/** What an authorizer sees, like a SubjectAccessReview's resourceAttributes. */
export type AuthzAttributes = {
  user: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
};
export type Authorizer = (a: AuthzAttributes) => boolean;

export type HttpServerOptions = { token?: string; user: string; certificate?: Certificate };

export class ApiHttpServer {
  readonly requests: RequestRecord[] = [];
  readonly faults = new Faults();
  authorizer: Authorizer | undefined;
  private server: Server | undefined;
  private port = 0;

  /** Groups discovery lists besides the served ones (see discovery.ts ExtraGroup). */
  extraGroups: readonly ExtraGroup[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly opts: HttpServerOptions,
  ) {}

  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async listen(port: number): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const server = this.opts.certificate ? createHttpsServer({ ...this.opts.certificate }, handler) : createHttpServer(handler);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  /** Closes the listener and every connection (open watches are cut). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.ctx.watches.dropAll(true);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let info: RequestInfo | undefined;
    try {
      info = parseRequestInfo(req.method ?? 'GET', url);
    } catch {
      info = undefined;
    }
    const rec: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      watch: info?.watch ?? false,
      at: Date.now(),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(info ? { verb: info.verb, resource: info.plural, namespace: info.namespace, name: info.name, subresource: info.subresource } : {}),
    };
    this.requests.push(rec);
    const origWriteHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      rec.status = args[0] as number;
      return origWriteHead(...args);
    }) as typeof res.writeHead;
    try {
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
      if (this.opts.token && req.headers.authorization !== `Bearer ${this.opts.token}`) throw errors.unauthorized();
      const fault = this.faults.take(rec);
      if (fault) {
        const e = faultError(fault, info, this.opts.user);
        if (fault.asWatchEvent && info?.watch) {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
          res.end(`${JSON.stringify({ type: 'ERROR', object: e.status })}\n`);
          return;
        }
        throw e;
      }
      if (info) {
        if (info.resource && this.authorizer) {
          const attrs: AuthzAttributes = {
            user: this.opts.user, verb: info.verb, group: info.group, resource: info.plural,
            subresource: info.subresource, namespace: info.namespace, name: info.name,
          };
          if (!this.authorizer(attrs)) throw forbidden(this.opts.user, info.verb, info.resource, info.namespace, info.name, info.subresource);
        }
        await handleResource(this.ctx, req, res, url, info);
      } else this.discovery(req, res, url);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof StatusError) sendStatus(res, e.status);
      else sendStatus(res, status(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
    }
  }

  private discovery(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const seg = path.split('/').filter(Boolean);
    const aggregated = wantsAggregated(req.headers.accept);
    const send = (body: object | undefined) => {
      if (!body) throw errors.notFoundPath();
      sendJson(res, 200, body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowedPath();
    if (path === '/api' || path === '/apis') {
      if (aggregated) {
        sendJson(res, 200, aggregatedDiscovery(path === '/api', aggregated, this.extraGroups), {
          'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
          Vary: 'Accept',
        });
        return;
      }
      return send(path === '/api' ? apiVersions(`127.0.0.1:${this.port}`) : apiGroupList(this.extraGroups));
    }
    if (seg[0] === 'api' && seg.length === 2) return send(apiResourceList('', seg[1]!));
    if (seg[0] === 'apis' && seg.length === 2) return send(apiGroupDoc(seg[1]!, this.extraGroups));
    if (seg[0] === 'apis' && seg.length === 3) return send(apiResourceList(seg[1]!, seg[2]!, this.extraGroups));
    if (path === '/version') return send(SERVER_VERSION);
    if (path === '/openapi/v3') return send(openapiV3Root());
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(path);
      if (!doc) throw errors.notFoundPath();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc) });
      res.end(doc);
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (seg[0] === 'api' || seg[0] === 'apis' || seg[0] === 'openapi') throw errors.notFoundPath();
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }
}
