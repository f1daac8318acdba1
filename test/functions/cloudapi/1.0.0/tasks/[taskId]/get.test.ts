import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedTask, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { finishTask, startTask } from '#lib/tasks/service.ts';

describe('GET /cloudapi/1.0.0/tasks/:taskId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let alice: { id: string };
  let bob: { id: string };
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
    bob = await seedUser(t.db, acme.id, 'bob', 'vApp User');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, beta.id, 'carol', 'Organization Administrator');
  });

  const path = (id: string) => `/cloudapi/1.0.0/tasks/${encodeURIComponent(`urn:vcloud:task:${id}`)}`;

  function aliceTask() {
    return startTask(t.db, {
      operationName: 'vappPowerOn', operation: 'Powering on vApp web',
      owner: { type: 'vapp', id: '11111111-2222-4333-8444-555555555555', name: 'web' },
      user: { id: alice.id, name: 'alice' }, org: { id: acme.id, name: 'Acme' },
    }, Date.UTC(2026, 10, 28, 6, 37, 23));
  }

  it('returns a running task with the documented fields', async () => {
    const task = aliceTask();
    const res = await t.request('GET', path(task.id), { token: admin });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      id: `urn:vcloud:task:${task.id}`,
      href: `http://localhost/api/task/${task.id}`,
      type: 'application/vnd.vmware.vcloud.task+xml',
      name: 'task',
      operationName: 'vappPowerOn',
      operation: 'Powering on vApp web',
      status: 'running',
      startTime: '2026-11-28T06:37:23.000Z',
      endTime: null,
      progress: 0,
      owner: {
        name: 'web', id: 'urn:vcloud:vapp:11111111-2222-4333-8444-555555555555', type: 'application/vnd.vmware.vcloud.vApp+xml',
        href: 'http://localhost/cloudapi/1.0.0/vapps/urn:vcloud:vapp:11111111-2222-4333-8444-555555555555',
      },
      user: { name: 'alice', id: `urn:vcloud:user:${alice.id}`, type: 'application/vnd.vmware.admin.user+xml', href: `http://localhost/cloudapi/1.0.0/users/urn:vcloud:user:${alice.id}` },
      organization: { name: 'Acme', id: `urn:vcloud:org:${acme.id}`, type: 'application/vnd.vmware.vcloud.org+xml', href: `http://localhost/cloudapi/1.0.0/orgs/urn:vcloud:org:${acme.id}` },
    });
  });

  it('shows the outcome of a finished task', async () => {
    const ok = aliceTask();
    finishTask(t.db, ok.id, { status: 'success' }, Date.UTC(2026, 10, 28, 6, 38, 0));
    const okBody = await json(await t.request('GET', path(ok.id), { token: admin }));
    expect(okBody).toMatchObject({ status: 'success', progress: 100, endTime: '2026-11-28T06:38:00.000Z' });
    expect(okBody).not.toHaveProperty('error');

    const bad = aliceTask();
    finishTask(t.db, bad.id, { status: 'error', error: { minorErrorCode: 'BAD_REQUEST', message: 'VM is already running' } });
    const badBody = await json(await t.request('GET', path(bad.id), { token: admin }));
    expect(badBody.status).toBe('error');
    expect(badBody.error).toEqual({ minorErrorCode: 'BAD_REQUEST', message: 'VM is already running' });
  });

  it('accepts a bare uuid', async () => {
    const task = aliceTask();
    const res = await t.request('GET', `/cloudapi/1.0.0/tasks/${task.id}`, { token: admin });
    expect(res.status).toBe(200);
  });

  it('lets a vApp User read their own tasks and no one else\'s', async () => {
    const own = aliceTask();
    const other = seedTask(t.db, { orgId: acme.id, userId: bob.id, ownerId: own.ownerId });
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('GET', path(own.id), { token: tok })).status).toBe(200);
    const res = await t.request('GET', path(other.id), { token: tok });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('lets an org admin read their org\'s tasks and answers 403 for another org\'s like a missing one', async () => {
    const task = aliceTask();
    expect((await t.request('GET', path(task.id), { token: await t.login('olga', USER_PASSWORD) })).status).toBe(200);
    const carol = await t.login('carol', USER_PASSWORD);
    const other = await t.request('GET', path(task.id), { token: carol });
    const missing = await t.request('GET', path('00000000-0000-4000-8000-000000000000'), { token: carol });
    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    expect((await json(other)).message).toBe(`Task urn:vcloud:task:${task.id} does not exist or you do not have access`);
    expect((await json(missing)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it.each([['urn:vcloud:vm:11111111-2222-4333-8444-555555555555'], ['not-a-urn'], ['urn:vcloud:task:123']])('answers 400 for the malformed id %s', async (id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/tasks/${encodeURIComponent(id)}`, { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('taskId');
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', path(aliceTask().id))).status).toBe(401);
  });
});
