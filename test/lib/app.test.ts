import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, ADMIN, type TestApp } from '#test/support/app.ts';
import { seedOrg } from '#test/support/fixtures.ts';
import { MAX_BODY_BYTES } from '#lib/http/input.ts';

const ORGS = '/cloudapi/1.0.0/orgs';
const SUPPORTED = '35.0, 36.0, 37.0, 38.0, 38.1, 39.0';

function expectEnvelope(body: any, code: number, minor: string) {
  expect(body).toEqual({ minorErrorCode: minor, message: expect.any(String), stackTrace: null, code, error: expect.any(String) });
  expect(body.message.length).toBeGreaterThan(0);
}

describe('createApp (app-wide behaviour)', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
  });

  describe('routing', () => {
    it('answers 404 RESOURCE_NOT_FOUND with the envelope for an unknown route', async () => {
      const res = await t.request('GET', '/cloudapi/1.0.0/nothing-here', { token: admin });
      expect(res.status).toBe(404);
      expectEnvelope(await json(res), 404, 'RESOURCE_NOT_FOUND');
    });

    it('answers 404 for an unknown route even without a session', async () => {
      const res = await t.request('DELETE', '/no/such/thing');
      expect(res.status).toBe(404);
      expectEnvelope(await json(res), 404, 'RESOURCE_NOT_FOUND');
    });

    it('answers 405 METHOD_NOT_ALLOWED with Allow for another method on a known route', async () => {
      const res = await t.request('PUT', ORGS, { token: admin, body: {} });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      const body = await json(res);
      expectEnvelope(body, 405, 'METHOD_NOT_ALLOWED');
      expect(body.message).toContain('GET, POST');
    });

    it('answers 405 with Allow for a parameterised route', async () => {
      const res = await t.request('POST', `${ORGS}/urn:vcloud:org:${crypto.randomUUID()}`, { token: admin, body: {} });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')!.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    });

    it('decodes percent-encoded URNs in paths', async () => {
      const org = seedOrg(t.db, 'Acme');
      for (const path of [`${ORGS}/urn%3Avcloud%3Aorg%3A${org.id}`, `${ORGS}/urn%3avcloud%3aorg%3a${org.id}`, `${ORGS}/urn:vcloud:org:${org.id}`]) {
        const res = await t.request('GET', path, { token: admin });
        expect(res.status, path).toBe(200);
        expect((await json(res)).id).toBe(`urn:vcloud:org:${org.id}`);
      }
    });

    it('answers 400 naming the parameter for a malformed or wrong-typed URN', async () => {
      for (const id of ['not-a-urn', `urn%3Avcloud%3Avdc%3A${crypto.randomUUID()}`, '%E0%A4%A']) {
        const res = await t.request('GET', `${ORGS}/${id}`, { token: admin });
        expect(res.status, id).toBe(400);
        const body = await json(res);
        expectEnvelope(body, 400, 'BAD_REQUEST');
        expect(body.message).toContain('orgId');
      }
    });
  });

  describe('request bodies', () => {
    it('answers 400 for malformed JSON', async () => {
      const res = await t.request('POST', ORGS, { token: admin, raw: '{"name": ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      const body = await json(res);
      expectEnvelope(body, 400, 'BAD_REQUEST');
      expect(body.message).toMatch(/malformed JSON/);
    });

    it('answers 413 PAYLOAD_TOO_LARGE for a body over 1 MiB, with and without Content-Length', async () => {
      const big = JSON.stringify({ name: 'x', description: 'a'.repeat(MAX_BODY_BYTES) });
      const a = await t.request('POST', ORGS, { token: admin, raw: big, headers: { 'content-type': 'application/json' } });
      expect(a.status).toBe(413);
      expectEnvelope(await json(a), 413, 'PAYLOAD_TOO_LARGE');
      const b = await t.request('POST', ORGS, { token: admin, raw: big, headers: { 'content-type': 'application/json', 'content-length': String(big.length) } });
      expect(b.status).toBe(413);
    });

    it('accepts a body of exactly 1 MiB as far as size goes', async () => {
      const pad = MAX_BODY_BYTES - JSON.stringify({ name: 'Sized', x: '' }).length;
      const raw = JSON.stringify({ name: 'Sized', x: 'a'.repeat(pad) });
      expect(raw.length).toBe(MAX_BODY_BYTES);
      const res = await t.request('POST', ORGS, { token: admin, raw, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(201);
    });

    it.each(['application/xml', 'text/plain', 'text/plain;charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('answers 415 for Content-Type %s', async (type) => {
      const res = await t.request('POST', ORGS, { token: admin, raw: '{"name":"Acme"}', headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      const body = await json(res);
      expectEnvelope(body, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(body.message).toContain('application/json');
    });

    it.each(['application/json', 'application/*+json;version=39.0', 'Application/JSON; charset=utf-8', 'application/vnd.vmware.vcloud.org+json'])('accepts Content-Type %s', async (type) => {
      const res = await t.request('POST', ORGS, { token: admin, raw: '{"name":"Acme"}', headers: { 'content-type': type } });
      expect(res.status).toBe(201);
    });

    it('treats an empty body as {} with and without Content-Type', async () => {
      const org = seedOrg(t.db, 'Acme');
      const path = `${ORGS}/urn:vcloud:org:${org.id}`;
      for (const headers of [{ 'content-type': 'application/json' }, {} as Record<string, string>]) {
        const res = await t.request('PATCH', path, { token: admin, raw: '', headers });
        expect(res.status).toBe(200);
        expect((await json(res)).name).toBe('Acme');
      }
      // On a create, {} misses the required name: a validation 400, not a parse error.
      const res = await t.request('POST', ORGS, { token: admin, raw: '' });
      expect(res.status).toBe(400);
      expect((await json(res)).message).toMatch(/^name: /);
    });

    it('treats a whitespace-only body as {}', async () => {
      const res = await t.request('POST', ORGS, { token: admin, raw: ' \n ', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect((await json(res)).message).toMatch(/^name: /);
    });
  });

  describe('Accept and versions', () => {
    it('answers 406 NOT_ACCEPTABLE listing the supported versions', async () => {
      const res = await t.request('GET', ORGS, { token: admin, headers: { accept: 'application/json;version=5.1' } });
      expect(res.status).toBe(406);
      const body = await json(res);
      expectEnvelope(body, 406, 'NOT_ACCEPTABLE');
      expect(body.message).toContain('5.1');
      expect(body.message).toContain(SUPPORTED);
    });

    it.each([
      'application/json',
      'application/*+json;version=39.0',
      'application/*;version=38.1',
      'APPLICATION/*+JSON;VERSION=39.0',
      'application/json; version = 36.0',
      'application/json;version="37.0"',
      '*/*',
      'application/*+xml;version=5.5, application/*+json;version=39.0',
      'text/html, application/xhtml+xml, */*;q=0.8',
    ])('accepts Accept %s', async (accept) => {
      const res = await t.request('GET', ORGS, { token: admin, headers: { accept } });
      expect(res.status).toBe(200);
    });

    it('answers 406 before authentication so clients learn the versions first', async () => {
      const res = await t.request('GET', ORGS, { headers: { accept: 'application/*+json;version=99.0' } });
      expect(res.status).toBe(406);
    });
  });

  describe('headers', () => {
    it('puts X-VMWARE-VCLOUD-REQUEST-ID on every response', async () => {
      const responses = [
        await t.request('GET', ORGS, { token: admin }),
        await t.request('GET', ORGS),
        await t.request('GET', '/nowhere'),
        await t.request('PUT', ORGS, { token: admin, body: {} }),
        await t.request('GET', ORGS, { token: admin, headers: { accept: 'application/json;version=1.0' } }),
        await t.request('POST', ORGS, { token: admin, raw: '{' }),
        await t.request('GET', '/healthz'),
      ];
      const ids = responses.map((r) => r.headers.get('x-vmware-vcloud-request-id'));
      for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('puts nosniff and Cache-Control: no-store on answers, errors and the login answer', async () => {
      const basic = (pw: string) => ({ authorization: `Basic ${Buffer.from(`${ADMIN.username}@System:${pw}`).toString('base64')}` });
      const login = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: basic(ADMIN.password) });
      expect(login.headers.get('x-vmware-vcloud-access-token')).toBeTruthy();
      const refused = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: basic('wrong-password') });
      expect(refused.status).toBe(401);
      const responses = [
        await t.request('GET', ORGS, { token: admin }),
        await t.request('GET', ORGS),
        await t.request('GET', '/nowhere'),
        await t.request('PUT', ORGS, { token: admin, body: {} }),
        await t.request('POST', ORGS, { token: admin, raw: '{' }),
        login, refused,
      ];
      for (const r of responses) {
        expect(r.headers.get('x-content-type-options'), String(r.status)).toBe('nosniff');
        expect(r.headers.get('cache-control'), String(r.status)).toBe('no-store');
      }
    });

    it('ignores unknown request headers', async () => {
      const res = await t.request('GET', ORGS, { token: admin, headers: { 'x-vmware-vcloud-client-request-id': 'abc', 'x-something-else': '1' } });
      expect(res.status).toBe(200);
    });
  });

  describe('server faults', () => {
    it('answers 500 with the envelope, a null stackTrace and no SQL or driver text', async () => {
      t.db.$client.close();
      const res = await t.request('GET', ORGS, { token: admin, allow500: true });
      expect(res.status).toBe(500);
      const text = await res.text();
      const body = JSON.parse(text);
      expectEnvelope(body, 500, 'INTERNAL_SERVER_ERROR');
      const reqId = res.headers.get('x-vmware-vcloud-request-id')!;
      expect(body.message).toContain(reqId);
      expect(text).not.toMatch(/select|sqlite|database|connection|\bat \w|\.ts:/i);
      // The log keeps the cause under the same request id.
      const logged = t.logs.find((l) => l.reqId === reqId && l.err);
      expect(JSON.stringify(logged)).toMatch(/database connection is not open/);
    });

    it('answers 503 on /healthz when the database is unusable', async () => {
      t.db.$client.close();
      expect((await t.request('GET', '/healthz')).status).toBe(503);
    });
  });

  describe('access log', () => {
    it('writes one JSON line per request with the request id, method, path, status and time', async () => {
      const res = await t.request('GET', `${ORGS}?page=1`, { token: admin });
      const reqId = res.headers.get('x-vmware-vcloud-request-id');
      const line = t.logs.find((l) => l.msg === 'request' && l.reqId === reqId);
      expect(line).toMatchObject({ method: 'GET', path: ORGS, status: 200, user: ADMIN.username, service: 'ssvirt' });
      expect(typeof line!.ms).toBe('number');
      expect(typeof line!.time).toBe('string');
    });

    it('never contains the Authorization header, Basic credentials or the token', async () => {
      const basic = Buffer.from(`${ADMIN.username}@System:${ADMIN.password}`).toString('base64');
      const login = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${basic}` } });
      const token = login.headers.get('x-vmware-vcloud-access-token')!;
      expect(token.length).toBeGreaterThanOrEqual(43);
      const wrong = Buffer.from(`${ADMIN.username}:wrong-password-9`).toString('base64');
      await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${wrong}` } });
      await t.request('GET', ORGS, { token });
      await t.request('GET', ORGS, { headers: { 'x-vmware-vcloud-access-token': token } });
      await t.request('GET', ORGS, { headers: { 'x-vcloud-authorization': 'unknown-token-value-unknown-token-value-xyz' } });
      await t.request('POST', ORGS, { token, body: { name: 'Acme', password: 'body-secret-1' } });
      const text = JSON.stringify(t.logs);
      for (const secret of [token, admin, basic, wrong, ADMIN.password, 'wrong-password-9', 'unknown-token-value', 'body-secret-1']) {
        expect(text).not.toContain(secret);
      }
      expect(text.toLowerCase()).not.toContain('bearer ');
      expect(t.logs.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(6);
    });
  });

  describe('CORS', () => {
    const ORIGIN = 'https://ui.example.com';
    const EXPOSE = 'Authorization, X-VMWARE-VCLOUD-ACCESS-TOKEN, X-VMWARE-VCLOUD-TOKEN-TYPE, Location, Link, X-VMWARE-VCLOUD-REQUEST-ID';

    it('answers a preflight from an allowed origin with 204 and the allowed methods and headers', async () => {
      const c = await makeTestApp({ env: { SSVIRT_CORS_ORIGINS: `${ORIGIN}, https://other.example.com` } });
      const res = await c.request('OPTIONS', ORGS, { headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE, OPTIONS');
      expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Accept, X-VMWARE-VCLOUD-TENANT-CONTEXT, X-VMWARE-VCLOUD-ACCESS-TOKEN, x-vcloud-authorization');
      expect(res.headers.get('x-vmware-vcloud-request-id')).toBeTruthy();
    });

    it('exposes the token, Location, Link and request id headers on responses to an allowed origin', async () => {
      const c = await makeTestApp({ env: { SSVIRT_CORS_ORIGINS: ORIGIN } });
      const tok = await c.adminToken();
      for (const res of [await c.request('GET', ORGS, { token: tok, headers: { origin: ORIGIN } }), await c.request('GET', '/nowhere', { headers: { origin: ORIGIN } })]) {
        expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
        expect(res.headers.get('access-control-expose-headers')).toBe(EXPOSE);
      }
    });

    it('allows any origin with *', async () => {
      const c = await makeTestApp({ env: { SSVIRT_CORS_ORIGINS: '*' } });
      const res = await c.request('GET', '/healthz', { headers: { origin: 'https://anywhere.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('adds no CORS headers for another origin or when CORS is not configured', async () => {
      const c = await makeTestApp({ env: { SSVIRT_CORS_ORIGINS: ORIGIN } });
      const other = await c.request('OPTIONS', ORGS, { headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.status).not.toBe(204);
      const res = await t.request('GET', '/healthz', { headers: { origin: ORIGIN } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-expose-headers')).toBeNull();
    });
  });
});
