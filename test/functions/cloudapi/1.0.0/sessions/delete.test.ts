import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const PATH = '/cloudapi/1.0.0/sessions';
const ME = '/cloudapi/1.0.0/sessions/current';

describe('DELETE /cloudapi/1.0.0/sessions (the Terraform SDK\'s logout)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers 204 and revokes the caller\'s token at once, leaving other sessions alone', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const other = await t.login('alice', USER_PASSWORD);
    const res = await t.request('DELETE', PATH, { token: tok });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect((await t.request('GET', ME, { token: other })).status).toBe(200);
  });

  it('answers 401 without a valid token', async () => {
    const res = await t.request('DELETE', PATH);
    expect(res.status).toBe(401);
    expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
  });
});
