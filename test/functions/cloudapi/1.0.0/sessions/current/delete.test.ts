import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const ME = '/cloudapi/1.0.0/sessions/current';

describe('DELETE /cloudapi/1.0.0/sessions/current', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers 204 and revokes the token at once, leaving other sessions alone', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const other = await t.login('alice', USER_PASSWORD);
    const res = await t.request('DELETE', ME, { token: tok });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const after = await t.request('GET', ME, { token: tok });
    expect(after.status).toBe(401);
    expect((await json(after)).minorErrorCode).toBe('UNAUTHORIZED');
    expect((await t.request('DELETE', ME, { token: tok })).status).toBe(401);
    expect((await t.request('GET', ME, { token: other })).status).toBe(200);
  });

  it('works with the x-vcloud-authorization header', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('DELETE', ME, { headers: { 'x-vcloud-authorization': tok } })).status).toBe(204);
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('DELETE', ME)).status).toBe(401);
  });
});
