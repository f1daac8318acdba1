/**
 * The RBAC authorizer: decides a request from the ClusterRoles, ClusterRoleBindings, Roles and
 * RoleBindings in the store, with the matching rules of Kubernetes' RBAC (`*` in apiGroups,
 * resources, verbs; `resourceNames` only narrowing named requests; `nonResourceURLs` with a
 * trailing `*` as prefix). `system:masters` is allowed everything, as the real server does before
 * RBAC is consulted. Decisions are cached per (user, groups, attributes) and the cache is dropped
 * whenever an RBAC object changes, because the simulator is used in benchmarks.
 */
import type { Obj } from './serialize.ts';
import type { Store } from './store.ts';
import { findResource } from './resources.ts';

export interface Identity { user: string; groups: string[]; uid?: string; extra?: Record<string, string[]> }

export type Attributes =
  | { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }
  | { verb: string; path: string };

export interface Decision { allowed: boolean; reason: string }

interface Rule { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] }

const RBAC = 'rbac.authorization.k8s.io';
const defs = {
  clusterroles: findResource(RBAC, 'v1', 'clusterroles')!,
  clusterrolebindings: findResource(RBAC, 'v1', 'clusterrolebindings')!,
  roles: findResource(RBAC, 'v1', 'roles')!,
  rolebindings: findResource(RBAC, 'v1', 'rolebindings')!,
};

/** The default roles every cluster has that keep discovery open to authenticated users. */
export const DEFAULT_RBAC: { clusterRoles: Obj[]; clusterRoleBindings: Obj[] } = {
  clusterRoles: [
    { metadata: { name: 'cluster-admin', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] },
    { metadata: { name: 'system:discovery', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
      rules: [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }] },
    { metadata: { name: 'system:public-info-viewer', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
      rules: [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }] },
    { metadata: { name: 'system:basic-user', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
      rules: [{ apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] }] },
  ],
  clusterRoleBindings: [
    { metadata: { name: 'cluster-admin' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:masters' }] },
    { metadata: { name: 'system:discovery' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:discovery' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }] },
    { metadata: { name: 'system:public-info-viewer' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:public-info-viewer' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }, { apiGroup: RBAC, kind: 'Group', name: 'system:unauthenticated' }] },
    { metadata: { name: 'system:basic-user' }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'system:basic-user' },
      subjects: [{ apiGroup: RBAC, kind: 'Group', name: 'system:authenticated' }] },
  ],
};

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function ruleAllows(r: Rule, a: Attributes): boolean {
  if (!has(r.verbs, a.verb)) return false;
  if ('path' in a) {
    return (r.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(r.apiGroups, a.group)) return false;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resOk = (r.resources ?? []).some((x) => x === '*' || x === res || (a.subresource && x === `*/${a.subresource}`));
  if (!resOk) return false;
  if (r.resourceNames && r.resourceNames.length) return a.name !== undefined && r.resourceNames.includes(a.name);
  return true;
}

interface Subject { kind: string; name: string; namespace?: string }

function subjectMatches(s: Subject, id: Identity, bindingNs: string): boolean {
  if (s.kind === 'User') return s.name === id.user;
  if (s.kind === 'Group') return id.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return id.user === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`;
  return false;
}

function describeSubject(s: Subject, bindingNs: string): string {
  // Worded like the RBAC authorizer's allow reason: ServiceAccount "name/namespace".
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace ?? bindingNs}"`;
  return `${s.kind} "${s.name}"`;
}

export class Authorizer {
  private cache = new Map<string, Decision>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: Store) {
    const rbacDefs = new Set(Object.values(defs));
    this.unsubscribe = store.subscribe((ev) => { if (rbacDefs.has(ev.def)) this.cache.clear(); });
  }

  close(): void { this.unsubscribe(); }

  authorize(id: Identity, a: Attributes): Decision {
    if (id.groups.includes('system:masters')) return { allowed: true, reason: '' };
    const key = JSON.stringify([id.user, id.groups, a]);
    let d = this.cache.get(key);
    if (!d) { d = this.evaluate(id, a); this.cache.set(key, d); }
    return d;
  }

  private rulesOf(kind: string, name: string, ns: string): Rule[] {
    const def = kind === 'ClusterRole' ? defs.clusterroles : defs.roles;
    const o = this.store.table(def).get(kind === 'ClusterRole' ? '' : ns, name);
    return ((o?.rules as Rule[] | undefined) ?? []);
  }

  private evaluate(id: Identity, a: Attributes): Decision {
    for (const b of this.store.table(defs.clusterrolebindings).iterate()) {
      const d = this.tryBinding(b, '', id, a, 'ClusterRoleBinding');
      if (d) return d;
    }
    const ns = 'path' in a ? undefined : a.namespace;
    if (ns) {
      for (const b of this.store.table(defs.rolebindings).iterate(ns)) {
        const d = this.tryBinding(b, ns, id, a, 'RoleBinding');
        if (d) return d;
      }
    }
    return { allowed: false, reason: '' };
  }

  private tryBinding(b: Obj, ns: string, id: Identity, a: Attributes, bindingKind: string): Decision | undefined {
    const subjects = (b.subjects as Subject[] | undefined) ?? [];
    const s = subjects.find((x) => subjectMatches(x, id, ns));
    if (!s) return undefined;
    const ref = b.roleRef as { kind: string; name: string } | undefined;
    if (!ref) return undefined;
    if (!this.rulesOf(ref.kind, ref.name, ns).some((r) => ruleAllows(r, a))) return undefined;
    const name = (b.metadata as { name: string }).name;
    const where = bindingKind === 'RoleBinding' ? `RoleBinding "${name}/${ns}"` : `ClusterRoleBinding "${name}"`;
    return { allowed: true, reason: `RBAC: allowed by ${where} of ${ref.kind} "${ref.name}" to ${describeSubject(s, ns)}` };
  }
}
