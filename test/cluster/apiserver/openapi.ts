/**
 * The OpenAPI documents kubectl reads: `/openapi/v2` (one Swagger 2.0 document, JSON or gnostic
 * protobuf) and `/openapi/v3` (an index of `serverRelativeURL`s with a content `hash`, and one
 * OpenAPI 3.0 document per group-version). Built from the resource table: built-in kinds from the
 * hand-written schemas of openapi-builtin.ts, custom resources from their CRD's `openAPIV3Schema` as
 * CrdSchemas finds it (a CRD stored at runtime wins), converted for v2 the way apiextensions-apiserver
 * does (no properties under preserve-unknown-fields / embedded / nullable, no int-or-string type).
 *
 * What kubectl does with them: `create`/`apply` look for the PATCH operation of a kind (by its
 * `x-kubernetes-group-version-kind`) and send `fieldValidation=Strict` with server-side validation
 * when that operation lists the `fieldValidation` query parameter; otherwise they validate the file
 * client-side against the v2 definition. So the documents list `fieldValidation` only for the kinds
 * `strictKinds` names, the ones whose unknown fields this simulator really detects (custom resources,
 * pruned by their schema); built-in kinds, which the registry stores without a decoding check, get
 * kubectl's own client-side validation instead. `apply` also picks its patch type from the PATCH
 * operation's accepted content types: strategic merge for built-in kinds, merge patch for CRDs.
 */
import { createHash } from 'node:crypto';
import { BUILTIN_DEFINITIONS, BUILTIN_KINDS, LIST_META, OBJECT_META, type JsonSchema } from './openapi-builtin.ts';
import { encodeV2Document } from './openapi-proto.ts';
import { RESOURCES, type ResourceDef } from './resources.ts';
import { clone, type Obj } from './serialize.ts';

/** Where the schemas of custom resources come from (CrdSchemas). */
export interface CrdSchemaSource {
  served(def: ResourceDef): boolean;
  schema(def: ResourceDef): unknown;
}

export interface OpenApiOptions {
  /** `info.version` of the documents (the server's gitVersion). */
  version: string;
  /** Kinds whose PATCH/POST/PUT operations advertise `fieldValidation` (server-side strict decoding). */
  strictKinds: (def: ResourceDef) => boolean;
}

const PATCH_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const STATUS_DEF = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const COMMON_DEFS: Record<string, JsonSchema> = {
  [PATCH_DEF]: { type: 'object' },
  [STATUS_DEF]: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' }, code: { type: 'integer', format: 'int32' }, details: { type: 'object' }, kind: { type: 'string' },
      message: { type: 'string' }, metadata: { $ref: LIST_META }, reason: { type: 'string' }, status: { type: 'string' },
    },
  },
};
const PATCH_TYPES_BUILTIN = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const PATCH_TYPES_CRD = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** One served kind and the definition names of it and its list. */
interface KindEntry { def: ResourceDef; name: string; listName?: string; strict: boolean }

interface Param { name: string; in: 'query' | 'path' | 'body'; type?: string; required?: boolean; uniqueItems?: boolean; description?: string; schema?: string }
interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  action: string;
  operationId: string;
  entry: KindEntry;
  params: Param[];
  /** Definition name of the request body, if any. */
  body?: string;
  /** Definition name of the 200/201 answer. */
  response: string;
}
interface PathEntry { path: string; params: Param[]; ops: Operation[] }

/** `template.openshift.io` → `io.openshift.template`, the prefix apiextensions gives CRD definitions. */
function reverseGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

function gvk(def: ResourceDef, kind = def.kind): Obj {
  return { group: def.group, kind, version: def.version };
}

/** `''` → `CoreV1`, `rbac.authorization.k8s.io` → `RbacAuthorizationV1`, `template.openshift.io` → `TemplateOpenshiftIoV1`. */
function operationPrefix(def: ResourceDef): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const g = def.group === '' ? 'core' : def.group.replace(/\.k8s\.io$/, '');
  return g.split(/[.-]/).map(cap).join('') + cap(def.version);
}

/** The v3 → v2 reductions apiextensions-apiserver applies to CRD schemas for the v2 document. */
export function toV2Schema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2Schema);
  if (!s || typeof s !== 'object') return s;
  const o = { ...(s as Obj) };
  for (const k of ['allOf', 'anyOf', 'oneOf', 'not', 'x-kubernetes-validations']) delete o[k];
  if (o.nullable) { delete o.type; delete o.items; delete o.properties; }
  delete o.nullable;
  if (o['x-kubernetes-preserve-unknown-fields'] || o['x-kubernetes-embedded-resource']) { delete o.items; delete o.properties; }
  if (o['x-kubernetes-int-or-string']) delete o.type;
  if (o.properties) o.properties = Object.fromEntries(Object.entries(o.properties as Obj).map(([k, v]) => [k, toV2Schema(v)]));
  if (o.items) o.items = toV2Schema(o.items);
  if (o.additionalProperties && typeof o.additionalProperties === 'object') o.additionalProperties = toV2Schema(o.additionalProperties);
  return o;
}

/** Replaces bare `$ref` names by the document's reference form, everywhere in a schema. */
function refsTo(s: unknown, prefix: string): unknown {
  if (Array.isArray(s)) return s.map((x) => refsTo(x, prefix));
  if (!s || typeof s !== 'object') return s;
  const out: Obj = {};
  for (const [k, v] of Object.entries(s as Obj)) {
    out[k] = k === '$ref' && typeof v === 'string' ? `${prefix}${v}` : k.startsWith('x-') ? v : refsTo(v, prefix);
  }
  return out;
}

function collectRefs(s: unknown, into: Set<string>): void {
  if (Array.isArray(s)) { for (const x of s) collectRefs(x, into); return; }
  if (!s || typeof s !== 'object') return;
  for (const [k, v] of Object.entries(s as Obj)) {
    if (k === '$ref' && typeof v === 'string') into.add(v);
    else if (!k.startsWith('x-')) collectRefs(v, into);
  }
}

const etagOf = (data: string | Buffer) => createHash('sha512').update(data).digest('hex').toUpperCase();

/** A served document: its bytes and the hash clients cache it by. */
export interface Served { body: string | Buffer; etag: string }

interface Built {
  key: string;
  definitions: Record<string, JsonSchema>;
  kinds: KindEntry[];
  paths: PathEntry[];
  v2json?: Served;
  v2proto?: Served;
  v3?: Map<string, Served>;
}

export class OpenApiDocuments {
  private built?: Built;

  constructor(private readonly crds: CrdSchemaSource, private readonly opts: OpenApiOptions) {}

  /** The kinds served now: built-ins with a schema, custom resources whose CRD is served with one. */
  private current(): Built {
    const crdSchemas = RESOURCES.filter((d) => d.crd).map((d) => [d, this.crds.served(d) ? this.crds.schema(d) : undefined] as const);
    const key = JSON.stringify(crdSchemas.map(([, s]) => s ?? null));
    if (this.built?.key === key) return this.built;
    const definitions: Record<string, JsonSchema> = { ...COMMON_DEFS, ...BUILTIN_DEFINITIONS };
    const kinds: KindEntry[] = [];
    for (const def of RESOURCES.filter((d) => !d.crd)) {
      const name = BUILTIN_KINDS[`${def.group}/${def.version}/${def.kind}`];
      if (!name) continue;
      const listable = def.group !== 'authorization.k8s.io';
      const entry: KindEntry = { def, name, listName: listable ? `${name}List` : undefined, strict: this.opts.strictKinds(def) };
      definitions[name] = { ...definitions[name], 'x-kubernetes-group-version-kind': [gvk(def)] };
      if (entry.listName) definitions[entry.listName] = this.listSchema(def, name);
      kinds.push(entry);
    }
    for (const [def, schema] of crdSchemas) {
      if (!schema || typeof schema !== 'object') continue;
      const name = `${reverseGroup(def.group)}.${def.version}.${def.kind}`;
      const root = clone(schema as Obj);
      root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: OBJECT_META }, ...(root.properties ?? {}) };
      root.properties.metadata = { $ref: OBJECT_META };
      root['x-kubernetes-group-version-kind'] = [gvk(def)];
      definitions[name] = root;
      definitions[`${name}List`] = this.listSchema(def, name);
      kinds.push({ def, name, listName: `${name}List`, strict: this.opts.strictKinds(def) });
    }
    this.built = { key, definitions, kinds, paths: kinds.flatMap((k) => this.pathsOf(k)) };
    return this.built;
  }

  private listSchema(def: ResourceDef, item: string): JsonSchema {
    return {
      type: 'object', required: ['items'],
      properties: { apiVersion: { type: 'string' }, items: { type: 'array', items: { $ref: item } }, kind: { type: 'string' }, metadata: { $ref: LIST_META } },
      'x-kubernetes-group-version-kind': [gvk(def, `${def.kind}List`)],
    };
  }

  private pathsOf(entry: KindEntry): PathEntry[] {
    const { def } = entry;
    const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
    const collection = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
    const pre = operationPrefix(def) + (def.namespaced ? 'Namespaced' : '');
    const scope: Param[] = def.namespaced ? [{ name: 'namespace', in: 'path', type: 'string', required: true, uniqueItems: true }] : [];
    const common: Param[] = [...scope, { name: 'pretty', in: 'query', type: 'string', uniqueItems: true }];
    const named: Param[] = [{ name: 'name', in: 'path', type: 'string', required: true, uniqueItems: true }, ...common];
    const writeParams = (bodySchema: string): Param[] => [
      { name: 'body', in: 'body', required: true, schema: bodySchema },
      { name: 'dryRun', in: 'query', type: 'string', uniqueItems: true },
      { name: 'fieldManager', in: 'query', type: 'string', uniqueItems: true },
      ...(entry.strict ? [{ name: 'fieldValidation', in: 'query' as const, type: 'string', uniqueItems: true }] : []),
    ];
    const op = (method: Operation['method'], action: string, verb: string, params: Param[], response: string, body?: string, suffix = ''): Operation =>
      ({ method, action, operationId: `${verb}${pre}${def.kind}${suffix}`, entry, params, response, body });
    if (def.group === 'authorization.k8s.io') {
      return [{ path: collection, params: common, ops: [op('post', 'post', 'create', writeParams(entry.name), entry.name, entry.name)] }];
    }
    const patch = (suffix = '') => op('patch', 'patch', 'patch', [...writeParams(PATCH_DEF), { name: 'force', in: 'query', type: 'boolean', uniqueItems: true }], entry.name, PATCH_DEF, suffix);
    const listOps = [op('get', 'list', 'list', [{ name: 'labelSelector', in: 'query', type: 'string', uniqueItems: true }, { name: 'limit', in: 'query', type: 'integer', uniqueItems: true }], entry.listName!),
      op('post', 'post', 'create', writeParams(entry.name), entry.name, entry.name)];
    if (def.kind !== 'Namespace') listOps.push(op('delete', 'deletecollection', 'deleteCollection', [], STATUS_DEF));
    const out: PathEntry[] = [
      { path: collection, params: common, ops: listOps },
      {
        path: `${collection}/{name}`, params: named,
        ops: [op('get', 'get', 'read', [], entry.name), op('put', 'put', 'replace', writeParams(entry.name), entry.name, entry.name),
          patch(), op('delete', 'delete', 'delete', [], STATUS_DEF)],
      },
    ];
    if (def.statusSubresource) {
      // Same parameters as the main PATCH: kubectl stops at the first PATCH operation of a kind it meets.
      out.push({
        path: `${collection}/{name}/status`, params: named,
        ops: [op('get', 'get', 'read', [], entry.name, undefined, 'Status'), op('put', 'put', 'replace', writeParams(entry.name), entry.name, entry.name, 'Status'),
          patch('Status')],
      });
    }
    return out;
  }

  /** The Swagger 2.0 document, as JSON text. */
  v2Json(): Served {
    const b = this.current();
    if (!b.v2json) {
      const doc = this.v2Object(b);
      const json = JSON.stringify(doc);
      b.v2json = { body: json, etag: etagOf(json) };
      // One hash for both forms, as kube-openapi computes it from the JSON.
      b.v2proto = { body: encodeV2Document(doc), etag: b.v2json.etag };
    }
    return b.v2json;
  }

  /** The Swagger 2.0 document in gnostic protobuf. */
  v2Proto(): Served {
    this.v2Json();
    return this.current().v2proto!;
  }

  /** The v2 document as an object (for tests and the encoders). */
  v2Object(b: Built = this.current()): Obj {
    const definitions: Obj = {};
    for (const [name, s] of Object.entries(b.definitions)) definitions[name] = refsTo(toV2Schema(s), '#/definitions/');
    const paths: Obj = {};
    for (const p of b.paths) {
      const item: Obj = { parameters: p.params.map((x) => this.v2Param(x)) };
      for (const o of p.ops) {
        const consumes = o.method === 'patch' ? (o.entry.def.crd ? PATCH_TYPES_CRD : PATCH_TYPES_BUILTIN) : ['*/*'];
        item[o.method] = {
          description: `${o.action} ${o.entry.def.kind}`, consumes, produces: RESPONSE_TYPES, schemes: ['https'],
          tags: [`${o.entry.def.group ? o.entry.def.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_') : 'core'}_${o.entry.def.version}`],
          operationId: o.operationId,
          parameters: o.params.map((x) => this.v2Param(x)),
          responses: { [o.method === 'post' ? '201' : '200']: { description: o.method === 'post' ? 'Created' : 'OK', schema: { $ref: `#/definitions/${o.response}` } }, 401: { description: 'Unauthorized' } },
          'x-kubernetes-action': o.action,
          'x-kubernetes-group-version-kind': gvk(o.entry.def),
        };
      }
      paths[p.path] = item;
    }
    return { swagger: '2.0', info: { title: 'Kubernetes', version: this.opts.version }, paths, definitions };
  }

  private v2Param(p: Param): Obj {
    const out: Obj = { name: p.name, in: p.in };
    if (p.description) out.description = p.description;
    if (p.required) out.required = true;
    if (p.schema) out.schema = { $ref: `#/definitions/${p.schema}` };
    if (p.type) out.type = p.type;
    if (p.uniqueItems) out.uniqueItems = true;
    return out;
  }

  /** `api/v1`, `apis/<group>/<version>` for every group-version with a served kind. */
  private groupVersions(b: Built): string[] {
    return [...new Set(b.kinds.map((k) => (k.def.group ? `apis/${k.def.group}/${k.def.version}` : `api/${k.def.version}`)))].sort();
  }

  /** One group-version's OpenAPI 3.0 document, or undefined when none is served there. */
  v3(gv: string): Served | undefined {
    const b = this.current();
    b.v3 ??= new Map();
    const cached = b.v3.get(gv);
    if (cached) return cached;
    if (!this.groupVersions(b).includes(gv)) return undefined;
    const doc = this.v3Object(gv, b);
    const json = JSON.stringify(doc);
    const served = { body: json, etag: etagOf(json) };
    b.v3.set(gv, served);
    return served;
  }

  /** The `/openapi/v3` index: each group-version's document URL with its current hash. */
  v3Index(): Served {
    const b = this.current();
    const paths: Obj = {};
    for (const gv of this.groupVersions(b)) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${this.v3(gv)!.etag}` };
    const json = JSON.stringify({ paths });
    return { body: json, etag: etagOf(json) };
  }

  v3Object(gv: string, b: Built = this.current()): Obj {
    const kinds = b.kinds.filter((k) => (k.def.group ? `apis/${k.def.group}/${k.def.version}` : `api/${k.def.version}`) === gv);
    const wanted = new Set<string>([STATUS_DEF, PATCH_DEF]);
    for (const k of kinds) { wanted.add(k.name); if (k.listName) wanted.add(k.listName); }
    // Each v3 document carries every schema it references (ObjectMeta and the rest), transitively.
    const queue = [...wanted];
    while (queue.length) {
      const refs = new Set<string>();
      collectRefs(b.definitions[queue.pop()!], refs);
      for (const r of refs) if (!wanted.has(r)) { wanted.add(r); queue.push(r); }
    }
    const schemas: Obj = {};
    for (const name of [...wanted].sort()) schemas[name] = refsTo(b.definitions[name], '#/components/schemas/');
    const paths: Obj = {};
    for (const p of b.paths.filter((x) => kinds.includes(x.ops[0]!.entry))) {
      const item: Obj = { parameters: p.params.map((x) => this.v3Param(x)) };
      for (const o of p.ops) {
        const content = (types: string[], schema: string) => Object.fromEntries(types.map((t) => [t, { schema: { $ref: `#/components/schemas/${schema}` } }]));
        const operation: Obj = {
          tags: [gv], description: `${o.action} ${o.entry.def.kind}`, operationId: o.operationId,
          parameters: o.params.filter((x) => x.in !== 'body').map((x) => this.v3Param(x)),
          responses: { [o.method === 'post' ? '201' : '200']: { description: o.method === 'post' ? 'Created' : 'OK', content: content(RESPONSE_TYPES, o.response) }, 401: { description: 'Unauthorized' } },
          'x-kubernetes-action': o.action,
          'x-kubernetes-group-version-kind': gvk(o.entry.def),
        };
        if (o.body) {
          const types = o.method === 'patch' ? (o.entry.def.crd ? PATCH_TYPES_CRD : PATCH_TYPES_BUILTIN) : ['*/*'];
          operation.requestBody = { content: content(types, o.body), required: true };
        }
        item[o.method] = operation;
      }
      paths[p.path] = item;
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: this.opts.version }, paths, components: { schemas } };
  }

  private v3Param(p: Param): Obj {
    const out: Obj = { name: p.name, in: p.in };
    if (p.description) out.description = p.description;
    if (p.required) out.required = true;
    out.schema = { type: p.type ?? 'string', ...(p.uniqueItems ? { uniqueItems: true } : {}) };
    return out;
  }
}
