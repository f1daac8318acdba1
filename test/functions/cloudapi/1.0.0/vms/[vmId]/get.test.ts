import { beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';
import { vmPath } from '#test/support/vapp-world.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});

describe('GET /cloudapi/1.0.0/vms/:vmId', () => {
  it('answers the VM per docs/api.md "VMs"', async () => {
    const res = await t.request('GET', vmPath(s.web1.id), { token: s.tokens.user });
    expect(res.status).toBe(200);
    const vm = await json(res);
    expect(vm).toEqual({
      id: `urn:vcloud:vm:${s.web1.id}`, name: 'web-1', description: '', status: 'POWERED_ON', statusMessage: null,
      vappId: `urn:vcloud:vapp:${s.web.id}`, vapp: { name: 'web', id: `urn:vcloud:vapp:${s.web.id}` },
      vdcId: `urn:vcloud:vdc:${s.dev.id}`, vdc: { name: 'dev', id: `urn:vcloud:vdc:${s.dev.id}` },
      org: { name: 'Acme', id: `urn:vcloud:org:${s.acme.id}` }, guestOs: 'Fedora 40',
      hardware: { numCpus: 2, numCoresPerSocket: 1, memoryMB: 4096 },
      network: { interfaces: [{ name: 'default', ipAddress: '10.128.0.5', macAddress: '02:00:00:00:00:01' }] },
      kubernetes: { namespace: s.dev.namespace, name: 'web-1', uid: s.web1.uid, printableStatus: 'Running' },
      href: `http://localhost/cloudapi/1.0.0/vms/urn:vcloud:vm:${s.web1.id}`,
      createdAt: expect.any(String), createdDate: vm.createdAt, updatedAt: expect.any(String), lastModifiedDate: vm.updatedAt,
    });
  });

  it('answers 403 for another org\'s VM, another user\'s VM and a missing one', async () => {
    expect((await t.request('GET', vmPath(s.web1.id), { token: s.tokens.betaUser })).status).toBe(403);
    expect((await t.request('GET', vmPath(s.betaVm.id), { token: s.tokens.orgAdmin })).status).toBe(403);
    const res = await t.request('GET', vmPath(randomUUID()), { token: s.tokens.user });
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain('does not exist or you do not have access');
  });

  it('answers 400 for a malformed id', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/vms/urn%3Avcloud%3Avm%3Anope', { token: s.tokens.user })).status).toBe(400);
  });
});
