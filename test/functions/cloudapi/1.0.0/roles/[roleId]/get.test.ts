import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const VAPP_USER = 'urn:vcloud:role:4f1a2b3c-0003-4000-8000-000000000003';

describe('GET /cloudapi/1.0.0/roles/:roleId', () => {
  let t: TestApp;
  beforeEach(async () => { t = await makeTestApp(); });

  it('answers one role to anyone logged in', async () => {
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('GET', `/cloudapi/1.0.0/roles/${encodeURIComponent(VAPP_USER)}`, { token: tok });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: VAPP_USER, name: 'vApp User', description: 'Uses vApps in one organization', bundleKey: 'ROLE_VAPP_USER', readOnly: true });
  });

  it('answers 403 for a role that does not exist', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/roles/urn:vcloud:role:00000000-0000-4000-8000-000000000000', { token: await t.adminToken() });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain('does not exist or you do not have access');
  });

  it.each(['x', 'urn:vcloud:user:4f1a2b3c-0003-4000-8000-000000000003'])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/roles/${encodeURIComponent(id)}`, { token: await t.adminToken() });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('roleId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', `/cloudapi/1.0.0/roles/${VAPP_USER}`)).status).toBe(401);
  });
});
