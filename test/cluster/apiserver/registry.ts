/**
 * REST semantics of create, update, patch and delete on top of the store: defaulting per kind,
 * immutable and server-owned metadata, optimistic concurrency, generation, status subresource
 * separation, finalizers and deletionTimestamp, namespace admission (missing / Terminating) and
 * quota admission on object counts. GC and the namespace controller call the same functions.
 */
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { ApiError, errors, failure, successStatus, type Status } from './errors.ts';
import { apply, applyCreateFields, recordUpdate } from './fields.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { apiVersionOf, findResource, type ResourceDef } from './resources.ts';
import { canonical, clone, deepEqual, nowTime, type Obj } from './serialize.ts';
import type { Store } from './store.ts';
import { kindName, validateObject } from './validation.ts';

/** Who writes: the field manager name, and whether the call is a dry run (nothing is stored). */
export interface Caller {
  manager: string;
  dryRun?: boolean;
  /** The request's `fieldValidation` (Strict, Warn, Ignore); unset means Warn. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Filled with the warnings the answer must carry (`Warning` headers), when given. */
  warnings?: string[];
}

const NS_DEF = findResource('', 'v1', 'namespaces')!;
const GEN_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += GEN_CHARS[Math.floor(Math.random() * GEN_CHARS.length)];
  return s;
}

const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Everything outside metadata and status: what bumps generation. */
function specPart(def: ResourceDef, o: Obj): Obj {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return def.crd ? rest : { spec: o.spec };
}

function b64(s: string): string { return Buffer.from(s, 'utf8').toString('base64'); }

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

/**
 * A JSON number sent for a `resource.Quantity`, as the server answers it: Quantity's UnmarshalJSON
 * parses the number's text as a decimal quantity (more precise than nano rounds away from zero) and
 * it marshals in canonical form, the exponent a multiple of 3 with its SI suffix (10 → "10",
 * 1000 → "1k", 0.5 → "500m", 1.5 → "1500m"). Strings are kept as sent.
 */
export function quantityFromNumber(n: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(n));
  if (!m) return String(n);
  const [, sign, int, frac = '', exp = '0'] = m;
  let mantissa = BigInt(int! + frac);
  let exponent = Number(exp) - frac.length;
  if (exponent < -9) {
    const f = 10n ** BigInt(-9 - exponent);
    mantissa = (mantissa + f - 1n) / f;
    exponent = -9;
  }
  if (mantissa === 0n) return '0';
  while (mantissa % 10n === 0n) { mantissa /= 10n; exponent++; }
  while (((exponent % 3) + 3) % 3 !== 0 || exponent > 18) { mantissa *= 10n; exponent--; }
  return `${sign}${mantissa}${DECIMAL_SUFFIX[exponent]}`;
}

/** A `map[string]Quantity` with its numbers as the server answers them (a copy when one changes). */
function quantityMap(m: unknown): unknown {
  if (!isMap(m) || !Object.values(m).some((v) => typeof v === 'number')) return m;
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? quantityFromNumber(v) : v]));
}

/**
 * Numbers in the Quantity fields of the built-in kinds served here (ResourceQuota hard/used,
 * LimitRange limits and requests) become the strings a real server stores and answers. Maps are
 * replaced, not changed, so the caller's object is left as it was. Custom resources keep their JSON
 * as sent, numbers included, as on a real server (`x-kubernetes-int-or-string` fields stay numbers).
 */
function normaliseQuantities(def: ResourceDef, o: Obj): void {
  if (def.crd) return;
  if (def.kind === 'ResourceQuota') {
    if (isMap(o.spec) && 'hard' in o.spec) o.spec = { ...o.spec, hard: quantityMap(o.spec.hard) };
    if (isMap(o.status)) {
      const status: Obj = { ...o.status };
      for (const k of ['hard', 'used']) if (k in status) status[k] = quantityMap(status[k]);
      o.status = status;
    }
  } else if (def.kind === 'LimitRange' && isMap(o.spec) && Array.isArray(o.spec.limits)) {
    const keys = ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'];
    o.spec = {
      ...o.spec,
      limits: o.spec.limits.map((l: unknown) => {
        if (!isMap(l)) return l;
        const item: Obj = { ...l };
        for (const k of keys) if (k in item) item[k] = quantityMap(item[k]);
        return item;
      }),
    };
  }
}

export class Registry {
  /** Hook for quota admission: throws to refuse a create. */
  admitCreate: (def: ResourceDef, obj: Obj) => void = () => {};
  /** Called before an update/patch of the main resource (not a subresource) is stored; throws to refuse. */
  admitUpdate: (def: ResourceDef, prev: Obj, next: Obj) => void = () => {};
  /** Hook for decoding-time field handling (CRD pruning): may change `obj`, throw, or add warnings. */
  admitFields: (def: ResourceDef, obj: Obj, caller: Caller) => void = () => {};

  constructor(readonly store: Store) {}

  get(def: ResourceDef, ns: string, name: string): Obj {
    const o = this.store.get(def, ns, name);
    if (!o) throw errors.notFound(def, name);
    return o;
  }

  private checkBody(def: ResourceDef, body: unknown): Obj {
    if (!isMap(body)) throw errors.badRequest('the object provided is not a JSON object');
    const want = apiVersionOf(def);
    if (body.apiVersion !== undefined && body.apiVersion !== want) {
      throw errors.badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${want})`);
    }
    if (body.kind !== undefined && body.kind !== def.kind) {
      throw errors.badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${def.kind})`);
    }
    return body;
  }

  private checkNamespace(def: ResourceDef, ns: string, name: string): void {
    if (!def.namespaced) return;
    const n = this.store.get(NS_DEF, '', ns);
    if (!n) throw errors.notFound(NS_DEF, ns);
    if (n.metadata.deletionTimestamp) throw errors.namespaceTerminating(def, name, ns);
  }

  /** Kind-specific defaulting a real server's strategies apply on create and update. */
  private defaults(def: ResourceDef, o: Obj, prev?: Obj): void {
    switch (def.kind) {
      case 'Namespace':
        o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
        o.spec = prev ? prev.spec : { finalizers: ['kubernetes'] };
        if (!prev) o.status = { phase: 'Active' };
        break;
      case 'Secret': {
        if (isMap(o.stringData)) {
          const data = { ...(o.data ?? {}) };
          for (const [k, v] of Object.entries(o.stringData)) data[k] = b64(String(v));
          o.data = data;
        }
        delete o.stringData;
        o.type ??= 'Opaque';
        break;
      }
      case 'ResourceQuota':
        if (!prev) o.status = {};
        break;
    }
  }

  create(def: ResourceDef, ns: string, raw: unknown, caller: Caller, fields?: Obj[]): Obj {
    const body = this.checkBody(def, raw);
    const meta: Obj = isMap(body.metadata) ? { ...body.metadata } : {};
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns;
    } else delete meta.namespace;
    if (!meta.name) {
      if (meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
      else {
        throw errors.invalid(kindName(def), '', def.group, def.kind,
          [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
      }
    }
    const name: string = meta.name;
    this.checkNamespace(def, ns, name);
    // `canonical` copies every map and list, so the caller's body is never shared with the store.
    const obj: Obj = { ...body, apiVersion: apiVersionOf(def), kind: def.kind };
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'managedFields', 'selfLink']) delete meta[k];
    obj.metadata = meta;
    if (def.statusSubresource && def.crd) delete obj.status;
    this.admitFields(def, obj, caller);
    normaliseQuantities(def, obj);
    this.defaults(def, obj);
    validateObject(def, obj, { checkName: true });
    if (this.store.get(def, ns, name)) throw errors.alreadyExists(def, name);
    this.admitCreate(def, obj);
    const rv = caller.dryRun ? this.store.rv : this.store.nextRv();
    meta.uid = randomUUID();
    meta.resourceVersion = String(rv);
    meta.creationTimestamp = nowTime();
    if (def.generation) meta.generation = 1;
    meta.managedFields = fields ?? recordUpdate(undefined, obj, { manager: caller.manager, apiVersion: apiVersionOf(def) });
    const stored = canonical(def, obj);
    if (!caller.dryRun) this.store.put(def, stored, rv);
    return stored;
  }

  /**
   * Stores `next` as the new state of `prev` (already checked for existence and preconditions).
   * Returns the stored object; an update that changes nothing returns `prev` and bumps nothing.
   */
  commit(def: ResourceDef, prev: Obj, next: Obj, caller: Caller, subresource?: string, fields?: Obj[]): Obj {
    if (subresource === undefined) this.admitUpdate(def, prev, next);
    next.apiVersion = apiVersionOf(def);
    next.kind = def.kind;
    const meta: Obj = { ...next.metadata };
    for (const k of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'generateName']) {
      if (prev.metadata[k] === undefined) delete meta[k]; else meta[k] = prev.metadata[k];
    }
    if (prev.metadata.generateName === undefined && next.metadata.generateName !== undefined) meta.generateName = next.metadata.generateName;
    next.metadata = meta;
    if (subresource === 'status') {
      next = { ...prev, status: next.status, metadata: { ...prev.metadata } };
      if (next.status === undefined) delete next.status;
    } else if (def.statusSubresource) {
      if (prev.status === undefined) delete next.status; else next.status = prev.status;
    }
    this.admitFields(def, next, caller);
    normaliseQuantities(def, next);
    this.defaults(def, next, prev);
    validateObject(def, next, { checkName: false });
    if (def.generation && subresource !== 'status' && !deepEqual(specPart(def, prev), specPart(def, next))) {
      next.metadata.generation = (prev.metadata.generation ?? 0) + 1;
    }
    const strip = (o: Obj) => ({ ...o, metadata: { ...o.metadata, managedFields: undefined, resourceVersion: undefined } });
    if (deepEqual(JSON.parse(JSON.stringify(strip(prev))), JSON.parse(JSON.stringify(strip(next))))) return prev;
    next.metadata.managedFields = fields ?? recordUpdate(prev, next, { manager: caller.manager, apiVersion: apiVersionOf(def), subresource });
    if (next.metadata.managedFields.length === 0) delete next.metadata.managedFields;
    if (caller.dryRun) return canonical(def, next);
    // Namespaces go away through the namespace controller (spec.finalizers), not here.
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length) && def.kind !== 'Namespace') {
      // Removing the last finalizer of an object being deleted deletes it; the answer is the
      // updated object at its previous resourceVersion, as a real server answers.
      const answer = canonical(def, { ...next, metadata: { ...next.metadata, resourceVersion: prev.metadata.resourceVersion } });
      if (Array.isArray(answer.metadata.finalizers)) delete answer.metadata.finalizers;
      this.store.remove(def, prev);
      return answer;
    }
    const rv = this.store.nextRv();
    next.metadata.resourceVersion = String(rv);
    const stored = canonical(def, next);
    this.store.put(def, stored, rv, prev);
    return stored;
  }

  update(def: ResourceDef, ns: string, name: string, raw: unknown, caller: Caller, subresource?: string): Obj {
    const body = this.checkBody(def, raw);
    const prev = this.get(def, ns, name);
    const meta = isMap(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw errors.badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const rv = meta.resourceVersion;
    if (rv === undefined || rv === '') {
      if (def.crd) {
        throw new ApiError(failure(422, 'Invalid', `${def.plural}.${def.group} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
          { name, group: def.group, kind: def.plural, causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }] }));
      }
    } else if (String(rv) !== prev.metadata.resourceVersion) {
      throw errors.conflict(def, name);
    }
    const next = clone(body);
    next.metadata = { ...meta, name, ...(def.namespaced ? { namespace: ns } : {}) };
    return this.commit(def, prev, next, caller, subresource);
  }

  patch(def: ResourceDef, ns: string, name: string, contentType: string, rawBody: string, query: URLSearchParams, caller: Caller, subresource?: string): { obj: Obj; created: boolean } {
    const type = contentType.split(';')[0]!.trim();
    if (type === 'application/apply-patch+yaml') return this.applyPatch(def, ns, name, rawBody, query, caller, subresource);
    let patchBody: unknown;
    try { patchBody = JSON.parse(rawBody); } catch (e) {
      throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    const prev = this.get(def, ns, name);
    let next: unknown;
    switch (type) {
      case 'application/merge-patch+json': next = mergePatch(prev, patchBody); break;
      case 'application/json-patch+json': next = jsonPatch(prev, patchBody); break;
      case 'application/strategic-merge-patch+json':
        if (def.crd) throw errors.unsupportedMediaType();
        next = strategicMergePatch(prev, patchBody);
        break;
      default: throw errors.unsupportedMediaType();
    }
    if (!isMap(next)) throw errors.badRequest('patched object is not a JSON object');
    const n = next as Obj;
    n.metadata = isMap(n.metadata) ? n.metadata : {};
    if (n.metadata.resourceVersion !== undefined && String(n.metadata.resourceVersion) !== prev.metadata.resourceVersion) {
      throw errors.conflict(def, name);
    }
    if (n.metadata.name !== name) throw errors.badRequest(`the name of the object (${String(n.metadata.name)}) does not match the name on the URL (${name})`);
    return { obj: this.commit(def, prev, n, caller, subresource), created: false };
  }

  private applyPatch(def: ResourceDef, ns: string, name: string, rawBody: string, query: URLSearchParams, caller: Caller, subresource?: string): { obj: Obj; created: boolean } {
    const manager = query.get('fieldManager');
    if (!manager) {
      throw new ApiError(failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] }));
    }
    let applied: unknown;
    try { applied = YAML.parse(rawBody); } catch (e) { throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`); }
    const body = this.checkBody(def, applied);
    if (!body.apiVersion || !body.kind) throw errors.badRequest('apiVersion and kind must be set for an apply patch');
    const meta = isMap(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw errors.badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    const force = query.get('force') === 'true';
    const prev = this.store.get(def, ns, name);
    const av = apiVersionOf(def);
    if (!prev) {
      const obj = clone(body);
      obj.metadata = { ...meta, name };
      return { obj: this.create(def, ns, obj, caller, applyCreateFields(obj, manager, av)), created: true };
    }
    if (meta.resourceVersion !== undefined && String(meta.resourceVersion) !== prev.metadata.resourceVersion) throw errors.conflict(def, name);
    const target = subresource === 'status' ? { ...prev } : prev;
    const next = apply(target, { ...body, metadata: { ...meta, name } }, manager, av, force);
    if (next === target) return { obj: prev, created: false };
    return { obj: this.commit(def, prev, clone(next), caller, subresource, next.metadata.managedFields), created: false };
  }

  /**
   * DELETE. Returns the object (when the deletion is deferred by finalizers, or for namespaces) or a
   * Success Status (when it is gone at once), as a real server answers.
   */
  delete(def: ResourceDef, ns: string, name: string, opts: Obj): { body: Obj | Status; immediate: boolean } {
    const prev = this.get(def, ns, name);
    const pre = isMap(opts.preconditions) ? opts.preconditions : {};
    if (pre.uid && pre.uid !== prev.metadata.uid) {
      throw errors.conflict(def, name, `Precondition failed: UID in precondition: ${String(pre.uid)}, UID in object meta: ${String(prev.metadata.uid)}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== prev.metadata.resourceVersion) {
      throw errors.conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${String(pre.resourceVersion)}, ResourceVersion in object meta: ${String(prev.metadata.resourceVersion)}`);
    }
    if (prev.metadata.deletionTimestamp) return { body: prev, immediate: false };
    if (opts.dryRun === 'All' || (Array.isArray(opts.dryRun) && opts.dryRun.includes('All'))) {
      return { body: def.kind === 'Namespace' || prev.metadata.finalizers?.length ? prev : successStatus(def, name, prev.metadata.uid), immediate: false };
    }
    const now = nowTime();
    if (def.kind === 'Namespace') {
      const next = clone(prev);
      next.metadata.deletionTimestamp = now;
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      const rv = this.store.nextRv();
      next.metadata.resourceVersion = String(rv);
      const stored = canonical(def, next);
      this.store.put(def, stored, rv, prev);
      return { body: stored, immediate: false };
    }
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : 'Background');
    const finalizers: string[] = [...(prev.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length === 0) {
      this.store.remove(def, prev);
      return { body: successStatus(def, name, prev.metadata.uid), immediate: true };
    }
    const next = clone(prev);
    next.metadata.deletionTimestamp = now;
    next.metadata.deletionGracePeriodSeconds = 0;
    next.metadata.finalizers = finalizers;
    if (next.metadata.generation !== undefined) next.metadata.generation++;
    const rv = this.store.nextRv();
    next.metadata.resourceVersion = String(rv);
    const stored = canonical(def, next);
    this.store.put(def, stored, rv, prev);
    return { body: stored, immediate: false };
  }

  /** Internal update used by controllers inside the simulator (GC, namespace, quota). */
  mutate(def: ResourceDef, obj: Obj, fn: (o: Obj) => void, manager: string, subresource?: string): Obj | undefined {
    const cur = this.store.get(def, obj.metadata.namespace ?? '', obj.metadata.name);
    if (!cur || cur.metadata.uid !== obj.metadata.uid) return undefined;
    const next = clone(cur);
    fn(next);
    return this.commit(def, cur, next, { manager }, subresource);
  }
}

export function statusOf(e: unknown): Status {
  if (e instanceof ApiError) return e.status;
  return failure(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
}
