/**
 * Watches: a chunked 200 response of newline-delimited `{"type","object"}` events, as the real server
 * streams them. Replays history after the given resourceVersion (or synthetic ADDED for the current
 * state), answers a compacted resourceVersion with an `ERROR` event carrying a 410 Expired Status,
 * applies label/field selectors to events (objects moving in/out of the selection become ADDED/DELETED),
 * sends BOOKMARKs when asked, and ends the stream at timeoutSeconds.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject, ResourceDef } from './resources.js';
import { apiVersionOf } from './resources.js';
import type { Filter } from './selectors.js';
import { matches } from './selectors.js';
import { errors, status, type Status } from './status.js';
import type { Store, StoreEvent } from './store.js';
import type { IncludeObject } from './table.js';
import { toTable } from './table.js';

export type WatchRequest = {
  resource: ResourceDef;
  namespace?: string;
  filter: Filter;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  /** Set when the client asked for `as=Table`: event objects are one-row Tables. */
  table?: IncludeObject;
};

type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

export type ActiveWatch = { resource: string; namespace?: string; startedAt: number };

export class WatchHub {
  private readonly active = new Map<ServerResponse, { info: ActiveWatch; bookmark: () => void }>();

  constructor(
    private readonly store: Store,
    private readonly bookmarkIntervalMs: () => number,
  ) {}

  /** Watches currently streaming. */
  list(): ActiveWatch[] {
    return [...this.active.values()].map((w) => w.info);
  }

  /** Ends every open watch: cleanly (like a server-side timeout) or by destroying the connection. */
  dropAll(abrupt = false): number {
    const n = this.active.size;
    for (const res of [...this.active.keys()]) {
      if (abrupt) res.socket?.destroy();
      else res.end();
    }
    return n;
  }

  /** Sends a BOOKMARK now on every watch that allowed them. */
  sendBookmarks(): void {
    for (const w of this.active.values()) w.bookmark();
  }

  serve(res: ServerResponse, w: WatchRequest): void {
    const r = w.resource;
    const store = this.store;
    const rvParam = w.resourceVersion ?? '';
    let initial: KubeObject[] = [];
    let replay: StoreEvent[] = [];
    let failure: Status | undefined;
    if (rvParam === '' || rvParam === '0' || w.sendInitialEvents) {
      initial = store.list(r, w.namespace).filter((o) => matches(r, w.filter, o));
    } else {
      if (!/^\d+$/.test(rvParam)) throw errors.badRequest(`resourceVersion: Invalid value: "${rvParam}": strconv.ParseUint: parsing "${rvParam}": invalid syntax`);
      const rv = Number(rvParam);
      const events = store.eventsSince(rv);
      if (rv > store.resourceVersion) {
        failure = status(504, 'Timeout', `Too large resource version: ${rv}, current: ${store.resourceVersion}`, {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        });
      } else if (!events) {
        failure = status(410, 'Expired', `too old resource version: ${rv} (${store.compactedRevision + 1})`);
      } else replay = events;
    }

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let first = true;
    const write = (ev: WatchEvent) => {
      if (res.writableEnded || res.destroyed) return;
      if (w.table && ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
        ev = { ...ev, object: toTable(r, [ev.object as KubeObject], { resourceVersion: (ev.object as KubeObject).metadata.resourceVersion }, w.table, first) };
        first = false;
      }
      res.write(`${JSON.stringify(ev)}\n`);
    };
    if (failure) {
      write({ type: 'ERROR', object: failure });
      res.end();
      return;
    }

    const inScope = (o: KubeObject | undefined) =>
      o !== undefined && (!r.namespaced || w.namespace === undefined || o.metadata.namespace === w.namespace) && matches(r, w.filter, o);
    const onEvent = (e: StoreEvent) => {
      if (e.resource !== r) return;
      const now = e.type !== 'DELETED' && inScope(e.object);
      const before = e.type !== 'ADDED' && inScope(e.prev);
      if (now && before) write({ type: 'MODIFIED', object: e.object });
      else if (now) write({ type: 'ADDED', object: e.object });
      else if (before) {
        const obj = e.type === 'DELETED' ? e.object : { ...e.prev!, metadata: { ...e.prev!.metadata, resourceVersion: String(e.rv) } };
        write({ type: 'DELETED', object: obj });
      }
    };
    const bookmark = (extra?: Record<string, string>) => {
      if (!w.allowWatchBookmarks) return;
      write({
        type: 'BOOKMARK',
        object: {
          kind: r.kind,
          apiVersion: apiVersionOf(r),
          metadata: { resourceVersion: String(store.resourceVersion), creationTimestamp: null, ...(extra ? { annotations: extra } : {}) },
        },
      });
    };

    for (const o of initial) write({ type: 'ADDED', object: o });
    if (w.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
    for (const e of replay) onEvent(e);
    const unsubscribe = store.subscribe(onEvent);

    // Like the real server: no (or a zero) timeoutSeconds means its own default (minRequestTimeout, 1800 s).
    const seconds = w.timeoutSeconds !== undefined && Number.isFinite(w.timeoutSeconds) && w.timeoutSeconds > 0 ? w.timeoutSeconds : 1800;
    const timeoutMs = Math.min(seconds * 1000, 2 ** 31 - 1);
    const endTimer = setTimeout(() => {
      bookmark();
      res.end();
    }, timeoutMs);
    const interval = this.bookmarkIntervalMs();
    const bookmarkTimer = w.allowWatchBookmarks && interval > 0 ? setInterval(() => bookmark(), interval) : undefined;
    this.active.set(res, { info: { resource: r.plural, namespace: w.namespace, startedAt: Date.now() }, bookmark: () => bookmark() });
    const cleanup = () => {
      unsubscribe();
      clearTimeout(endTimer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      this.active.delete(res);
    };
    res.on('close', cleanup);
  }
}
