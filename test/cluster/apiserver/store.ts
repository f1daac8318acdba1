/**
 * In-memory object storage with one global resourceVersion counter, per-resource event history (the
 * "watch cache" whose window decides when a watch is too old) and a simulated etcd compaction point
 * (which decides when continue tokens and exact-version lists expire). Stored objects are never
 * mutated after being stored, so events and lists share them and their serialised JSON.
 */
import type { ResourceDef } from './resources.ts';
import { RESOURCES, resourceKey } from './resources.ts';
import type { Obj } from './serialize.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: EventType;
  def: ResourceDef;
  obj: Obj;
  /** Previous state for MODIFIED/DELETED, so selector-filtered watches can turn edits into ADDED/DELETED. */
  prev?: Obj;
  rv: number;
}
export type Listener = (ev: StoreEvent) => void;

const jsonCache = new WeakMap<Obj, string>();
const itemJsonCache = new WeakMap<Obj, string>();

/** Serialised form of a stored object (cached: stored objects are immutable). */
export function toJson(o: Obj): string {
  let s = jsonCache.get(o);
  if (s === undefined) { s = JSON.stringify(o); jsonCache.set(o, s); }
  return s;
}

/** Built-in list items carry no kind/apiVersion; CRD list items do. */
export function toItemJson(def: ResourceDef, o: Obj): string {
  if (def.crd) return toJson(o);
  let s = itemJsonCache.get(o);
  if (s === undefined) {
    const { kind: _k, apiVersion: _a, ...rest } = o;
    s = JSON.stringify(rest);
    itemJsonCache.set(o, s);
  }
  return s;
}

class Table {
  readonly byNs = new Map<string, Map<string, Obj>>();
  private sortedNs: string[] | null = null;
  private readonly sortedNames = new Map<string, string[]>();
  history: StoreEvent[] = [];
  /** Oldest resourceVersion a watch may start from without being "too old". */
  floorRv: number;
  /** resourceVersion of the newest event of this resource (what bookmarks carry). */
  lastRv: number;
  count = 0;
  constructor(readonly def: ResourceDef, rv: number) { this.floorRv = rv; this.lastRv = rv; }

  get(ns: string, name: string): Obj | undefined { return this.byNs.get(ns)?.get(name); }

  set(ns: string, name: string, o: Obj): void {
    let m = this.byNs.get(ns);
    if (!m) { m = new Map(); this.byNs.set(ns, m); this.sortedNs = null; }
    if (!m.has(name)) { this.sortedNames.delete(ns); this.count++; }
    m.set(name, o);
  }

  remove(ns: string, name: string): void {
    const m = this.byNs.get(ns);
    if (m?.delete(name)) {
      this.count--;
      this.sortedNames.delete(ns);
      if (m.size === 0) { this.byNs.delete(ns); this.sortedNs = null; }
    }
  }

  private names(ns: string): string[] {
    let s = this.sortedNames.get(ns);
    if (!s) {
      s = [...(this.byNs.get(ns)?.keys() ?? [])].sort();
      this.sortedNames.set(ns, s);
    }
    return s;
  }

  /** Objects ordered by namespace then name, like etcd key order. */
  *iterate(ns?: string): Generator<Obj> {
    const nss = ns !== undefined ? [ns] : (this.sortedNs ??= [...this.byNs.keys()].sort());
    for (const n of nss) {
      const m = this.byNs.get(n);
      if (!m) continue;
      for (const name of this.names(n)) {
        const o = m.get(name);
        if (o) yield o;
      }
    }
  }
}

export class Store {
  rv = 1;
  /** Simulated etcd compaction: continue tokens and Exact lists older than this answer 410. */
  compactedRv = 0;
  private readonly tables = new Map<string, Table>();
  private readonly listeners = new Set<Listener>();

  constructor(readonly watchCacheSize = 1000) {
    for (const r of RESOURCES) this.tables.set(resourceKey(r), new Table(r, this.rv));
  }

  table(def: ResourceDef): Table {
    const t = this.tables.get(resourceKey(def));
    if (!t) throw new Error(`unknown resource ${def.plural}`);
    return t;
  }

  nextRv(): number { return ++this.rv; }

  get(def: ResourceDef, ns: string, name: string): Obj | undefined { return this.table(def).get(ns, name); }

  list(def: ResourceDef, ns?: string): Generator<Obj> { return this.table(def).iterate(ns); }

  count(def: ResourceDef, ns?: string): number {
    const t = this.table(def);
    return ns === undefined ? t.count : (t.byNs.get(ns)?.size ?? 0);
  }

  /** Stores a new version; `obj.metadata.resourceVersion` must already be `String(rv)`. */
  put(def: ResourceDef, obj: Obj, rv: number, prev?: Obj): void {
    const t = this.table(def);
    t.set(obj.metadata.namespace ?? '', obj.metadata.name, obj);
    this.emit(t, { type: prev ? 'MODIFIED' : 'ADDED', def, obj, prev, rv });
  }

  /** Removes an object; the DELETED event carries its last state with the deletion's resourceVersion. */
  remove(def: ResourceDef, obj: Obj): Obj {
    const t = this.table(def);
    const rv = this.nextRv();
    const last = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    t.remove(obj.metadata.namespace ?? '', obj.metadata.name);
    this.emit(t, { type: 'DELETED', def, obj: last, prev: obj, rv });
    return last;
  }

  private emit(t: Table, ev: StoreEvent): void {
    t.lastRv = ev.rv;
    t.history.push(ev);
    if (t.history.length > this.watchCacheSize * 1.25) {
      const drop = t.history.length - this.watchCacheSize;
      t.history = t.history.slice(drop);
      t.floorRv = t.history[0]!.rv - 1;
    }
    for (const l of this.listeners) {
      try { l(ev); } catch (e) { console.error('simulator listener failed', e); }
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Test hook: drop every cached event, so watches from any earlier resourceVersion get 410. */
  evictWatchHistory(def?: ResourceDef): void {
    for (const t of this.tables.values()) {
      if (def && t.def !== def) continue;
      t.history = [];
      t.floorRv = this.rv;
    }
  }

  /** Test hook: like `etcdctl compact <current>`. */
  compact(): void { this.compactedRv = this.rv; }
}
