import { describe, it, expect, vi, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

// The password check is the await in the middle of a login: a hook run just before it answers
// lets a test change the database exactly where a concurrent request could.
const hooks = vi.hoisted(() => ({ beforeVerified: undefined as (() => void) | undefined }));
vi.mock('#lib/auth/password.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('#lib/auth/password.ts')>();
  return {
    ...real,
    verifyPassword: async (pw: string, stored: string) => {
      const ok = await real.verifyPassword(pw, stored);
      hooks.beforeVerified?.();
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
