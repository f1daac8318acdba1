/**
 * The OpenAPI documents in the shape kubectl reads them: v2 `definitions` tied to kinds by
 * `x-kubernetes-group-version-kind` and PATCH operations whose parameters and content types decide
 * validation and patch type; the v3 index of `serverRelativeURL`s with their hash and the per
 * group-version documents; the HTTP caching rules; the protobuf form; CRDs changed at runtime.
 */
import { describe, expect, it } from 'vitest';
import { CrdSchemas } from './crd-schemas.ts';
import { answerOpenApi } from './openapi-handler.ts';
import { encodeV2Document } from './openapi-proto.ts';
import { OpenApiDocuments, toV2Schema } from './openapi.ts';
import { Registry } from './registry.ts';
import { findResource, RESOURCES } from './resources.ts';
import type { Obj } from './serialize.ts';
import { Store } from './store.ts';
import { loadCrdManifests } from '../crds/index.ts';
import { startSimulator } from '../index.ts';

const CRD_DEF = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;

function setup() {
  const store = new Store(100);
  const registry = new Registry(store);
  const crds = new CrdSchemas(store, loadCrdManifests() as never[], true);
  const docs = new OpenApiDocuments(crds, { version: 'v1.28.7-test', strictKinds: (d) => d.crd });
  return { store, registry, docs };
}

/** Every `$ref` in a document, with the prefix it must carry. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { if (k === '$ref') out.push(String(x)); else refs(x, out); }
  return out;
}

/** PATCH operations of a document's paths, by `group/version/Kind`. */
function patchOps(paths: Obj): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const item of Object.values(paths)) {
    const op = item.patch as Obj | undefined;
    if (!op) continue;
    const g = op['x-kubernetes-group-version-kind'];
    const key = `${g.group}/${g.version}/${g.kind}`;
    out.set(key, [...(out.get(key) ?? []), op]);
  }
  return out;
}

const answer = (docs: OpenApiDocuments, path: string, accept = 'application/json', extra: { ifNoneMatch?: string } = {}) => {
  const u = new URL(path, 'http://x');
  return answerOpenApi(docs, u.pathname, u.searchParams, { accept, ...extra }, new Date('2026-12-08T00:00:00Z'));
};

describe('OpenAPI v2 document', () => {
  it('has a definition with x-kubernetes-group-version-kind for every kind the simulator serves', () => {
    const { docs } = setup();
    const v2 = docs.v2Object();
    const byGvk = new Map<string, string>();
    for (const [name, s] of Object.entries(v2.definitions as Record<string, Obj>)) {
      for (const g of (s['x-kubernetes-group-version-kind'] as Obj[] | undefined) ?? []) byGvk.set(`${g.group}/${g.version}/${g.kind}`, name);
    }
    for (const def of RESOURCES) expect(byGvk.get(`${def.group}/${def.version}/${def.kind}`), def.kind).toBeDefined();
    expect(byGvk.get('/v1/Namespace')).toBe('io.k8s.api.core.v1.Namespace');
    expect(byGvk.get('template.openshift.io/v1/Template')).toBe('io.openshift.template.v1.Template');
    expect(byGvk.get('kubevirt.io/v1/VirtualMachineList')).toBe('io.kubevirt.v1.VirtualMachineList');
  });

  it('resolves every $ref inside #/definitions', () => {
    const v2 = setup().docs.v2Object();
    const all = refs(v2);
    expect(all.length).toBeGreaterThan(50);
    for (const r of all) {
      expect(r.startsWith('#/definitions/'), r).toBe(true);
      expect(v2.definitions[r.slice('#/definitions/'.length)], r).toBeDefined();
    }
  });

  it('gives CRD kinds their schema with ObjectMeta, reduced for v2 under preserve-unknown-fields', () => {
    const v2 = setup().docs.v2Object();
    const t = v2.definitions['io.openshift.template.v1.Template'];
    expect(Object.keys(t.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'objects', 'parameters', 'labels', 'message']));
    expect(t.properties.metadata).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    expect(t.properties.parameters.items.required).toEqual(['name']);
    // VirtualMachine.spec preserves unknown fields: v2 keeps no properties there (kubectl would reject the rest).
    const vmSpec = v2.definitions['io.kubevirt.v1.VirtualMachine'].properties.spec;
    expect(vmSpec.properties).toBeUndefined();
    expect(vmSpec['x-kubernetes-preserve-unknown-fields']).toBe(true);
  });

  it('advertises fieldValidation on PATCH exactly for the strict kinds, and strategic merge only for built-ins', () => {
    const v2 = setup().docs.v2Object();
    const ops = patchOps(v2.paths);
    const ns = ops.get('/v1/Namespace')!;
    expect(ns.length).toBe(2); // the namespace and its status
    for (const op of ns) {
      expect(op.parameters.map((p: Obj) => p.name)).not.toContain('fieldValidation');
      expect(op.consumes).toContain('application/strategic-merge-patch+json');
    }
    for (const op of ops.get('template.openshift.io/v1/Template')!) {
      expect(op.parameters).toContainEqual({ name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true });
      expect(op.consumes).not.toContain('application/strategic-merge-patch+json');
      expect(op['x-kubernetes-action']).toBe('patch');
    }
    expect(v2.paths['/apis/template.openshift.io/v1/namespaces/{namespace}/templates/{name}']).toBeDefined();
    expect(v2.paths['/api/v1/namespaces/{name}/status'].patch.operationId).toBe('patchCoreV1NamespaceStatus');
  });

  it('encodes to gnostic protobuf: swagger, definitions and their extensions are where OpenAPIv2.proto puts them', () => {
    const { docs } = setup();
    const pb = docs.v2Proto().body as Buffer;
    const doc = decode(pb);
    expect(doc.get(1)?.[0]?.toString()).toBe('2.0');
    const defs = decode(doc.get(9)![0]!).get(1)!.map((b) => decode(b));
    const ns = defs.find((d) => d.get(1)![0]!.toString() === 'io.k8s.api.core.v1.Namespace')!;
    const schema = decode(ns.get(2)![0]!);
    expect(decode(schema.get(22)![0]!).get(1)!.map(String)).toEqual(['object']); // type
    const ext = schema.get(31)!.map((b) => decode(b)); // vendor_extension: NamedAny
    const gvk = ext.find((e) => e.get(1)![0]!.toString() === 'x-kubernetes-group-version-kind')!;
    expect(JSON.parse(decode(gvk.get(2)![0]!).get(2)![0]!.toString())).toEqual([{ group: '', kind: 'Namespace', version: 'v1' }]);
    const props = decode(schema.get(25)![0]!).get(1)!.map((b) => decode(b).get(1)![0]!.toString());
    expect(props).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  it('refuses to encode a schema keyword it would lose', () => {
    expect(() => encodeV2Document({ swagger: '2.0', definitions: { x: { type: 'object', patternProperties: {} } } })).toThrow(/patternProperties/);
  });

  it('toV2Schema drops what v2 cannot say, as apiextensions-apiserver does', () => {
    expect(toV2Schema({
      type: 'object',
      properties: {
        a: { nullable: true, type: 'object', properties: { b: { type: 'string' } } },
        c: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        d: { type: 'array', items: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { kind: { type: 'string' } } } },
      },
    })).toEqual({
      type: 'object',
      properties: { a: {}, c: { 'x-kubernetes-int-or-string': true }, d: { type: 'array', items: { type: 'object', 'x-kubernetes-embedded-resource': true } } },
    });
  });
});

describe('OpenAPI v3', () => {
  it('indexes every served group-version with a serverRelativeURL carrying the document hash', () => {
    const { docs } = setup();
    const index = JSON.parse(String(answer(docs, '/openapi/v3')!.body));
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/networking.k8s.io/v1', 'apis/rbac.authorization.k8s.io/v1',
      'apis/template.openshift.io/v1', 'apis/kubevirt.io/v1', 'apis/cdi.kubevirt.io/v1beta1', 'apis/instancetype.kubevirt.io/v1beta1']));
    for (const [gv, { serverRelativeURL }] of Object.entries(index.paths as Record<string, { serverRelativeURL: string }>)) {
      expect(serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${gv.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
      const a = answer(docs, serverRelativeURL)!;
      expect(a.code).toBe(200);
      expect(a.headers['Cache-Control']).toBe('public, immutable');
      expect(a.headers.Expires).toBe('Wed, 08 Dec 2027 00:00:00 UTC');
      expect(a.headers.Etag).toBe(JSON.stringify(new URL(serverRelativeURL, 'http://x').searchParams.get('hash')));
    }
  });

  it('serves self-contained documents: components for every $ref, PATCH with GVK, parameters and request body types', () => {
    const { docs } = setup();
    for (const gv of ['api/v1', 'apis/template.openshift.io/v1']) {
      const doc = JSON.parse(String(answer(docs, `/openapi/v3/${gv}`)!.body));
      expect(doc.openapi).toBe('3.0.0');
      for (const r of refs(doc)) expect(doc.components.schemas[r.replace('#/components/schemas/', '')], `${gv} ${r}`).toBeDefined();
    }
    const core = JSON.parse(String(answer(docs, '/openapi/v3/api/v1')!.body));
    const secret = core.components.schemas['io.k8s.api.core.v1.Secret'];
    expect(secret['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Secret', version: 'v1' }]);
    const nsPatch = core.paths['/api/v1/namespaces/{name}'].patch;
    expect(nsPatch['x-kubernetes-group-version-kind']).toEqual({ group: '', kind: 'Namespace', version: 'v1' });
    expect(Object.keys(nsPatch.requestBody.content)).toContain('application/strategic-merge-patch+json');
    expect(nsPatch.parameters.map((p: Obj) => p.name)).not.toContain('fieldValidation');
    const tmpl = JSON.parse(String(answer(docs, '/openapi/v3/apis/template.openshift.io/v1')!.body));
    const tPatch = tmpl.paths['/apis/template.openshift.io/v1/namespaces/{namespace}/templates/{name}'].patch;
    expect(tPatch.parameters).toContainEqual({ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } });
    expect(Object.keys(tPatch.requestBody.content)).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    // v3 keeps the CRD's own schema under preserve-unknown-fields.
    expect(JSON.parse(String(answer(docs, '/openapi/v3/apis/kubevirt.io/v1')!.body))
      .components.schemas['io.kubevirt.v1.VirtualMachine'].properties.spec.properties.runStrategy).toEqual({ type: 'string' });
    expect(Object.keys(tmpl.components.schemas)).not.toContain('io.k8s.api.core.v1.Namespace');
  });

  it('redirects a stale hash to the current URL, answers 304 to a matching If-None-Match, 404 for an unknown group-version', () => {
    const { docs } = setup();
    const stale = answer(docs, '/openapi/v3/api/v1?hash=0123')!;
    const current = JSON.parse(String(answer(docs, '/openapi/v3')!.body)).paths['api/v1'].serverRelativeURL;
    expect(stale.code).toBe(301);
    expect(stale.headers.Location).toBe(current);
    const plain = answer(docs, '/openapi/v3/api/v1')!;
    expect(plain.code).toBe(200);
    expect(plain.headers['Cache-Control']).toBeUndefined();
    expect(answer(docs, '/openapi/v3/api/v1', 'application/json', { ifNoneMatch: plain.headers.Etag })!.code).toBe(304);
    expect(answer(docs, '/openapi/v3/apis/nope.example.com/v1')).toBeUndefined();
    expect(answer(docs, '/openapi/v3/api/v1', 'application/xml')!.code).toBe(406);
  });

  it('negotiates v2: protobuf for client-go, JSON on request, 406 for anything else', () => {
    const { docs } = setup();
    const pb = answer(docs, '/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')!;
    expect(pb.type).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(Buffer.isBuffer(pb.body)).toBe(true);
    const json = answer(docs, '/openapi/v2', 'application/json')!;
    expect(JSON.parse(String(json.body)).swagger).toBe('2.0');
    expect(json.headers.Etag).toBe(pb.headers.Etag);
    expect(answer(docs, '/openapi/v2', 'text/html')!.code).toBe(406);
  });
});

describe('CRDs changed at runtime', () => {
  it('describe the stored CRD schema, with a new hash, and the old URL redirects to it', () => {
    const { registry, docs } = setup();
    const before = JSON.parse(String(answer(docs, '/openapi/v3')!.body)).paths['apis/cdi.kubevirt.io/v1beta1'].serverRelativeURL;
    const manifest = loadCrdManifests().find((m) => m.metadata?.name === 'datasources.cdi.kubevirt.io')! as Obj;
    const crd = structuredClone(manifest);
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec = {
      type: 'object', properties: { source: { type: 'object', properties: { pvc: { type: 'object', properties: { name: { type: 'string' } } } } } },
    };
    registry.create(CRD_DEF, '', crd, { manager: 'test' });
    const after = JSON.parse(String(answer(docs, '/openapi/v3')!.body)).paths['apis/cdi.kubevirt.io/v1beta1'].serverRelativeURL;
    expect(after).not.toBe(before);
    expect(answer(docs, before)!.headers.Location).toBe(after);
    const doc = JSON.parse(String(answer(docs, after)!.body));
    expect(doc.components.schemas['io.kubevirt.cdi.v1beta1.DataSource'].properties.spec.properties.source.properties.pvc.properties.name).toEqual({ type: 'string' });
    const v2 = docs.v2Object();
    expect(v2.definitions['io.kubevirt.cdi.v1beta1.DataSource'].properties.spec.properties.source).toBeDefined();
  });

  it('drop a kind whose CRD stops serving its version', () => {
    const { registry, docs } = setup();
    const crd = structuredClone(loadCrdManifests().find((m) => m.metadata?.name === 'datavolumes.cdi.kubevirt.io')! as Obj);
    crd.spec.versions[0].served = false;
    registry.create(CRD_DEF, '', crd, { manager: 'test' });
    const doc = JSON.parse(String(answer(docs, '/openapi/v3/apis/cdi.kubevirt.io/v1beta1')!.body));
    expect(Object.keys(doc.components.schemas)).toContain('io.kubevirt.cdi.v1beta1.DataSource');
    expect(Object.keys(doc.components.schemas)).not.toContain('io.kubevirt.cdi.v1beta1.DataVolume');
    expect(patchOps(docs.v2Object().paths).has('cdi.kubevirt.io/v1beta1/DataVolume')).toBe(false);
  });
});

describe('GET /openapi/* on the simulator', () => {
  it('answers authenticated users (system:discovery) and 401 without a token', async () => {
    const sim = await startSimulator();
    try {
      const get = (path: string, token?: string, accept = 'application/json') =>
        fetch(`${sim.url}${path}`, { headers: { Accept: accept, ...(token ? { Authorization: `Bearer ${token}` } : {}) } });
      expect((await get('/openapi/v2')).status).toBe(401);
      const pb = await get('/openapi/v2', sim.userToken, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
      expect(pb.status).toBe(200);
      expect(pb.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      const body = Buffer.from(await pb.arrayBuffer());
      expect(decode(body).get(1)?.[0]?.toString()).toBe('2.0');
      const index = await (await get('/openapi/v3', sim.token)).json() as { paths: Record<string, { serverRelativeURL: string }> };
      const doc = await get(index.paths['apis/kubevirt.io/v1']!.serverRelativeURL, sim.token);
      expect(doc.headers.get('cache-control')).toBe('public, immutable');
      expect(((await doc.json()) as Obj).components.schemas['io.kubevirt.v1.VirtualMachine']).toBeDefined();
      expect((await get('/openapi/v3/apis/nope/v1', sim.token)).status).toBe(404);
    } finally {
      await sim.stop();
    }
  });
});

/** A protobuf reader for the test: field number → raw values (length-delimited as Buffers, varints as numbers). */
function decode(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = () => {
    let n = 0; let shift = 0; let b: number;
    do { b = buf[i++]!; n += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return n;
  };
  while (i < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let v: Buffer;
    if (wire === 2) { const len = varint(); v = buf.subarray(i, i + len); i += len; } else if (wire === 0) v = Buffer.from(String(varint()));
    else if (wire === 1) { v = buf.subarray(i, i + 8); i += 8; } else throw new Error(`wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}
