/**
 * The server's storage: objects per resource type, one global resourceVersion counter (like etcd's
 * revision), and a bounded history of change events used to replay watches, serve consistent
 * `continue` pages, and answer 410 Expired once a revision has been compacted away.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceDef } from './resources.js';
import { apiVersionOf, resourceKey } from './resources.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type StoreEvent = {
  rv: number;
  type: EventType;
  resource: ResourceDef;
  /** The object after the change (for DELETED: the last state, carrying the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  prev?: KubeObject;
};

export type StoreOptions = { historyLimit?: number; startResourceVersion?: number };

const objKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
export const keyOf = (o: KubeObject) => objKey(o.metadata.namespace, o.metadata.name ?? '');

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Stored objects are never mutated in place: every write stores a new object. */
export class Store {
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  /** Events from index `head` on are the history; the ones before it are compacted, dropped in batches (amortised O(1) per write). */
  private history: StoreEvent[] = [];
  private head = 0;
  private compacted = 0;
  private rv: number;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** Each resource's objects in key order, until its next write: a paged list of 100k pods sorts once, not per page. */
  private readonly sorted = new Map<string, KubeObject[]>();
  readonly historyLimit: number;
  /** Grows when the store is wiped (clear), which sends no events: whoever keeps state from events rebuilds it. */
  generation = 0;

  constructor(opts: StoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 1000;
    this.rv = opts.startResourceVersion ?? 1;
  }

  /** The latest revision handed out. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Every revision up to and including this one has left the history. */
  get compactedRevision(): number {
    return this.compacted;
  }

  private bucket(r: ResourceDef): Map<string, KubeObject> {
    let b = this.byResource.get(resourceKey(r));
    if (!b) this.byResource.set(resourceKey(r), (b = new Map()));
    return b;
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(r).get(objKey(r.namespaced ? namespace : undefined, name));
  }

  /** Objects in key order (namespace, then name), like etcd's range reads. */
  list(r: ResourceDef, namespace?: string): KubeObject[] {
    let all = this.sorted.get(resourceKey(r));
    if (!all) this.sorted.set(resourceKey(r), (all = sortedValues(this.bucket(r), undefined)));
    const ns = r.namespaced ? namespace : undefined;
    return ns === undefined ? [...all] : all.filter((o) => o.metadata.namespace === ns);
  }

  /** The list as it was at revision `rv`, rebuilt by undoing later events; undefined when compacted. */
  listAt(r: ResourceDef, namespace: string | undefined, rv: number): KubeObject[] | undefined {
    if (rv >= this.rv) return this.list(r, namespace);
    if (rv < this.compacted) return undefined;
    let changed = false;
    for (let i = this.history.length - 1; i >= this.head && this.history[i]!.rv > rv && !changed; i--) changed = this.history[i]!.resource === r;
    if (!changed) return this.list(r, namespace);
    const state = new Map(this.bucket(r));
    for (let i = this.history.length - 1; i >= this.head && this.history[i]!.rv > rv; i--) {
      const e = this.history[i]!;
      if (e.resource !== r) continue;
      if (e.type === 'ADDED') state.delete(keyOf(e.object));
      else state.set(keyOf(e.object), e.prev!);
    }
    return sortedValues(state, r.namespaced ? namespace : undefined);
  }

  /** Events after `rv`, or undefined when some of them were compacted away (the caller answers 410). */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    let lo = this.head;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Stores a new object: uid, creationTimestamp, resourceVersion and generation filled in. */
  create(r: ResourceDef, input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    const md = obj.metadata;
    if (!r.namespaced) delete md.namespace;
    md.uid = randomUUID();
    md.creationTimestamp = nowTimestamp();
    if (r.tracksGeneration) md.generation = 1;
    else delete md.generation;
    md.resourceVersion = String(++this.rv);
    this.bucket(r).set(keyOf(obj), obj);
    this.record({ rv: this.rv, type: 'ADDED', resource: r, object: obj });
    return obj;
  }

  /**
   * Replaces a stored object. Immutable metadata (uid, creationTimestamp) is kept; generation is bumped
   * when spec changed. A write that changes nothing returns the stored object without a new revision.
   */
  update(r: ResourceDef, input: KubeObject): KubeObject {
    const prev = this.get(r, input.metadata.namespace, input.metadata.name ?? '');
    if (!prev) throw new Error(`update of missing ${r.plural} ${keyOf(input)}`);
    const obj = structuredClone(input);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    const md = obj.metadata;
    if (!r.namespaced) delete md.namespace;
    md.uid = prev.metadata.uid;
    md.creationTimestamp = prev.metadata.creationTimestamp;
    md.resourceVersion = prev.metadata.resourceVersion;
    if (r.tracksGeneration) {
      const specChanged = JSON.stringify(obj.spec ?? null) !== JSON.stringify(prev.spec ?? null);
      md.generation = (prev.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    } else delete md.generation;
    if (JSON.stringify(obj) === JSON.stringify(prev)) return prev;
    md.resourceVersion = String(++this.rv);
    this.bucket(r).set(keyOf(obj), obj);
    this.record({ rv: this.rv, type: 'MODIFIED', resource: r, object: obj, prev });
    return obj;
  }

  delete(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const prev = this.get(r, namespace, name);
    if (!prev) return undefined;
    this.bucket(r).delete(keyOf(prev));
    const obj: KubeObject = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(++this.rv) } };
    this.record({ rv: this.rv, type: 'DELETED', resource: r, object: obj, prev });
    return obj;
  }

  private record(e: StoreEvent): void {
    this.sorted.delete(resourceKey(e.resource));
    this.history.push(e);
    if (this.history.length - this.head > this.historyLimit) {
      this.head = this.history.length - this.historyLimit;
      this.compacted = this.history[this.head - 1]!.rv;
      if (this.head >= this.historyLimit) {
        this.history = this.history.slice(this.head);
        this.head = 0;
      }
    }
    for (const l of [...this.listeners]) l(e);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets history up to `rv` (default: all of it), as etcd compaction does. */
  compact(rv = this.rv): void {
    this.compacted = Math.max(this.compacted, Math.min(rv, this.rv));
    this.history = this.history.slice(this.head).filter((e) => e.rv > this.compacted);
    this.head = 0;
  }

  /** Drops every object without events (a wiped etcd); the revision counter keeps counting. */
  clear(): void {
    this.byResource.clear();
    this.sorted.clear();
    this.generation++;
    this.rv++;
    this.compact();
  }
}

function sortedValues(m: Map<string, KubeObject>, namespace: string | undefined): KubeObject[] {
  const keys = [...m.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
  return keys.map((k) => m.get(k)!);
}
