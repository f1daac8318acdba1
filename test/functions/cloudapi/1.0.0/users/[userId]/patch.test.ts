import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, ADMIN, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { itKeepsTheEtagContract } from '#test/support/etag-contract.ts';
import { findUserByUsername, findUserWithOrg } from '#db/queries/users.ts';
import { providerOrg } from '#db/queries/orgs.ts';
import { verifyPassword } from '#lib/auth/password.ts';

const path = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;
const ME = '/cloudapi/1.0.0/sessions/current';

describe('PATCH /cloudapi/1.0.0/users/:userId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let other: ReturnType<typeof seedOrg>;
  let alice: Awaited<ReturnType<typeof seedUser>>;
  let boss: Awaited<ReturnType<typeof seedUser>>;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    other = seedOrg(t.db, 'Other');
    boss = await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User', { fullName: 'Alice A', email: 'a@example.com', description: 'keep me' });
  });

  itKeepsTheEtagContract({ t: () => t, token: () => admin, path: () => path(alice.id), method: 'PATCH', body: (n) => ({ fullName: `Alice ${n}` }) });

  it('changes only the given fields', async () => {
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { fullName: 'Alice B' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ fullName: 'Alice B', email: 'a@example.com', description: 'keep me', enabled: true, roleEntityRefs: [{ name: 'vApp User' }] });
  });

  it('disables with {enabled:false} and ends the user\'s sessions at once', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { enabled: false } });
    expect(res.status).toBe(200);
    expect((await json(res)).enabled).toBe(false);
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    const back = await t.request('PATCH', path(alice.id), { token: admin, body: { enabled: true } });
    expect((await json(back)).enabled).toBe(true);
    await t.login('alice', USER_PASSWORD);
  });

  it('replaces roles with {roleEntityRefs} and ends the sessions', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { roleEntityRefs: [{ name: 'Organization Administrator' }, { name: 'vApp User' }] } });
    expect(res.status).toBe(200);
    expect((await json(res)).roleEntityRefs.map((r: any) => r.name)).toEqual(['Organization Administrator', 'vApp User']);
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
  });

  it('moves the ETag for a change of roles alone (they are part of the user)', async () => {
    const before = (await t.request('GET', path(alice.id), { token: admin })).headers.get('etag');
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { roleEntityRefs: [{ name: 'Organization Administrator' }] } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(before);
  });

  it('moves a user with {orgEntityRef} and ends the sessions', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { orgEntityRef: { id: `urn:vcloud:org:${other.id}`, name: 'Other' } } });
    expect(res.status).toBe(200);
    expect((await json(res)).orgEntityRef).toEqual({ name: 'Other', id: `urn:vcloud:org:${other.id}` });
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
  });

  it('sets a new password (an administrator needs no current password) and ends the sessions', async () => {
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('PATCH', path(alice.id), { token: admin, body: { password: 'brand-new-pass' } })).status).toBe(200);
    expect((await t.request('GET', ME, { token: tok })).status).toBe(401);
    expect(await verifyPassword('brand-new-pass', findUserWithOrg(t.db, alice.id)!.passwordHash)).toBe(true);
  });

  it('renames, and answers 400 DUPLICATE_NAME for a taken username', async () => {
    expect((await json(await t.request('PATCH', path(alice.id), { token: admin, body: { username: 'alicia' } }))).username).toBe('alicia');
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { username: 'BOSS' } });
    expect(res.status).toBe(400);
    expect((await json(res)).minorErrorCode).toBe('DUPLICATE_NAME');
  });

  describe('as a vApp User on themselves', () => {
    let tok: string;
    beforeEach(async () => { tok = await t.login('alice', USER_PASSWORD); });

    it('changes fullName and email', async () => {
      const res = await t.request('PATCH', path(alice.id), { token: tok, body: { fullName: 'Me', email: 'me@example.com' } });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ fullName: 'Me', email: 'me@example.com' });
    });

    it('changes the password only with the current one, keeping this session and ending others', async () => {
      const second = await t.login('alice', USER_PASSWORD);
      const missing = await t.request('PATCH', path(alice.id), { token: tok, body: { password: 'brand-new-pass' } });
      expect(missing.status).toBe(400);
      expect((await json(missing)).message).toContain('currentPassword');
      const wrong = await t.request('PATCH', path(alice.id), { token: tok, body: { password: 'brand-new-pass', currentPassword: 'not-it-at-all' } });
      expect(wrong.status).toBe(400);
      expect((await json(wrong)).message).toContain('currentPassword');
      const ok = await t.request('PATCH', path(alice.id), { token: tok, body: { password: 'brand-new-pass', oldPassword: USER_PASSWORD } });
      expect(ok.status).toBe(200);
      expect((await t.request('GET', ME, { token: tok })).status).toBe(200);
      expect((await t.request('GET', ME, { token: second })).status).toBe(401);
      await t.login('alice', 'brand-new-pass');
    });

    it.each([
      ['enabled', { enabled: false }], ['roleEntityRefs', { roleEntityRefs: [{ name: 'Organization Administrator' }] }],
      ['orgEntityRef', { orgEntityRef: { id: 'ACME' } }], ['username', { username: 'queen' }], ['description', { description: 'x' }],
    ])('answers 403 for a change of %s', async (field, body) => {
      const b = JSON.parse(JSON.stringify(body).replace('ACME', other.id));
      const res = await t.request('PATCH', path(alice.id), { token: tok, body: b });
      expect(res.status).toBe(403);
    });

    it('accepts unchanged privileged fields (a client sending the whole object back)', async () => {
      const me = await json(await t.request('GET', path(alice.id), { token: tok }));
      const res = await t.request('PATCH', path(alice.id), { token: tok, body: { ...me, fullName: 'Round Trip' } });
      expect(res.status).toBe(200);
      expect((await json(res)).fullName).toBe('Round Trip');
    });

    it('answers 403 for another user', async () => {
      const res = await t.request('PATCH', path(boss.id), { token: tok, body: { fullName: 'x' } });
      expect(res.status).toBe(403);
      expect((await json(res)).message).toContain('does not exist or you do not have access');
    });
  });

  describe('as an Organization Administrator', () => {
    let tok: string;
    beforeEach(async () => { tok = await t.login('boss', USER_PASSWORD); });

    it("administers their org's users", async () => {
      const res = await t.request('PATCH', path(alice.id), { token: tok, body: { enabled: false, roleEntityRefs: [{ name: 'Organization Administrator' }] } });
      expect(res.status).toBe(200);
    });

    it('may not grant System Administrator nor move a user to another org', async () => {
      const sys = await t.request('PATCH', path(alice.id), { token: tok, body: { roleEntityRefs: [{ name: 'System Administrator' }] } });
      expect(sys.status).toBe(403);
      expect((await json(sys)).message).toContain('System Administrator');
      const move = await t.request('PATCH', path(alice.id), { token: tok, body: { orgEntityRef: { id: other.id } } });
      expect(move.status).toBe(403);
    });

    it("answers 403 for another org's user", async () => {
      const olga = await seedUser(t.db, other.id, 'olga', 'vApp User');
      expect((await t.request('PATCH', path(olga.id), { token: tok, body: { enabled: false } })).status).toBe(403);
    });
  });

  it('answers 400 for disabling yourself', async () => {
    const tok = await t.login('boss', USER_PASSWORD);
    const res = await t.request('PATCH', path(boss.id), { token: tok, body: { enabled: false } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('enabled');
  });

  it('keeps the last enabled System Administrator: no demoting or moving out of Provider', async () => {
    // Only a System Administrator can change one, so the last one can only be changed by themselves.
    const adminId = findUserByUsername(t.db, ADMIN.username)!.id;
    const root2 = await seedUser(t.db, providerOrg(t.db)!.id, 'root2', 'System Administrator');
    expect((await t.request('PATCH', path(root2.id), { token: admin, body: { roleEntityRefs: ['vApp User'] } })).status).toBe(200);
    const dormant = await seedUser(t.db, providerOrg(t.db)!.id, 'root3', 'System Administrator', { enabled: false });
    for (const body of [{ roleEntityRefs: ['vApp User'] }, { orgEntityRef: { id: acme.id }, roleEntityRefs: ['vApp User'] }]) {
      const res = await t.request('PATCH', path(adminId), { token: admin, body });
      expect(res.status).toBe(400);
      expect((await json(res)).message).toContain('last enabled System Administrator');
    }
    // A disabled System Administrator does not count; once enabled, the change is possible.
    expect((await t.request('PATCH', path(dormant.id), { token: admin, body: { enabled: true } })).status).toBe(200);
    expect((await t.request('PATCH', path(adminId), { token: admin, body: { roleEntityRefs: ['vApp User'] } })).status).toBe(200);
  });

  it('answers 400 for the System Administrator role outside Provider', async () => {
    const res = await t.request('PATCH', path(alice.id), { token: admin, body: { roleEntityRefs: [{ name: 'System Administrator' }] } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('Provider');
  });

  it.each([
    ['a numeric fullName', { fullName: 5 }, 'fullName'], ['a bad e-mail', { email: 'x@' }, 'email'],
    ['a short password', { password: 'short' }, 'password'], ['a string enabled', { enabled: 'no' }, 'enabled'],
    ['a malformed org id', { orgEntityRef: { id: 'urn:vcloud:vdc:x' } }, 'orgEntityRef.id'],
    ['a malformed role id', { roleEntityRefs: [{ id: 'x' }] }, 'roleEntityRefs[0].id'],
    ['an empty role list', { roleEntityRefs: [] }, 'roleEntityRefs'],
    ['a 200-character username', { username: 'u'.repeat(200) }, 'username'],
  ])('answers 400 for %s', async (_label, body, field) => {
    const res = await t.request('PATCH', path(alice.id), { token: admin, body });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(field);
  });

  it('treats an empty body as no change and answers 400 for broken JSON', async () => {
    const empty = await t.request('PATCH', path(alice.id), { token: admin, raw: '' });
    expect(empty.status).toBe(200);
    expect((await json(empty)).fullName).toBe('Alice A');
    expect((await t.request('PATCH', path(alice.id), { token: admin, raw: '{"a":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('answers 400 for a malformed URN, 403 for a missing user, 401 without a session', async () => {
    expect((await t.request('PATCH', '/cloudapi/1.0.0/users/nope', { token: admin, body: {} })).status).toBe(400);
    expect((await t.request('PATCH', path('00000000-0000-4000-8000-000000000000'), { token: admin, body: {} })).status).toBe(403);
    expect((await t.request('PATCH', path(alice.id), { body: {} })).status).toBe(401);
  });
});
