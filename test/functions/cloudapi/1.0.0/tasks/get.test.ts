import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedTask, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';

const VM = '11111111-2222-4333-8444-555555555555';
const VAPP = '66666666-2222-4333-8444-555555555555';

describe('GET /cloudapi/1.0.0/tasks', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let alice: { id: string };
  let bob: { id: string };
  let carol: { id: string };
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
    bob = await seedUser(t.db, acme.id, 'bob', 'vApp User');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    carol = await seedUser(t.db, beta.id, 'carol', 'vApp User');
    const base = Date.UTC(2026, 10, 28, 6, 0, 0);
    seedTask(t.db, { orgId: acme.id, userId: alice.id, ownerId: VM, ownerType: 'vm', operationName: 'vmPowerOn', startTime: base + 1000 });
    seedTask(t.db, { orgId: acme.id, userId: alice.id, ownerId: VAPP, ownerType: 'vapp', operationName: 'vappPowerOff', status: 'success', progress: 100, startTime: base + 2000, endTime: base + 2500 });
    seedTask(t.db, { orgId: acme.id, userId: bob.id, ownerId: VM, ownerType: 'vm', operationName: 'vmReboot', status: 'error', errorCode: 'BAD_REQUEST', errorMessage: 'no', startTime: base + 3000, endTime: base + 3500 });
    seedTask(t.db, { orgId: beta.id, userId: carol.id, ownerId: VAPP, ownerType: 'vapp', operationName: 'vappPowerOn', startTime: base + 4000 });
  });

  const list = async (token: string, q = '') => {
    const res = await t.request('GET', `/cloudapi/1.0.0/tasks${q}`, { token });
    expect(res.status).toBe(200);
    return json(res);
  };

  it('lists every task, newest first, for a system administrator', async () => {
    const body = await list(admin);
    expect(body).toMatchObject({ resultTotal: 4, pageCount: 1, page: 1, pageSize: 25 });
    expect(body.values.map((x: any) => x.operationName)).toEqual(['vappPowerOn', 'vmReboot', 'vappPowerOff', 'vmPowerOn']);
    expect(body.values[1].error).toEqual({ minorErrorCode: 'BAD_REQUEST', message: 'no' });
  });

  it('filters by status, operationName and owner.id', async () => {
    expect((await list(admin, '?filter=status==running')).values.map((x: any) => x.operationName)).toEqual(['vappPowerOn', 'vmPowerOn']);
    expect((await list(admin, '?filter=operationName==vapp*')).resultTotal).toBe(2);
    const byOwner = await list(admin, `?filter=${encodeURIComponent(`owner.id==urn:vcloud:vm:${VM}`)}`);
    expect(byOwner.values.map((x: any) => x.operationName)).toEqual(['vmReboot', 'vmPowerOn']);
    expect((await list(admin, `?filter=${encodeURIComponent(`user.id==urn:vcloud:user:${bob.id}`)}`)).resultTotal).toBe(1);
  });

  it('sorts on request and pages', async () => {
    const body = await list(admin, '?sortAsc=operationName&pageSize=2&page=2');
    expect(body).toMatchObject({ resultTotal: 4, pageCount: 2, page: 2 });
    expect(body.values.map((x: any) => x.operationName)).toEqual(['vmPowerOn', 'vmReboot']);
  });

  it('shows an org administrator their org\'s tasks', async () => {
    const body = await list(await t.login('olga', USER_PASSWORD));
    expect(body.resultTotal).toBe(3);
    expect(body.values.every((x: any) => x.organization.id === `urn:vcloud:org:${acme.id}`)).toBe(true);
  });

  it('shows a vApp User only the tasks they started', async () => {
    const body = await list(await t.login('alice', USER_PASSWORD));
    expect(body.values.map((x: any) => x.operationName)).toEqual(['vappPowerOff', 'vmPowerOn']);
    const other = await list(await t.login('carol', USER_PASSWORD));
    expect(other.values.map((x: any) => x.operationName)).toEqual(['vappPowerOn']);
  });

  it('narrows a system administrator to the tenant context org', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/tasks', { token: admin, headers: { 'x-vmware-vcloud-tenant-context': `urn:vcloud:org:${beta.id}` } });
    expect((await json(res)).resultTotal).toBe(1);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=abc', 'page'],
    ['filter=color==red', 'color'], ['filter=status==(', 'filter'], ['sortDesc=color', 'color'],
    ['filter=user.id==bob', 'user.id'], ['filter=startTime=gt=yesterday', 'startTime'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/tasks?${q}`, { token: admin });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(word);
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/tasks')).status).toBe(401);
  });
});
