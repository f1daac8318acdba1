import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { finishTask, startTask } from '#lib/tasks/service.ts';

const XML = { accept: 'application/*+xml;version=39.0' };

describe('GET /api/task/:taskId', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let alice: { id: string };
  beforeEach(async () => {
    t = await makeTestApp();
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    alice = await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, seedOrg(t.db, 'Beta').id, 'carol', 'Organization Administrator');
  });

  function task(ownerName = 'db-1') {
    return startTask(t.db, {
      operationName: 'vmPowerOff', operation: 'Powering off VM',
      owner: { type: 'vm', id: '11111111-2222-4333-8444-555555555555', name: ownerName },
      user: { id: alice.id, name: 'alice' }, org: { id: acme.id, name: 'Acme' },
    }, Date.UTC(2026, 10, 28, 6, 37, 23));
  }

  it('answers VCD Task XML by default', async () => {
    const row = task();
    const res = await t.request('GET', `/api/task/${row.id}`, { token: admin, headers: XML });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.vmware\.vcloud\.task\+xml/);
    const body = await res.text();
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Task xmlns="http:\/\/www\.vmware\.com\/vcloud\/v1\.5"/);
    expect(body).toContain(' status="running"');
    expect(body).toContain(' operationName="vmPowerOff"');
    expect(body).toContain(' operation="Powering off VM"');
    expect(body).toContain(' startTime="2026-11-28T06:37:23.000Z"');
    expect(body).not.toContain('endTime=');
    expect(body).toContain(` id="urn:vcloud:task:${row.id}"`);
    expect(body).toContain(` href="http://localhost/api/task/${row.id}"`);
    expect(body).toContain(' name="task"');
    expect(body).toContain('<Owner type="application/vnd.vmware.vcloud.vm+xml" name="db-1" href="http://localhost/cloudapi/1.0.0/vms/urn:vcloud:vm:11111111-2222-4333-8444-555555555555"');
    expect(body).toContain(`<User type="application/vnd.vmware.admin.user+xml" name="alice" href="http://localhost/cloudapi/1.0.0/users/urn:vcloud:user:${alice.id}"`);
    expect(body).toContain(`<Organization type="application/vnd.vmware.vcloud.org+xml" name="Acme"`);
    expect(body).toContain('<Progress>0</Progress>');
    expect(body).not.toContain('<Error');
  });

  it('answers XML when no Accept header is sent', async () => {
    const row = task();
    const res = await t.request('GET', `/api/task/${row.id}`, { token: admin, headers: { accept: '' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Task ');
  });

  it('answers JSON when Accept asks for it', async () => {
    const row = task();
    const res = await t.request('GET', `/api/task/${row.id}`, { token: admin, headers: { accept: 'application/*+json;version=39.0' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: `urn:vcloud:task:${row.id}`, status: 'running', name: 'task', owner: { name: 'db-1' } });
  });

  it('accepts a task URN as the id', async () => {
    const row = task();
    const res = await t.request('GET', `/api/task/${encodeURIComponent(`urn:vcloud:task:${row.id}`)}`, { token: admin, headers: XML });
    expect(res.status).toBe(200);
  });

  it('includes the Error element of a failed task and escapes text', async () => {
    const row = task('a<b>&"c"');
    finishTask(t.db, row.id, { status: 'error', error: { minorErrorCode: 'BUSY_ENTITY', message: 'VM "x" <busy> & \'stuck\'\nline2\u0001' } }, Date.UTC(2026, 10, 28, 6, 40, 0));
    const body = await (await t.request('GET', `/api/task/${row.id}`, { token: admin, headers: XML })).text();
    expect(body).toContain(' status="error"');
    expect(body).toContain(' endTime="2026-11-28T06:40:00.000Z"');
    expect(body).toContain('<Owner type="application/vnd.vmware.vcloud.vm+xml" name="a&lt;b&gt;&amp;&quot;c&quot;"');
    expect(body).toContain('<Error minorErrorCode="BUSY_ENTITY" majorErrorCode="400" message="VM &quot;x&quot; &lt;busy&gt; &amp; &apos;stuck&apos;&#10;line2"/>');
    // Owner, Error, User, Organization, Progress: the vCloud schema's order.
    expect(body.indexOf('<Owner')).toBeLessThan(body.indexOf('<Error'));
    expect(body.indexOf('<Error')).toBeLessThan(body.indexOf('<User'));
    expect(body.indexOf('<Organization')).toBeLessThan(body.indexOf('<Progress'));
  });

  it('answers 403 for a task of another org exactly like a missing one', async () => {
    const row = task();
    const carol = await t.login('carol', USER_PASSWORD);
    const other = await t.request('GET', `/api/task/${row.id}`, { token: carol });
    const missing = await t.request('GET', '/api/task/00000000-0000-4000-8000-000000000000', { token: carol });
    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    expect((await json(other)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it('lets the vApp User who started the task read it', async () => {
    const row = task();
    const tok = await t.login('alice', USER_PASSWORD);
    expect((await t.request('GET', `/api/task/${row.id}`, { token: tok, headers: XML })).status).toBe(200);
  });

  it('answers 400 for a malformed id', async () => {
    const res = await t.request('GET', '/api/task/task-123', { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('taskId');
  });

  it('answers 401 without a session and accepts the legacy token header', async () => {
    const row = task();
    expect((await t.request('GET', `/api/task/${row.id}`)).status).toBe(401);
    const res = await t.request('GET', `/api/task/${row.id}`, { headers: { 'x-vcloud-authorization': admin, ...XML } });
    expect(res.status).toBe(200);
  });
});
