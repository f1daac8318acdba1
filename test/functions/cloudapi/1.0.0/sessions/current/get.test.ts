import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { providerOrg } from '#db/queries/orgs.ts';

const ME = '/cloudapi/1.0.0/sessions/current';
const MIN = 60_000;

describe('GET /cloudapi/1.0.0/sessions/current', () => {
  let t: TestApp;
  let acme: ReturnType<typeof seedOrg>;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  beforeEach(async () => {
    t = await makeTestApp();
    acme = seedOrg(t.db, 'Acme');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers the session of the token', async () => {
    const tok = await t.login('alice', USER_PASSWORD, 'Acme');
    const res = await t.request('GET', ME, { token: tok });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      user: { name: 'alice', id: `urn:vcloud:user:${alice.id}` },
      org: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` },
      operatingOrg: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` },
      site: { name: 'SSVirt' },
      roles: ['vApp User'],
      roleRefs: [{ name: 'vApp User', id: 'urn:vcloud:role:4f1a2b3c-0003-4000-8000-000000000003' }],
      sessionIdleTimeoutMinutes: 30,
    });
    expect(body.id).toMatch(/^urn:vcloud:session:[0-9a-f-]{36}$/);
    expect(body.location).toMatch(new RegExp(`^${acme.id}@[0-9a-f-]{36}$`));
  });

  describe('token headers', () => {
    let tok: string;
    beforeEach(async () => { tok = await t.login('alice', USER_PASSWORD); });

    it.each([
      ['Authorization: Bearer', (x: string) => ({ authorization: `Bearer ${x}` })],
      ['Authorization: bearer (lower case)', (x: string) => ({ authorization: `bearer ${x}` })],
      ['Authorization: BEARER (upper case)', (x: string) => ({ Authorization: `BEARER ${x}` })],
      ['X-VMWARE-VCLOUD-ACCESS-TOKEN', (x: string) => ({ 'X-VMWARE-VCLOUD-ACCESS-TOKEN': x })],
      ['x-vcloud-authorization', (x: string) => ({ 'x-vcloud-authorization': x })],
    ])('accepts %s', async (_name, headers) => {
      expect((await t.request('GET', ME, { headers: headers(tok) })).status).toBe(200);
    });

    it.each([
      ['no token', {}],
      ['an unknown token', { authorization: `Bearer ${'x'.repeat(43)}` }],
      ['an unknown X-VMWARE-VCLOUD-ACCESS-TOKEN', { 'x-vmware-vcloud-access-token': 'nope' }],
      ['a Basic header', { authorization: `Basic ${Buffer.from(`alice:${USER_PASSWORD}`).toString('base64')}` }],
    ])('answers 401 UNAUTHORIZED for %s', async (_name, headers) => {
      const res = await t.request('GET', ME, { headers });
      expect(res.status).toBe(401);
      expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
    });
  });

  describe('expiry', () => {
    let clock: number;
    let c: TestApp;
    beforeEach(async () => {
      clock = Date.parse('2026-11-28T08:00:00.000Z');
      c = await makeTestApp({ now: () => clock, env: { SSVIRT_SESSION_MAX_HOURS: '1' } });
      await seedUser(c.db, providerOrg(c.db)!.id, 'bob', 'vApp User');
    });

    it('ends a session idle longer than SSVIRT_SESSION_IDLE_MINUTES and keeps a used one alive', async () => {
      const tok = await c.login('bob', USER_PASSWORD);
      clock += 29 * MIN;
      expect((await c.request('GET', ME, { token: tok })).status).toBe(200);
      clock += 29 * MIN;
      expect((await c.request('GET', ME, { token: tok })).status).toBe(200);
      clock += 31 * MIN;
      expect((await c.request('GET', ME, { token: tok })).status).toBe(401);
      clock -= 31 * MIN;
      // Once expired, the session is gone for good, even if the clock went back.
      expect((await c.request('GET', ME, { token: tok })).status).toBe(401);
    });

    it('ends a session after SSVIRT_SESSION_MAX_HOURS however busy it is', async () => {
      const tok = await c.login('bob', USER_PASSWORD);
      for (let m = 20; m <= 60; m += 20) {
        clock += 20 * MIN;
        expect((await c.request('GET', ME, { token: tok })).status, `${m} min`).toBe(200);
      }
      clock += 1;
      expect((await c.request('GET', ME, { token: tok })).status).toBe(401);
    });
  });

  it('ends the session when the org is disabled', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const admin = await t.adminToken();
    const res = await t.request('PATCH', `/cloudapi/1.0.0/orgs/urn:vcloud:org:${acme.id}`, { token: admin, body: { isEnabled: false } });
    expect(res.status).toBe(200);
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    // Enabling the org again does not bring the old session back.
    await t.request('PATCH', `/cloudapi/1.0.0/orgs/urn:vcloud:org:${acme.id}`, { token: admin, body: { isEnabled: true } });
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
  });

  describe('X-VMWARE-VCLOUD-TENANT-CONTEXT', () => {
    const ctx = (v: string) => ({ 'X-VMWARE-VCLOUD-TENANT-CONTEXT': v });

    it('lets a System Administrator act in a tenant org: operatingOrg changes and lists narrow', async () => {
      const admin = await t.adminToken();
      seedOrg(t.db, 'Other');
      for (const value of [`urn:vcloud:org:${acme.id}`, acme.id]) {
        const s = await json(await t.request('GET', ME, { token: admin, headers: ctx(value) }));
        expect(s.operatingOrg).toEqual({ name: 'Acme', id: `urn:vcloud:org:${acme.id}` });
        expect(s.org.name).toBe('Provider');
      }
      const orgs = await json(await t.request('GET', '/cloudapi/1.0.0/orgs', { token: admin, headers: ctx(acme.id) }));
      expect(orgs.values.map((o: any) => o.name)).toEqual(['Acme']);
      const all = await json(await t.request('GET', '/cloudapi/1.0.0/orgs', { token: admin }));
      expect(all.values.map((o: any) => o.name)).toEqual(['Acme', 'Other', 'Provider']);
    });

    it('changes nothing when a System Administrator names Provider', async () => {
      const admin = await t.adminToken();
      const p = providerOrg(t.db)!;
      const s = await json(await t.request('GET', ME, { token: admin, headers: ctx(`urn:vcloud:org:${p.id}`) }));
      expect(s.operatingOrg.name).toBe('Provider');
      expect((await json(await t.request('GET', '/cloudapi/1.0.0/orgs', { token: admin, headers: ctx(p.id) }))).resultTotal).toBe(2);
    });

    it('changes nothing when a tenant names their own org (the UI sends it on every call)', async () => {
      const tok = await t.login('alice', USER_PASSWORD);
      const res = await t.request('GET', ME, { token: tok, headers: ctx(`urn:vcloud:org:${acme.id}`) });
      expect(res.status).toBe(200);
      expect((await json(res)).operatingOrg.name).toBe('Acme');
    });

    it('answers 403 to a tenant naming another org', async () => {
      const other = seedOrg(t.db, 'Other');
      const tok = await t.login('alice', USER_PASSWORD);
      for (const value of [`urn:vcloud:org:${other.id}`, providerOrg(t.db)!.id, 'garbage']) {
        const res = await t.request('GET', ME, { token: tok, headers: ctx(value) });
        expect(res.status, value).toBe(403);
        expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
      }
    });

    it('answers 403 to a System Administrator naming an org that does not exist', async () => {
      const res = await t.request('GET', ME, { token: await t.adminToken(), headers: ctx('urn:vcloud:org:00000000-0000-4000-8000-000000000000') });
      expect(res.status).toBe(403);
    });
  });
});
