/**
 * What kube-controller-manager does for deletion: the garbage collector (dependents of a deleted
 * owner are deleted in the background; `foregroundDeletion` waits for blocking dependents; `orphan`
 * strips the owner references) and the namespace controller (a Terminating namespace is emptied,
 * then removed). Both act after a configurable delay so the in-between states can be observed.
 */
import { findResource, RESOURCES, type ResourceDef } from './resources.ts';
import type { Registry } from './registry.ts';
import type { Obj } from './serialize.ts';
import type { Store, StoreEvent } from './store.ts';

const NS = findResource('', 'v1', 'namespaces')!;
const MANAGER = 'kube-controller-manager';

interface Ref { def: ResourceDef; ns: string; name: string }

export class Controllers {
  /** uid → where the object lives, for owner lookups. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → dependent uids. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pendingNs = new Set<string>();
  private unsubscribe: () => void;
  private stopped = false;

  constructor(private readonly store: Store, private readonly registry: Registry,
    private readonly gcDelayMs: number, private readonly nsDelayMs: number) {
    for (const def of RESOURCES) for (const o of store.list(def)) this.index(def, o);
    this.unsubscribe = store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => { this.timers.delete(t); if (!this.stopped) fn(); }, ms);
    this.timers.add(t);
  }

  private index(def: ResourceDef, o: Obj): void {
    const uid = o.metadata.uid;
    this.byUid.set(uid, { def, ns: o.metadata.namespace ?? '', name: o.metadata.name });
    for (const r of o.metadata.ownerReferences ?? []) {
      let s = this.dependents.get(r.uid);
      if (!s) { s = new Set(); this.dependents.set(r.uid, s); }
      s.add(uid);
    }
  }

  private unindex(o: Obj): void {
    this.byUid.delete(o.metadata.uid);
    for (const r of o.metadata.ownerReferences ?? []) {
      const s = this.dependents.get(r.uid);
      s?.delete(o.metadata.uid);
      if (s && s.size === 0) this.dependents.delete(r.uid);
    }
  }

  private lookup(uid: string): Obj | undefined {
    const r = this.byUid.get(uid);
    if (!r) return undefined;
    const o = this.store.get(r.def, r.ns, r.name);
    return o?.metadata.uid === uid ? o : undefined;
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.prev) this.unindex(ev.prev);
    if (ev.type !== 'DELETED') this.index(ev.def, ev.obj);
    const o = ev.obj;
    if (ev.type === 'DELETED') {
      const deps = this.dependents.get(o.metadata.uid);
      if (deps?.size) this.later(this.gcDelayMs, () => this.collectOrphansOf(o.metadata.uid));
      for (const r of o.metadata.ownerReferences ?? []) {
        const owner = this.lookup(r.uid);
        if (owner?.metadata.deletionTimestamp) this.later(this.gcDelayMs, () => this.progressDeletion(owner.metadata.uid));
      }
      if (ev.def === NS) return;
      if (o.metadata.namespace && this.pendingNs.has(o.metadata.namespace)) this.later(0, () => this.finishNamespace(o.metadata.namespace));
      return;
    }
    if (ev.def === NS && o.metadata.deletionTimestamp && !ev.prev?.metadata.deletionTimestamp) {
      this.later(this.nsDelayMs, () => this.emptyNamespace(o.metadata.name));
      return;
    }
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).some((f: string) => f === 'foregroundDeletion' || f === 'orphan')) {
      this.later(this.gcDelayMs, () => this.progressDeletion(o.metadata.uid));
    }
    if (ev.type === 'ADDED' && o.metadata.ownerReferences?.length) {
      this.later(this.gcDelayMs, () => this.checkDangling(o.metadata.uid));
    }
  }

  /** A dependent whose owners are all gone is deleted; a dangling reference among live owners is dropped. */
  private checkDangling(uid: string): void {
    const o = this.lookup(uid);
    if (!o || o.metadata.deletionTimestamp) return;
    const refs: Obj[] = o.metadata.ownerReferences ?? [];
    const alive = refs.filter((r) => this.lookup(r.uid));
    if (alive.length === refs.length) return;
    const ref = this.byUid.get(uid)!;
    if (alive.length === 0) {
      try { this.registry.delete(ref.def, ref.ns, ref.name, { propagationPolicy: 'Background' }); } catch { /* already gone */ }
    } else {
      this.registry.mutate(ref.def, o, (n) => { n.metadata.ownerReferences = alive; }, MANAGER);
    }
  }

  private collectOrphansOf(ownerUid: string): void {
    for (const dep of [...(this.dependents.get(ownerUid) ?? [])]) this.checkDangling(dep);
  }

  /** Owner in foreground deletion or with the orphan finalizer. */
  private progressDeletion(uid: string): void {
    const o = this.lookup(uid);
    if (!o || !o.metadata.deletionTimestamp) return;
    const ref = this.byUid.get(uid)!;
    const fins: string[] = o.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid) ?? [])].map((d) => this.lookup(d)).filter((d): d is Obj => !!d);
    if (fins.includes('orphan')) {
      for (const d of deps) {
        const dr = this.byUid.get(d.metadata.uid)!;
        this.registry.mutate(dr.def, d, (n) => {
          n.metadata.ownerReferences = (n.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid);
          if (n.metadata.ownerReferences.length === 0) delete n.metadata.ownerReferences;
        }, MANAGER);
      }
      this.registry.mutate(ref.def, o, (n) => { n.metadata.finalizers = n.metadata.finalizers.filter((f: string) => f !== 'orphan'); }, MANAGER);
      return;
    }
    if (!fins.includes('foregroundDeletion')) return;
    for (const d of deps) {
      if (d.metadata.deletionTimestamp) continue;
      const dr = this.byUid.get(d.metadata.uid)!;
      try { this.registry.delete(dr.def, dr.ns, dr.name, { propagationPolicy: 'Background' }); } catch { /* raced */ }
    }
    const blocking = [...(this.dependents.get(uid) ?? [])].map((d) => this.lookup(d))
      .filter((d) => d && (d.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === uid && r.blockOwnerDeletion));
    if (blocking.length === 0) {
      this.registry.mutate(ref.def, o, (n) => { n.metadata.finalizers = n.metadata.finalizers.filter((f: string) => f !== 'foregroundDeletion'); }, MANAGER);
    }
  }

  private emptyNamespace(ns: string): void {
    this.pendingNs.add(ns);
    for (const def of RESOURCES) {
      if (!def.namespaced) continue;
      for (const o of [...this.store.list(def, ns)]) {
        if (o.metadata.deletionTimestamp) continue;
        try { this.registry.delete(def, ns, o.metadata.name, { propagationPolicy: 'Background' }); } catch { /* raced */ }
      }
    }
    this.finishNamespace(ns);
    if (this.pendingNs.has(ns)) this.reportRemaining(ns);
  }

  /** What the namespace controller reports while content with finalizers keeps a namespace Terminating. */
  private reportRemaining(ns: string): void {
    const n = this.store.get(NS, '', ns);
    if (!n) return;
    const counts = new Map<string, number>();
    const fins = new Map<string, number>();
    for (const def of RESOURCES) {
      if (!def.namespaced) continue;
      for (const o of this.store.list(def, ns)) {
        const key = def.group ? `${def.plural}.${def.group}` : def.plural;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        for (const f of o.metadata.finalizers ?? []) fins.set(f, (fins.get(f) ?? 0) + 1);
      }
    }
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastTransitionTime: now, reason, message });
    const conditions = [
      cond('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
      cond('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
      cond('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
      cond('NamespaceContentRemaining', 'True', 'SomeResourcesRemain',
        `Some resources are remaining: ${[...counts].sort().map(([k, c]) => `${k} has ${c} resource instances`).join(', ')}`),
      cond('NamespaceFinalizersRemaining', fins.size ? 'True' : 'False', fins.size ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers',
        fins.size ? `Some content in the namespace has finalizers remaining: ${[...fins].sort().map(([f, c]) => `${f} in ${c} resource instances`).join(', ')}` : 'All content-preserving finalizers finished'),
    ];
    this.registry.mutate(NS, n, (o) => { o.status = { ...o.status, conditions }; }, MANAGER, 'status');
  }

  private finishNamespace(ns: string): void {
    if (!this.pendingNs.has(ns)) return;
    for (const def of RESOURCES) {
      if (!def.namespaced) continue;
      if (!this.store.list(def, ns).next().done) return;
    }
    this.pendingNs.delete(ns);
    const n = this.store.get(NS, '', ns);
    if (n?.metadata.deletionTimestamp) this.store.remove(NS, n);
  }
}
