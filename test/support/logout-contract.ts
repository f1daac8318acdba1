/**
 * The logout contract every "end the caller's session" route keeps (DELETE /sessions, /sessions/
 * provider — the Terraform SDK's — and /sessions/current): 204, the token revoked at once, the
 * caller's other sessions untouched, 401 without a token.
 */
import { it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from './app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from './fixtures.ts';

const ME = '/cloudapi/1.0.0/sessions/current';

/** Declares the contract's tests for `path` inside the caller's describe. */
export function logoutContract(path: string): void {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers 204 and revokes the caller\'s token at once, leaving other sessions alone', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const other = await t.login('alice', USER_PASSWORD);
    const res = await t.request('DELETE', path, { token: tok });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect((await t.request('GET', ME, { token: other })).status).toBe(200);
  });

  it('answers 401 without a valid token', async () => {
    const res = await t.request('DELETE', path);
    expect(res.status).toBe(401);
    expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
  });
}
