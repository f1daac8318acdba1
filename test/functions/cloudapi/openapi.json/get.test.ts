import { describe, it, expect, beforeAll } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { loadRoutes, type RouteDef } from '#lib/http/routes.ts';
import { buildOpenApi, openApiPath, type SchemaProblem } from '#lib/openapi.ts';
import pkg from '../../../../package.json' with { type: 'json' };

/**
 * Writes that take no body, on purpose. Anything else that is POST, PUT or PATCH must declare its
 * body schema, so that it is validated and described.
 */
const NO_BODY = new Set([
  'POST /cloudapi/1.0.0/sessions', // login: credentials in the Authorization header
  'POST /cloudapi/1.0.0/sessions/provider', // same, System organization only
]);
/** VCD action endpoints (power on, shut down, …) take an empty body. */
const isAction = (path: string) => /\/(actions?|power)\//.test(path);

describe('GET /cloudapi/openapi.json', () => {
  let t: TestApp;
  let routes: RouteDef[];
  let doc: any;
  beforeAll(async () => {
    t = await makeTestApp();
    routes = await loadRoutes();
    const res = await t.request('GET', '/cloudapi/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = await json(res);
  });

  it('is an OpenAPI 3.1 document of this server, without authentication', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'SSVirt API', version: pkg.version });
    expect(doc.components.securitySchemes).toEqual({
      basicAuth: expect.objectContaining({ type: 'http', scheme: 'basic' }),
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.components.schemas.Error.required).toEqual(['minorErrorCode', 'message', 'stackTrace', 'code', 'error']);
  });

  it('describes every route exactly once, itself included', () => {
    const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(described).toEqual(routes.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
    expect(doc.paths['/cloudapi/openapi.json'].get.security).toEqual([]);
    const ids = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((o: any) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every route declares a summary', () => {
    const missing = routes.filter((r) => typeof r.handler.meta?.summary !== 'string' || r.handler.meta.summary.trim().length < 3);
    expect(missing.map((r) => r.file)).toEqual([]);
  });

  it('every POST, PUT and PATCH declares its body schema (listed exceptions only)', () => {
    const writes = routes.filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
    const missing = writes.filter((r) => !r.handler.meta.body && !NO_BODY.has(`${r.method} ${r.path}`) && !isAction(r.path));
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // An exception for a route that is gone or now has a body is stale.
    for (const key of NO_BODY) {
      const r = routes.find((x) => `${x.method} ${x.path}` === key);
      expect(r, key).toBeDefined();
      expect(r!.handler.meta.body, key).toBeUndefined();
    }
  });

  it('every path parameter is declared (and so decoded and checked) by its route', () => {
    for (const r of routes) {
      expect(Object.keys(r.handler.meta.params ?? {}), r.file).toEqual([...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]));
      const op = doc.paths[openApiPath(r.path)][r.method.toLowerCase()];
      expect((op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name), r.file).toEqual(Object.keys(r.handler.meta.params ?? {}));
    }
  });

  it('converts every declared schema completely', () => {
    const problems: SchemaProblem[] = [];
    buildOpenApi(routes, problems);
    expect(problems).toEqual([]);
  });

  it('describes bodies and queries from the valibot schemas', () => {
    const create = doc.paths['/cloudapi/1.0.0/orgs'].post;
    expect(create.summary).toBe('Create an organization');
    expect(create.security).toEqual([{ bearerAuth: [] }]);
    const body = create.requestBody.content['application/json'].schema;
    expect(create.requestBody.required).toBe(true);
    expect(body.type).toBe('object');
    expect(body.required).toContain('name');
    expect(body.properties.name).toMatchObject({ type: 'string' });
    const list = doc.paths['/cloudapi/1.0.0/orgs'].get;
    const names = list.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['page', 'pageSize', 'filter', 'sortAsc', 'sortDesc']));
    const orgId = doc.paths['/cloudapi/1.0.0/orgs/{orgId}'].get.parameters.find((p: any) => p.name === 'orgId');
    expect(orgId).toMatchObject({ in: 'path', required: true });
    expect(new RegExp(orgId.schema.pattern).test('urn:vcloud:org:0b6e9b5c-52b0-4e3f-9d0c-6f1f3c8e0a11')).toBe(true);
    expect(new RegExp(orgId.schema.pattern).test('urn%3Avcloud%3Aorg%3A0b6e9b5c-52b0-4e3f-9d0c-6f1f3c8e0a11')).toBe(true);
    expect(new RegExp(orgId.schema.pattern).test('urn:vcloud:vdc:0b6e9b5c-52b0-4e3f-9d0c-6f1f3c8e0a11')).toBe(false);
    expect(doc.paths['/cloudapi/1.0.0/sessions'].post.security).toEqual([{ basicAuth: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  it('answers the same document again (built once per route table)', async () => {
    const again = await json(await t.request('GET', '/cloudapi/openapi.json'));
    expect(again).toEqual(doc);
  });

  it('honours the Accept version check like every endpoint (406 for an unknown version)', async () => {
    const res = await t.request('GET', '/cloudapi/openapi.json', { headers: { accept: 'application/json;version=1.0' } });
    expect(res.status).toBe(406);
    expect((await json(res)).minorErrorCode).toBe('NOT_ACCEPTABLE');
  });

  it('answers 405 with Allow for another method', async () => {
    const res = await t.request('POST', '/cloudapi/openapi.json', { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
