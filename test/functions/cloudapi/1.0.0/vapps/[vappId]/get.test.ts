import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';
import { vappPath } from '#test/support/vapp-world.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});

describe('GET /cloudapi/1.0.0/vapps/:vappId', () => {
  it('answers the vApp with its VMs for its owner', async () => {
    const res = await t.request('GET', vappPath(s.web.id), { token: s.tokens.user });
    expect(res.status).toBe(200);
    const v = await json(res);
    expect(v).toMatchObject({ id: `urn:vcloud:vapp:${s.web.id}`, name: 'web', numberOfVMs: 2, status: 'POWERED_ON', description: '' });
    expect(v.vms[0]).toMatchObject({
      name: 'web-1', status: 'POWERED_ON', guestOs: 'Fedora 40', hardware: { numCpus: 2, numCoresPerSocket: 1, memoryMB: 4096 },
      network: { interfaces: [{ name: 'default', ipAddress: '10.128.0.5', macAddress: '02:00:00:00:00:01' }] },
      vapp: { id: `urn:vcloud:vapp:${s.web.id}`, name: 'web' },
    });
  });

  it('answers an org administrator for any vApp of the org, and a System Administrator for all', async () => {
    expect((await t.request('GET', vappPath(s.web.id), { token: s.tokens.orgAdmin })).status).toBe(200);
    expect((await t.request('GET', vappPath(s.betaApp.id), { token: await t.adminToken() })).status).toBe(200);
  });

  it('answers 403 for another org\'s vApp, another user\'s vApp (vApp User) and a missing one, alike', async () => {
    for (const [token, id] of [[s.tokens.betaUser, s.web.id], [s.tokens.user, s.db.id], [s.tokens.orgAdmin, s.betaApp.id], [s.tokens.user, randomUUID()]] as const) {
      const res = await t.request('GET', vappPath(id), { token });
      expect(res.status).toBe(403);
      const body = await json(res);
      expect(body).toMatchObject({ minorErrorCode: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', message: `vApp urn:vcloud:vapp:${id} does not exist or you do not have access` });
    }
  });

  it('answers 400 for a malformed id', async () => {
    for (const id of ['nope', `urn:vcloud:vm:${s.web.id}`]) {
      expect((await t.request('GET', `/cloudapi/1.0.0/vapps/${encodeURIComponent(id)}`, { token: s.tokens.user })).status).toBe(400);
    }
  });
});
