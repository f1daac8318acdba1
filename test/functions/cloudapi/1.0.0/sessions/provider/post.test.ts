import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, ADMIN, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { providerOrg } from '#db/queries/orgs.ts';

const URL = '/cloudapi/1.0.0/sessions/provider';
const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(s).toString('base64')}` });

describe('POST /cloudapi/1.0.0/sessions/provider', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'boss', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, providerOrg(t.db)!.id, 'helper', 'vApp User');
  });

  it('logs a System Administrator in with the token headers', async () => {
    for (const login of [`${ADMIN.username}@System`, `${ADMIN.username}@Provider`, ADMIN.username]) {
      const res = await t.request('POST', URL, { headers: basic(`${login}:${ADMIN.password}`) });
      expect(res.status, login).toBe(200);
      const token = res.headers.get('x-vmware-vcloud-access-token')!;
      expect(res.headers.get('authorization')).toBe(`Bearer ${token}`);
      expect(res.headers.get('x-vmware-vcloud-token-type')).toBe('Bearer');
      expect((await json(res)).roles).toEqual(['System Administrator']);
      expect((await t.request('GET', '/cloudapi/1.0.0/sessions/current', { token })).status).toBe(200);
    }
  });

  it('answers 401 to anyone else with the right password, with the same message as a wrong one', async () => {
    const msgs = new Set<string>();
    for (const login of ['boss@Acme', 'alice', 'helper@System']) {
      const res = await t.request('POST', URL, { headers: basic(`${login}:${USER_PASSWORD}`) });
      expect(res.status, login).toBe(401);
      expect(res.headers.get('x-vmware-vcloud-access-token')).toBeNull();
      msgs.add((await json(res)).message);
    }
    const wrong = await t.request('POST', URL, { headers: basic(`${ADMIN.username}:not-the-password`) });
    expect(wrong.status).toBe(401);
    msgs.add((await json(wrong)).message);
    expect(msgs.size).toBe(1);
  });

  it('answers 401 without or with malformed credentials', async () => {
    expect((await t.request('POST', URL)).status).toBe(401);
    expect((await t.request('POST', URL, { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
    expect((await t.request('POST', URL, { headers: basic('no-colon') })).status).toBe(401);
  });
});
