import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';

const path = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;

describe('PUT /cloudapi/1.0.0/users/:userId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    alice = await seedUser(t.db, acme.id, 'alice', 'Organization Administrator', { fullName: 'Alice A', email: 'a@example.com', description: 'd' });
  });

  itKeepsTheEtagContract({ t: () => t, token: () => admin, path: () => path(alice.id), method: 'PUT', body: (n) => ({ username: 'alice', fullName: `Alice ${n}` }) });

  it('replaces the text fields (absent = empty) and keeps roles, org and enabled when absent', async () => {
    const res = await t.request('PUT', path(alice.id), { token: admin, body: { username: 'alice', fullName: 'Alice Z' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      username: 'alice', fullName: 'Alice Z', email: '', description: '', enabled: true,
      orgEntityRef: { name: 'Acme' }, roleEntityRefs: [{ name: 'Organization Administrator' }],
    });
  });

  it('accepts the object GET returned, changed, and the FullName alias', async () => {
    const cur = await json(await t.request('GET', path(alice.id), { token: admin }));
    const res = await t.request('PUT', path(alice.id), { token: admin, body: { ...cur, fullName: undefined, FullName: 'From UI', enabled: false, roleEntityRefs: [{ id: cur.roleEntityRef.id }] } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ fullName: 'From UI', email: 'a@example.com', description: 'd', enabled: false });
    expect(body.lastModifiedDate >= cur.lastModifiedDate).toBe(true);
  });

  it('lets a vApp User replace their own name and e-mail but nothing else', async () => {
    const bob = await seedUser(t.db, acme.id, 'bob', 'vApp User');
    const tok = await t.login('bob', USER_PASSWORD);
    const ok = await t.request('PUT', path(bob.id), { token: tok, body: { username: 'bob', fullName: 'Bob B', email: 'b@example.com' } });
    expect(ok.status).toBe(200);
    const no = await t.request('PUT', path(bob.id), { token: tok, body: { username: 'bob', roleEntityRefs: [{ name: 'Organization Administrator' }] } });
    expect(no.status).toBe(403);
    expect((await json(no)).message).toContain('roleEntityRefs');
  });

  it('ends the sessions when disabling', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('PUT', path(alice.id), { token: admin, body: { username: 'alice', enabled: false } })).status).toBe(200);
    expect((await t.request('GET', '/cloudapi/1.0.0/sessions/current', { token: tok })).status).toBe(401);
  });

  it('answers 400 DUPLICATE_NAME for a taken username', async () => {
    const res = await t.request('PUT', path(alice.id), { token: admin, body: { username: 'Boss' } });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('DUPLICATE_NAME');
  });

  it.each([
    ['a list as body', '[]', 'body'],
    ['a numeric email', '{"email": 3}', 'email'],
    ['a null username', '{"username": null}', 'username'],
    ['broken JSON', '{', 'JSON'],
  ])('answers 400 for %s', async (_label, raw, word) => {
    const res = await t.request('PUT', path(alice.id), { token: admin, raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(word);
  });

  it("answers 403 for another org's user to an Organization Administrator, and 401 without a session", async () => {
    const other = seedOrg(t.db, 'Other');
    const olga = await seedUser(t.db, other.id, 'olga', 'vApp User');
    const tok = await t.login('boss', USER_PASSWORD);
    expect((await t.request('PUT', path(olga.id), { token: tok, body: { username: 'olga' } })).status).toBe(403);
    expect((await t.request('PUT', path(olga.id), { body: {} })).status).toBe(401);
  });
});
