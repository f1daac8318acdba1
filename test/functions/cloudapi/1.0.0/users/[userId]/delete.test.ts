import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, ADMIN, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { findUserByUsername } from '#db/queries/users.ts';
import { providerOrg } from '#db/queries/orgs.ts';

const path = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;

describe('DELETE /cloudapi/1.0.0/users/:userId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
  });

  it('answers 204, ends the sessions and frees the username', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('DELETE', path(alice.id), { token: admin });
    expect(res.status).toBe(204);
    expect((await t.request('GET', '/cloudapi/1.0.0/sessions/current', { token: tok })).status).toBe(401);
    expect((await t.request('GET', path(alice.id), { token: admin })).status).toBe(403);
    const again = await t.request('POST', '/cloudapi/1.0.0/users', { token: admin, body: { username: 'alice', password: 'another-password', orgEntityRef: { id: acme.id } } });
    expect(again.status).toBe(201);
    const roles = t.db.$client.prepare('SELECT count(*) AS n FROM user_roles WHERE user_id = ?').get(alice.id) as { n: number };
    expect(roles.n).toBe(0);
  });

  it("lets an Organization Administrator delete their org's users, not another org's", async () => {
    const other = seedOrg(t.db, 'Other');
    const olga = await seedUser(t.db, other.id, 'olga', 'vApp User');
    const tok = await t.login('boss', USER_PASSWORD);
    expect((await t.request('DELETE', path(alice.id), { token: tok })).status).toBe(204);
    const res = await t.request('DELETE', path(olga.id), { token: tok });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain('does not exist or you do not have access');
    expect(findUserByUsername(t.db, 'olga')).toBeDefined();
  });

  it('answers 403 to a vApp User, even on themselves', async () => {
    const bob = await seedUser(t.db, acme.id, 'bob', 'vApp User');
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('DELETE', path(bob.id), { token: tok })).status).toBe(403);
    expect((await t.request('DELETE', path(alice.id), { token: tok })).status).toBe(403);
  });

  it('answers 400 for deleting yourself', async () => {
    const me = findUserByUsername(t.db, ADMIN.username)!;
    const res = await t.request('DELETE', path(me.id), { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('your own account');
  });

  it('deletes another System Administrator while one enabled remains', async () => {
    const root2 = await seedUser(t.db, providerOrg(t.db)!.id, 'root2', 'System Administrator');
    expect((await t.request('DELETE', path(root2.id), { token: admin })).status).toBe(204);
  });

  it('answers 400 for a malformed URN, 403 for a missing user, 401 without a session', async () => {
    expect((await t.request('DELETE', '/cloudapi/1.0.0/users/urn:vcloud:user:zz', { token: admin })).status).toBe(400);
    expect((await t.request('DELETE', path('00000000-0000-4000-8000-000000000000'), { token: admin })).status).toBe(403);
    expect((await t.request('DELETE', path(alice.id))).status).toBe(401);
  });
});
