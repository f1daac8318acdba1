/**
 * managedFields bookkeeping and server-side apply. Field sets are kept as leaf paths (maps recurse,
 * lists are atomic) which is coarser than structured-merge-diff but enough for ownership, conflicts,
 * removal of fields a manager stopped applying, and a true no-op on an identical re-apply.
 */
import { ApiError, failure } from './errors.ts';
import { clone, deepEqual, nowTime, type Obj } from './serialize.ts';

const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Metadata the server owns; never part of a manager's field set. */
const SERVER_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

export type Path = string[];

export function leafPaths(o: Obj, scope: 'main' | 'status'): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, p: Path) => {
    if (isMap(v) && Object.keys(v).length > 0) {
      for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    } else out.push(p);
  };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (scope === 'status' ? k !== 'status' : k === 'status') continue;
    if (k === 'metadata' && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SERVER_META.has(mk)) walk(mv, ['metadata', mk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

export function toFieldsV1(paths: Path[], dots: boolean): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    p.forEach((seg, i) => {
      const key = `f:${seg}`;
      cur[key] ??= {};
      cur = cur[key];
      if (dots && i < p.length - 1) cur['.'] ??= {};
    });
  }
  return root;
}

export function fromFieldsV1(f: Obj | undefined): Path[] {
  const out: Path[] = [];
  const walk = (node: Obj, p: Path) => {
    const kids = Object.keys(node).filter((k) => k.startsWith('f:'));
    if (kids.length === 0) { if (p.length) out.push(p); return; }
    for (const k of kids) walk(node[k], [...p, k.slice(2)]);
  };
  if (f) walk(f, []);
  return out;
}

const key = (p: Path) => JSON.stringify(p);

export function getPath(o: unknown, p: Path): unknown {
  let cur: any = o;
  for (const s of p) { if (!isMap(cur)) return undefined; cur = cur[s]; }
  return cur;
}

function deletePath(o: Obj, p: Path): void {
  const parents: Obj[] = [];
  let cur: any = o;
  for (const s of p.slice(0, -1)) { if (!isMap(cur[s])) return; parents.push(cur); cur = cur[s]; }
  delete cur[p[p.length - 1]!];
  // Drop maps the removal left empty, as an applier that stops setting a map's last key expects.
  for (let i = p.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[p[i]!];
    if (isMap(child) && Object.keys(child).length === 0 && i > 0) delete parent[p[i]!]; else break;
  }
}

function diffPaths(a: Obj, b: Obj, scope: 'main' | 'status'): Path[] {
  const all = new Map<string, Path>();
  for (const p of [...leafPaths(a, scope), ...leafPaths(b, scope)]) all.set(key(p), p);
  return [...all.values()].filter((p) => !deepEqual(getPath(a, p), getPath(b, p)));
}

export interface ManagerInfo { manager: string; apiVersion: string; subresource?: string }

/** fieldsV1 of everything in `o` (a create), built directly: the hot path of a create. */
function objectFields(o: Obj, scope: 'main' | 'status'): Obj {
  const mapFields = (m: Obj): Obj => {
    const out: Obj = { '.': {} };
    for (const k in m) {
      const c = m[k];
      out[`f:${k}`] = isMap(c) && Object.keys(c).length > 0 ? mapFields(c) : {};
    }
    return out;
  };
  const root: Obj = {};
  for (const k in o) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (scope === 'status' ? k !== 'status' : k === 'status') continue;
    const v = o[k];
    if (k === 'metadata' && isMap(v)) {
      const meta: Obj = {};
      for (const mk in v) {
        if (SERVER_META.has(mk)) continue;
        const mv = v[mk];
        meta[`f:${mk}`] = isMap(mv) && Object.keys(mv).length > 0 ? mapFields(mv) : {};
      }
      if (Object.keys(meta).length) root['f:metadata'] = meta;
      continue;
    }
    root[`f:${k}`] = isMap(v) && Object.keys(v).length > 0 ? mapFields(v) : {};
  }
  return root;
}

/** Records an Update by `who`: it now owns the fields it changed; others lose them. */
export function recordUpdate(prev: Obj | undefined, next: Obj, who: ManagerInfo): Obj[] {
  if (!prev) {
    const fieldsV1 = objectFields(next, who.subresource === 'status' ? 'status' : 'main');
    if (Object.keys(fieldsV1).length === 0) return [];
    const e: Obj = { manager: who.manager, operation: 'Update', apiVersion: who.apiVersion, time: nowTime(), fieldsType: 'FieldsV1', fieldsV1 };
    if (who.subresource) e.subresource = who.subresource;
    return [e];
  }
  const scope = who.subresource === 'status' ? 'status' : 'main';
  const entries: Obj[] = clone(prev?.metadata?.managedFields ?? []);
  const changed = prev ? diffPaths(prev, next, scope) : leafPaths(next, scope);
  if (changed.length === 0) return entries;
  const changedKeys = new Set(changed.map(key));
  const present = (p: Path) => getPath(next, p) !== undefined;
  const result: Obj[] = [];
  let mine: Obj | undefined;
  for (const e of entries) {
    const isMine = e.manager === who.manager && e.operation === 'Update' && (e.subresource ?? '') === (who.subresource ?? '');
    const paths = fromFieldsV1(e.fieldsV1).filter((p) => (isMine || !changedKeys.has(key(p))) && present(p));
    if (isMine) { mine = e; mine._paths = paths; continue; }
    if (paths.length === 0) continue;
    result.push({ ...e, fieldsV1: toFieldsV1(paths, e.operation !== 'Apply') });
  }
  const myPaths = new Map<string, Path>();
  for (const p of (mine?._paths as Path[] | undefined) ?? []) myPaths.set(key(p), p);
  for (const p of changed) if (present(p)) myPaths.set(key(p), p);
  if (myPaths.size > 0) {
    const e: Obj = { manager: who.manager, operation: 'Update', apiVersion: who.apiVersion, time: nowTime(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1([...myPaths.values()], true) };
    if (who.subresource) e.subresource = who.subresource;
    result.push(e);
  }
  return result;
}

function mergeApplied(live: unknown, applied: unknown): unknown {
  if (!isMap(applied) || !isMap(live)) return clone(applied);
  const out: Obj = { ...live };
  for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(out[k], v);
  return out;
}

/** Server-side apply onto `live`; returns the new object, or `live` itself when nothing changes. */
export function apply(live: Obj, applied: Obj, manager: string, apiVersion: string, force: boolean): Obj {
  const appliedPaths = leafPaths(applied, 'main');
  const appliedKeys = new Set(appliedPaths.map(key));
  const entries: Obj[] = clone(live.metadata?.managedFields ?? []);
  const conflicts: { manager: string; op: string; apiVersion: string; path: Path }[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    if (e.subresource) continue;
    for (const p of fromFieldsV1(e.fieldsV1)) {
      if (appliedKeys.has(key(p)) && !deepEqual(getPath(live, p), getPath(applied, p))) {
        conflicts.push({ manager: e.manager, op: e.operation, apiVersion: e.apiVersion, path: p });
      }
    }
  }
  if (conflicts.length && !force) {
    const describe = (c: typeof conflicts[number]) =>
      `conflict with "${c.manager}"${c.op === 'Update' ? ` using ${c.apiVersion}` : ''}: .${c.path.join('.')}`;
    const msg = conflicts.length === 1
      ? `Apply failed with 1 conflict: ${describe(conflicts[0]!)}`
      : `Apply failed with ${conflicts.length} conflicts: ${conflicts.map(describe).join('\n')}`;
    throw new ApiError(failure(409, 'Conflict', msg,
      { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: describe(c), field: `.${c.path.join('.')}` })) }));
  }
  const conflictKeys = new Set(conflicts.map((c) => key(c.path)));
  const prevMine = entries.find((e) => e.manager === manager && e.operation === 'Apply' && !e.subresource);
  const ownedByOthers = new Set<string>();
  const others: Obj[] = [];
  for (const e of entries) {
    if (e === prevMine) continue;
    const paths = fromFieldsV1(e.fieldsV1).filter((p) => !conflictKeys.has(key(p)));
    paths.forEach((p) => ownedByOthers.add(key(p)));
    if (paths.length) others.push({ ...e, fieldsV1: toFieldsV1(paths, e.operation !== 'Apply') });
  }
  let next = mergeApplied(live, applied) as Obj;
  next.metadata = { ...next.metadata };
  // A path this manager owned as a leaf (e.g. an empty map) that the new apply fills in is still
  // applied: it is a prefix of an applied path, so it must not be removed.
  const stillApplied = (p: Path) => appliedPaths.some((a) => a.length > p.length && p.every((s, i) => a[i] === s));
  for (const p of fromFieldsV1(prevMine?.fieldsV1)) {
    if (!appliedKeys.has(key(p)) && !ownedByOthers.has(key(p)) && !stillApplied(p)) deletePath(next, p);
  }
  const mineEntry: Obj = { manager, operation: 'Apply', apiVersion, time: nowTime(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(appliedPaths, false) };
  const sameFields = prevMine && deepEqual(prevMine.fieldsV1, mineEntry.fieldsV1);
  const { managedFields: _a, ...liveMeta } = live.metadata;
  const { managedFields: _b, ...nextMeta } = next.metadata;
  if (sameFields && conflicts.length === 0 && deepEqual({ ...live, metadata: liveMeta }, { ...next, metadata: nextMeta })) return live;
  next.metadata.managedFields = prevMine ? entries.map((e) => (e === prevMine ? mineEntry : others.find((o) => o.manager === e.manager && o.operation === e.operation && o.subresource === e.subresource))).filter(Boolean) : [...others, mineEntry];
  next = { ...next };
  return next;
}

export function applyCreateFields(obj: Obj, manager: string, apiVersion: string): Obj[] {
  return [{ manager, operation: 'Apply', apiVersion, time: nowTime(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(leafPaths(obj, 'main'), false) }];
}
