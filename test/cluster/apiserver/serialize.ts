/**
 * Key order of stored objects. A real server serialises CustomResources from unstructured maps (keys
 * sorted at every level) and built-in kinds from Go structs (field order, map keys sorted). Objects
 * are put in that order once when stored, so answering is a plain JSON.stringify.
 */
import type { ResourceDef } from './resources.ts';

export type Obj = Record<string, any>;

/**
 * Sorts keys at every level. Maps already in order are kept (and their children sorted in place), so
 * the input must be owned by the caller; stored objects are canonical already and come back as is.
 */
export function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) { const c = sortDeep(v[i]); if (c !== v[i]) v[i] = c; }
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Obj;
    const keys = Object.keys(o);
    let sorted = true;
    for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) { sorted = false; break; }
    if (sorted) {
      for (const k of keys) { const c = sortDeep(o[k]); if (c !== o[k]) o[k] = c; }
      return o;
    }
    const out: Obj = {};
    for (const k of keys.sort()) out[k] = sortDeep(o[k]);
    return out;
  }
  return v;
}

function ordered(o: Obj, order: string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (k in o && k !== 'status') out[k] = o[k];
  for (const k of Object.keys(o)) if (!(k in out) && k !== 'status') out[k] = o[k];
  if ('status' in o) out.status = o.status;
  return out;
}

const META_ORDER = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];
const TOP_ORDER = ['kind', 'apiVersion', 'metadata', 'spec', 'immutable', 'data', 'stringData', 'type'];
const OWNER_ORDER = ['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion'];
const MF_ORDER = ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource'];
const NETPOL_SPEC_ORDER = ['podSelector', 'ingress', 'egress', 'policyTypes'];

function sortedMap(m: unknown): unknown {
  if (!m || typeof m !== 'object' || Array.isArray(m)) return m;
  const out: Obj = {};
  for (const k of Object.keys(m as Obj).sort()) out[k] = (m as Obj)[k];
  return out;
}

export function normaliseMeta(meta: Obj): Obj {
  const m = ordered(meta, META_ORDER);
  if (m.labels) m.labels = sortedMap(m.labels);
  if (m.annotations) m.annotations = sortedMap(m.annotations);
  if (Array.isArray(m.ownerReferences)) m.ownerReferences = m.ownerReferences.map((o: Obj) => ordered(o, OWNER_ORDER));
  if (Array.isArray(m.managedFields)) m.managedFields = m.managedFields.map((o: Obj) => ordered(o, MF_ORDER));
  return m;
}

/** Puts an object into the key order the real server would answer with. */
export function canonical(def: ResourceDef, obj: Obj): Obj {
  if (def.crd) return sortDeep(obj) as Obj;
  const o = ordered(obj, TOP_ORDER);
  if (o.metadata) o.metadata = normaliseMeta(o.metadata);
  if (o.data) o.data = sortedMap(o.data);
  if (def.kind === 'NetworkPolicy' && o.spec) o.spec = ordered(o.spec, NETPOL_SPEC_ORDER);
  if (def.kind === 'ResourceQuota') {
    if (o.spec?.hard) o.spec = { ...o.spec, hard: sortedMap(o.spec.hard) };
    if (o.status?.hard || o.status?.used) {
      const s: Obj = {};
      if (o.status.hard) s.hard = sortedMap(o.status.hard);
      if (o.status.used) s.used = sortedMap(o.status.used);
      o.status = s;
    }
  }
  return o;
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
let lastSecond = -1;
let lastTime = '';
export function nowTime(): string {
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== lastSecond) { lastSecond = sec; lastTime = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'); }
  return lastTime;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as Obj), kb = Object.keys(b as Obj);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Obj)[k], (b as Obj)[k]));
}
