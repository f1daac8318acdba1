import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, ADMIN, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('POST /cloudapi/1.0.0/sessions', () => {
  let t: TestApp;
  beforeEach(async () => { t = await makeTestApp(); });

  it('logs in with user@org and answers the session with the three token headers', async () => {
    const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic(`${ADMIN.username}@System:${ADMIN.password}`) } });
    expect(res.status).toBe(200);
    const token = res.headers.get('x-vmware-vcloud-access-token')!;
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(res.headers.get('authorization')).toBe(`Bearer ${token}`);
    expect(res.headers.get('x-vmware-vcloud-token-type')).toBe('Bearer');
    const body = await json(res);
    expect(body.id).toMatch(/^urn:vcloud:session:/);
    expect(body.user.name).toBe('admin');
    expect(body.org.name).toBe('Provider');
    expect(body.roles).toEqual(['System Administrator']);
    expect(body.sessionIdleTimeoutMinutes).toBe(30);
    expect(body.location).toMatch(/@/);
    const me = await t.request('GET', '/cloudapi/1.0.0/sessions/current', { token });
    expect(me.status).toBe(200);
  });

  it('accepts user without @org and the org name in any case', async () => {
    const org = seedOrg(t.db, 'Acme');
    await seedUser(t.db, org.id, 'alice', 'vApp User');
    for (const login of ['alice', 'alice@acme', 'ALICE@ACME']) {
      const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic(`${login}:${USER_PASSWORD}`) } });
      expect(res.status, login).toBe(200);
    }
  });

  it('answers 401 for a wrong password, an unknown user or the wrong org, without saying which', async () => {
    const org = seedOrg(t.db, 'Acme');
    await seedUser(t.db, org.id, 'alice', 'vApp User');
    const msgs = new Set<string>();
    for (const login of [`alice:wrong-password`, `nobody:${USER_PASSWORD}`, `alice@Other:${USER_PASSWORD}`]) {
      const res = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic(login) } });
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.minorErrorCode).toBe('UNAUTHORIZED');
      msgs.add(body.message);
    }
    expect(msgs.size).toBe(1);
  });

  it('answers 401 without credentials', async () => {
    const res = await t.request('POST', '/cloudapi/1.0.0/sessions');
    expect(res.status).toBe(401);
    expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
  });

  it('says the account is disabled only when the password was right', async () => {
    const org = seedOrg(t.db, 'Acme');
    await seedUser(t.db, org.id, 'bob', 'vApp User', { enabled: false });
    const good = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic(`bob@Acme:${USER_PASSWORD}`) } });
    expect(good.status).toBe(401);
    expect((await json(good)).message).toMatch(/disabled/);
    const bad = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic(`bob@Acme:nope-nope`) } });
    expect((await json(bad)).message).not.toMatch(/disabled/);
  });

  it('slows repeated failed logins instead of refusing them', async () => {
    const slow = await makeTestApp({ env: { SSVIRT_LOGIN_DELAY_MS: '40' } });
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const res = await slow.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic('admin:wrong-one') } });
      expect(res.status).toBe(401);
    }
    // 40 + 80 + 160 ms of back-off: the third failure waits longer than the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});
