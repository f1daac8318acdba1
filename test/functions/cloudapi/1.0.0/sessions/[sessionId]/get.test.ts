import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const current = async (t: TestApp, tok: string) => (await json(await t.request('GET', '/cloudapi/1.0.0/sessions/current', { token: tok }))).id as string;

describe('GET /cloudapi/1.0.0/sessions/:sessionId', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
  });

  it("answers the caller's own sessions, this one or another", async () => {
    const a1 = await t.login('alice', USER_PASSWORD);
    const a2 = await t.login('alice', USER_PASSWORD);
    const id2 = await current(t, a2);
    const res = await t.request('GET', `/cloudapi/1.0.0/sessions/${encodeURIComponent(id2)}`, { token: a1 });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: id2, user: { name: 'alice' }, roles: ['vApp User'] });
  });

  it("answers 403 for someone else's session, even to an administrator, like a missing one", async () => {
    const alice = await t.login('alice', USER_PASSWORD);
    const aliceId = await current(t, alice);
    for (const tok of [await t.login('boss', USER_PASSWORD), await t.adminToken()]) {
      const res = await t.request('GET', `/cloudapi/1.0.0/sessions/${aliceId}`, { token: tok });
      expect(res.status).toBe(403);
      expect((await json(res)).message).toContain('does not exist or you do not have access');
    }
    expect((await t.request('GET', '/cloudapi/1.0.0/sessions/urn:vcloud:session:00000000-0000-4000-8000-000000000000', { token: alice })).status).toBe(403);
  });

  it.each(['x', 'urn:vcloud:user:00000000-0000-4000-8000-000000000000'])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/sessions/${encodeURIComponent(id)}`, { token: await t.adminToken() });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('sessionId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/sessions/urn:vcloud:session:00000000-0000-4000-8000-000000000000')).status).toBe(401);
  });
});
