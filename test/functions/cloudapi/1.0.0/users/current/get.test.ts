import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

describe('GET /cloudapi/1.0.0/users/current', () => {
  let t: TestApp;
  beforeEach(async () => { t = await makeTestApp(); });

  it("answers the caller's own user", async () => {
    const acme = seedOrg(t.db, 'Acme');
    const alice = await seedUser(t.db, acme.id, 'alice', 'vApp User', { email: 'a@example.com' });
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('GET', '/cloudapi/1.0.0/users/current', { token: tok });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: `urn:vcloud:user:${alice.id}`, username: 'alice', email: 'a@example.com', orgEntityRef: { name: 'Acme' }, roleEntityRefs: [{ name: 'vApp User' }] });
  });

  it('answers the System Administrator too', async () => {
    const body = await json(await t.request('GET', '/cloudapi/1.0.0/users/current', { token: await t.adminToken() }));
    expect(body).toMatchObject({ username: 'admin', orgEntityRef: { name: 'Provider' }, roleEntityRef: { name: 'System Administrator' } });
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/users/current')).status).toBe(401);
  });
});
