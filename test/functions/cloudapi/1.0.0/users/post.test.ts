import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { BUILTIN_ROLES } from '#lib/auth/roles.ts';
import { findUserByUsername } from '#db/queries/users.ts';

const URL = '/cloudapi/1.0.0/users';
const PW = 'a-good-password';
const roleUrn = (name: string) => `urn:vcloud:role:${BUILTIN_ROLES.find((r) => r.name === name)!.id}`;

describe('POST /cloudapi/1.0.0/users', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
  });

  it('creates a user with every field and answers 201 with Location and no password', async () => {
    const res = await t.request('POST', URL, { token: admin, body: {
      username: 'carol', password: PW, fullName: 'Carol C', email: 'carol@example.com', description: 'ops',
      orgEntityRef: { id: `urn:vcloud:org:${acme.id}` }, roleEntityRefs: [{ name: 'Organization Administrator' }],
    } });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(res.headers.get('location')).toBe(`http://localhost/cloudapi/1.0.0/users/${body.id}`);
    expect(body).toMatchObject({
      username: 'carol', name: 'carol', fullName: 'Carol C', email: 'carol@example.com', description: 'ops',
      orgEntityRef: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` },
      roleEntityRefs: [{ name: 'Organization Administrator', id: roleUrn('Organization Administrator') }],
      roleEntityRef: { name: 'Organization Administrator' },
      enabled: true, locked: false, providerType: 'LOCAL', nameInSource: 'carol', deployedVmQuota: 0, storedVmQuota: 0,
    });
    expect(body.id).toMatch(/^urn:vcloud:user:[0-9a-f-]{36}$/);
    expect(body.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(body).not.toHaveProperty('password');
    expect(JSON.stringify(body)).not.toContain(PW);
    expect(await t.login('carol', PW, 'Acme')).toHaveLength(43);
  });

  it('accepts the UI aliases FullName, organizationID and a role id in roleEntityRef', async () => {
    const res = await t.request('POST', URL, { token: admin, body: {
      username: 'dave', password: PW, FullName: 'Dave D', organizationID: acme.id, roleEntityRef: { id: roleUrn('vApp User') },
    } });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ fullName: 'Dave D', orgEntityRef: { name: 'Acme' }, roleEntityRefs: [{ name: 'vApp User' }] });
    const res2 = await t.request('POST', URL, { token: admin, body: { username: 'erin', password: PW, organizationId: `urn:vcloud:org:${acme.id}`, roleEntityRefs: ['Organization Administrator'] } });
    expect(await json(res2)).toMatchObject({ orgEntityRef: { name: 'Acme' }, roleEntityRefs: [{ name: 'Organization Administrator' }] });
  });

  it("defaults to the caller's org, the vApp User role and enabled, and honours enabled=false", async () => {
    const a = await json(await t.request('POST', URL, { token: admin, body: { username: 'p1', password: PW } }));
    expect(a).toMatchObject({ orgEntityRef: { name: 'Provider' }, roleEntityRefs: [{ name: 'vApp User' }], enabled: true, fullName: '', email: '' });
    const b = await json(await t.request('POST', URL, { token: admin, body: { username: 'p2', password: PW, enabled: false } }));
    expect(b.enabled).toBe(false);
    const cred = Buffer.from(`p2:${PW}`).toString('base64');
    expect((await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${cred}` } })).status).toBe(401);
  });

  it("uses a System Administrator's tenant context as the default org", async () => {
    const res = await t.request('POST', URL, { token: admin, headers: { 'x-vmware-vcloud-tenant-context': acme.id }, body: { username: 'ctx', password: PW } });
    expect((await json(res)).orgEntityRef.name).toBe('Acme');
  });

  it('answers 400 DUPLICATE_NAME for a taken username in any case, and exactly one of two simultaneous creates wins', async () => {
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const dup = await t.request('POST', URL, { token: admin, body: { username: 'ALICE', password: PW, orgEntityRef: { id: acme.id } } });
    expect(dup.status).toBe(400);
    expect(await json(dup)).toMatchObject({ minorErrorCode: 'DUPLICATE_NAME', message: expect.stringContaining('username') });

    const both = await Promise.all([1, 2].map(() => t.request('POST', URL, { token: admin, body: { username: 'twin', password: PW } })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 400]);
    expect((await json(both.find((r) => r.status === 400)!)).minorErrorCode).toBe('DUPLICATE_NAME');
    const n = t.db.$client.prepare("SELECT count(*) AS n FROM users WHERE username_key = 'twin'").get() as { n: number };
    expect(n.n).toBe(1);
    const roles = t.db.$client.prepare('SELECT count(*) AS n FROM user_roles WHERE user_id = ?').get(findUserByUsername(t.db, 'twin')!.id) as { n: number };
    expect(roles.n).toBe(1);
  });

  it('lets an Organization Administrator create users in their own org only, never System Administrators', async () => {
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    const other = seedOrg(t.db, 'Other');
    const tok = await t.login('boss', USER_PASSWORD, 'Acme');
    const ok = await t.request('POST', URL, { token: tok, body: { username: 'u1', password: PW } });
    expect(ok.status).toBe(201);
    expect((await json(ok)).orgEntityRef.name).toBe('Acme');
    const elsewhere = await t.request('POST', URL, { token: tok, body: { username: 'u2', password: PW, orgEntityRef: { id: other.id } } });
    expect(elsewhere.status).toBe(403);
    expect((await json(elsewhere)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    const sys = await t.request('POST', URL, { token: tok, body: { username: 'u3', password: PW, roleEntityRefs: [{ name: 'System Administrator' }] } });
    expect(sys.status).toBe(403);
    expect((await json(sys)).message).toContain('System Administrator');
    expect(findUserByUsername(t.db, 'u3')).toBeUndefined();
  });

  it('answers 403 to a vApp User', async () => {
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const tok = await t.login('alice', USER_PASSWORD);
    const res = await t.request('POST', URL, { token: tok, body: { username: 'x1', password: PW } });
    expect(res.status).toBe(403);
  });

  it.each([[[]], [[{ id: 'x' }]], ['Acme'], [7]])('answers 400 naming orgEntityRef when it is not a reference (%j)', async (ref) => {
    const res = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, orgEntityRef: ref } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toMatch(/orgEntityRef/);
  });

  it('gives the System Administrator role only in the Provider org', async () => {
    const res = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, orgEntityRef: { id: acme.id }, roleEntityRefs: [{ name: 'System Administrator' }] } });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toMatch(/roleEntityRefs: .*Provider/);
    const ok = await t.request('POST', URL, { token: admin, body: { username: 'x2', password: PW, roleEntityRefs: [{ name: 'System Administrator' }] } });
    expect(ok.status).toBe(201);
  });

  it('answers 403 for an org that does not exist and 400 for a malformed org id or unknown role', async () => {
    const gone = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, orgEntityRef: { id: 'urn:vcloud:org:00000000-0000-4000-8000-000000000000' } } });
    expect(gone.status).toBe(403);
    const bad = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, organizationId: 'urn:vcloud:vdc:nope' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain('organizationId');
    const role = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, roleEntityRefs: [{ name: 'vApp User' }, { name: 'Janitor' }] } });
    expect(role.status).toBe(400);
    expect((await json(role)).message).toContain('roleEntityRefs[1].name');
    const empty = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: PW, roleEntityRefs: [] } });
    expect((await json(empty)).message).toContain('roleEntityRefs');
  });

  it.each([
    ['a missing username', { password: PW }, 'username'],
    ['a missing password', { username: 'x1' }, 'password'],
    ['an empty username', { username: '', password: PW }, 'username'],
    ['a username with a space', { username: 'has space', password: PW }, 'username'],
    ['a 129-character username', { username: 'x'.repeat(129), password: PW }, 'username'],
    ['a numeric username', { username: 42, password: PW }, 'username'],
    ['a short password', { username: 'x1', password: 'short' }, 'password'],
    ['a numeric password', { username: 'x1', password: 12345678 }, 'password'],
    ['a bad e-mail', { username: 'x1', password: PW, email: 'not-an-address' }, 'email'],
    ['a 300-character fullName', { username: 'x1', password: PW, fullName: 'f'.repeat(300) }, 'fullName'],
    ['a 5000-character description', { username: 'x1', password: PW, description: 'd'.repeat(5000) }, 'description'],
    ['a string enabled', { username: 'x1', password: PW, enabled: 'yes' }, 'enabled'],
    ['roleEntityRefs as a string', { username: 'x1', password: PW, roleEntityRefs: 'vApp User' }, 'roleEntityRefs'],
    ['orgEntityRef as a string', { username: 'x1', password: PW, orgEntityRef: 'Acme' }, 'orgEntityRef'],
  ])('answers 400 for %s naming the field', async (_label, body, field) => {
    const res = await t.request('POST', URL, { token: admin, body });
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b.minorErrorCode).toBe('BAD_REQUEST');
    expect(b.message).toContain(field);
  });

  it('never echoes a password in an error', async () => {
    const res = await t.request('POST', URL, { token: admin, body: { username: 'x1', password: 'secret7' } });
    expect(await res.text()).not.toContain('secret7');
  });

  it('answers 400 for broken JSON and treats an empty body as {}', async () => {
    const broken = await t.request('POST', URL, { token: admin, raw: '{', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    const empty = await t.request('POST', URL, { token: admin, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('username');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('POST', URL, { body: { username: 'x1', password: PW } })).status).toBe(401);
  });
});
