import { describe, it, expect, vi, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { findUser } from '#db/queries/users.ts';

// The password check is the await in the middle of a login: a hook run just before it answers
// lets a test change the database exactly where a concurrent request could.
const hooks = vi.hoisted(() => ({ beforeVerified: undefined as (() => void | Promise<void>) | undefined }));
vi.mock('#lib/auth/password.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('#lib/auth/password.ts')>();
  return {
    ...real,
    verifyPassword: async (pw: string, stored: string) => {
      const ok = await real.verifyPassword(pw, stored);
      await hooks.beforeVerified?.();
      return ok;
    },
  };
});

describe('login racing the deletion of its user', () => {
  let t: TestApp;
  beforeEach(async () => {
    hooks.beforeVerified = undefined;
    t = await makeTestApp();
  });

  it('answers 401 like any unknown user, not 500', async () => {
    const acme = seedOrg(t.db, 'Acme');
    const alice = await seedUser(t.db, acme.id, 'alice', 'Organization Administrator');
    hooks.beforeVerified = () => { t.db.$client.prepare('DELETE FROM users WHERE id = ?').run(alice.id); };
    const cred = Buffer.from(`alice@Acme:${USER_PASSWORD}`).toString('base64');
    const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${cred}` } });
    expect(res.status).toBe(401);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('UNAUTHORIZED');
    expect(res.headers.get('x-vmware-vcloud-access-token')).toBeNull();
  });
});

describe('login racing a password reset', () => {
  let t: TestApp;
  beforeEach(async () => {
    hooks.beforeVerified = undefined;
    t = await makeTestApp();
  });

  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`alice@Acme:${password}`).toString('base64')}` });
  const userPath = (id: string) => `/cloudapi/1.0.0/users/${encodeURIComponent(`urn:vcloud:user:${id}`)}`;

  it('answers 401 and leaves no session when the reset commits while the old password is checked', async () => {
    const acme = seedOrg(t.db, 'Acme');
    const alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const admin = await t.adminToken();
    // The reset runs to its commit (new hash, sessions ended) between the login's read of the
    // user and its session insert, once: the reset's own requests do not re-enter the hook.
    let reset: Response | undefined;
    hooks.beforeVerified = async () => {
      hooks.beforeVerified = undefined;
      reset = await t.request('PATCH', userPath(alice.id), { token: admin, body: { password: 'brand-new-pass' } });
    };
    const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: basic(USER_PASSWORD) });
    expect(reset?.status).toBe(200);
    expect(res.status).toBe(401);
    expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
    expect(res.headers.get('x-vmware-vcloud-access-token')).toBeNull();
    expect(t.db.$client.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(alice.id)).toEqual({ n: 0 });
    // The new password logs in; the reset was not undone.
    expect((await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: basic('brand-new-pass') })).status).toBe(200);
    expect(findUser(t.db, alice.id)!.passwordGeneration).toBe(1);
  });

  it('still logs in when an unrelated change commits while the password is checked', async () => {
    const acme = seedOrg(t.db, 'Acme');
    const alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
    const admin = await t.adminToken();
    hooks.beforeVerified = async () => {
      hooks.beforeVerified = undefined;
      await t.request('PATCH', userPath(alice.id), { token: admin, body: { fullName: 'Alice B' } });
    };
    const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: basic(USER_PASSWORD) });
    expect(res.status).toBe(200);
    expect((await json(res)).user.name).toBe('alice');
  });
});
