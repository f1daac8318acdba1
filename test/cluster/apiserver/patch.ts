/**
 * The three PATCH formats besides apply: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and the
 * strategic merge patch of built-in kinds, reduced to what SSVirt's kinds need (maps merge key by
 * key; a few lists merge by key; other lists are replaced; `$patch: replace|delete` honoured, and
 * kubectl apply's `$deleteFromPrimitiveList/<list>` and `$setElementOrder/<list>` directives).
 */
import { ApiError, errors, failure } from './errors.ts';
import { clone, type Obj } from './serialize.ts';

const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const out: Obj = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw invalidPatch(`invalid JSON pointer "${p}"`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function invalidPatch(msg: string): ApiError {
  return new ApiError(failure(422, 'Invalid', `the server rejected our request due to an error in our request`,
    { causes: [{ reason: 'FieldValueInvalid', message: msg, field: 'patch' }] }));
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root: any = clone(doc);
  const parentOf = (path: string[]): [any, string] => {
    let cur = root;
    for (const seg of path.slice(0, -1)) {
      if (cur == null || typeof cur !== 'object') throw invalidPatch(`doc is missing path: "/${path.join('/')}": missing value`);
      cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
    }
    if (cur == null || typeof cur !== 'object') throw invalidPatch(`doc is missing path: "/${path.join('/')}": missing value`);
    return [cur, path[path.length - 1]!];
  };
  const getAt = (path: string[]): unknown => {
    let cur: any = root;
    for (const seg of path) {
      if (cur == null || typeof cur !== 'object' || !(Array.isArray(cur) ? Number(seg) < cur.length : seg in cur)) {
        throw invalidPatch(`doc is missing path: "/${path.join('/')}": missing value`);
      }
      cur = Array.isArray(cur) ? cur[Number(seg)] : cur[seg];
    }
    return cur;
  };
  const add = (path: string[], value: unknown) => {
    if (path.length === 0) { root = value; return; }
    const [parent, key] = parentOf(path);
    if (Array.isArray(parent)) {
      const idx = key === '-' ? parent.length : Number(key);
      if (!(idx >= 0 && idx <= parent.length)) throw invalidPatch(`index out of bounds: ${key}`);
      parent.splice(idx, 0, value);
    } else parent[key] = value;
  };
  const remove = (path: string[]) => {
    getAt(path);
    const [parent, key] = parentOf(path);
    if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key];
  };
  for (const op of ops as Obj[]) {
    const path = decodePointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add': add(path, clone(op.value)); break;
      case 'remove': remove(path); break;
      case 'replace': getAt(path); remove(path); add(path, clone(op.value)); break;
      case 'move': { const from = decodePointer(String(op.from)); const v = getAt(from); remove(from); add(path, v); break; }
      case 'copy': add(path, clone(getAt(decodePointer(String(op.from))))); break;
      case 'test': {
        if (JSON.stringify(getAt(path)) !== JSON.stringify(op.value)) throw invalidPatch(`testing value /${path.join('/')} failed: test failed`);
        break;
      }
      default: throw invalidPatch(`Unexpected kind: ${String(op.op)}`);
    }
  }
  return root;
}

/** Lists merged by a key in strategic merge patch (patchMergeKey), per field name. */
const MERGE_KEYS: Record<string, string> = {
  ownerReferences: 'uid', conditions: 'type', containers: 'name', volumes: 'name', env: 'name', ports: 'containerPort',
  imagePullSecrets: 'name', volumeMounts: 'mountPath', tolerations: 'key',
};
/** Primitive lists whose strategy is merge (union). */
const MERGE_PRIMITIVE = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  if (patch.$patch === 'replace') { const { $patch: _p, ...rest } = patch; return clone(rest); }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v)) {
      const cur = Array.isArray(out[k]) ? out[k] as unknown[] : [];
      const mk = MERGE_KEYS[k];
      if (mk) out[k] = mergeKeyed(cur, v, mk);
      else if (MERGE_PRIMITIVE.has(k)) out[k] = [...cur, ...v.filter((x) => !cur.includes(x))];
      else out[k] = clone(v);
      continue;
    }
    const merged = strategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k]; else out[k] = merged;
  }
  // kubectl apply's list directives, after the lists themselves are merged.
  for (const [k, v] of Object.entries(patch)) {
    const field = k.slice(k.indexOf('/') + 1);
    if (!Array.isArray(v) || !Array.isArray(out[field])) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) out[field] = (out[field] as unknown[]).filter((x) => !v.includes(x));
    else if (k.startsWith('$setElementOrder/')) out[field] = ordered(out[field] as unknown[], v, MERGE_KEYS[field]);
  }
  return out;
}

/**
 * `$setElementOrder/<list>`: the elements the order names come in that order (primitives by value,
 * maps by their merge key); the others, which only the server has, keep their place after them.
 */
function ordered(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown) => (key && isMap(x) ? x[key] : x);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const named = list.filter((x) => rank.has(id(x))).sort((a, b) => rank.get(id(a))! - rank.get(id(b))!);
  return [...named, ...list.filter((x) => !rank.has(id(x)))];
}

function mergeKeyed(cur: unknown[], patch: unknown[], key: string): unknown[] {
  const out = cur.map((x) => x);
  for (const p of patch) {
    if (!isMap(p)) { out.push(clone(p)); continue; }
    const idx = out.findIndex((x) => isMap(x) && x[key] === p[key]);
    if (p.$patch === 'delete') { if (idx >= 0) out.splice(idx, 1); continue; }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p);
    else out.push(strategicMergePatch({}, p));
  }
  return out;
}
