import { beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vappSeed } from '#test/support/vapp-seed.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof vappSeed>>;
beforeAll(async () => {
  t = await makeTestApp();
  s = await vappSeed(t);
});

const list = async (token: string, query = '') => {
  const res = await t.request('GET', `/cloudapi/1.0.0/vapps${query}`, { token });
  return { res, body: res.status === 200 ? await json(res) : await json(res) };
};
const names = (b: any) => b.values.map((v: any) => v.name);

describe('GET /cloudapi/1.0.0/vapps', () => {
  it('lists every vApp for a System Administrator, by name, with VMs and both date spellings', async () => {
    const { res, body } = await list(await t.adminToken());
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ resultTotal: 3, pageCount: 1, page: 1, pageSize: 25, associations: [] });
    expect(names(body)).toEqual(['beta-app', 'db', 'web']);
    const web = body.values[2];
    expect(web).toMatchObject({
      id: `urn:vcloud:vapp:${s.web.id}`, status: 'POWERED_ON', statusMessage: null, numberOfVMs: 2,
      vdcId: `urn:vcloud:vdc:${s.dev.id}`, vdc: { name: 'dev' }, org: { name: 'Acme', id: `urn:vcloud:org:${s.acme.id}` },
      owner: { name: 'acme-user', id: `urn:vcloud:user:${s.userId('acme-user')}` },
      catalogItem: { id: 'urn:vcloud:catalogitem:6f1c7f2e-9d3a-5b5e-8f3e-0b1d2c3d4e5f', name: 'fedora-server-small' },
      template: { namespace: 'openshift', name: 'fedora-server-small' },
      href: `http://localhost/cloudapi/1.0.0/vapps/urn:vcloud:vapp:${s.web.id}`,
    });
    expect(web.vms.map((v: any) => v.name)).toEqual(['web-1', 'web-2']);
    expect(web.createdAt).toBe(web.createdDate);
    expect(web.updatedAt).toBe(web.lastModifiedDate);
    expect(JSON.stringify(body)).not.toContain('hidden-secret');
    expect(web).not.toHaveProperty('parameters');
  });

  it('shows CREATING as INSTANTIATING and keeps the FAILED reason', async () => {
    const { body } = await list(await t.adminToken());
    expect(body.values.find((v: any) => v.name === 'db').status).toBe('INSTANTIATING');
    expect(body.values.find((v: any) => v.name === 'beta-app')).toMatchObject({ status: 'FAILED', statusMessage: 'quota exceeded' });
  });

  it('narrows by role: org administrators see their org, vApp Users their own vApps', async () => {
    expect(names((await list(s.tokens.orgAdmin)).body)).toEqual(['db', 'web']);
    expect(names((await list(s.tokens.user)).body)).toEqual(['web']);
    expect(names((await list(s.tokens.betaUser)).body)).toEqual(['beta-app']);
  });

  it('narrows a System Administrator to the tenant context', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/vapps', { token: await t.adminToken(), headers: { 'X-VMWARE-VCLOUD-TENANT-CONTEXT': s.beta.id } });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(names(body)).toEqual(['beta-app']);
  });

  it('filters by name, status, vdc.id, owner.id and id', async () => {
    const sys = await t.adminToken();
    expect(names((await list(sys, '?filter=name==w*')).body)).toEqual(['web']);
    expect(names((await list(sys, '?filter=status==INSTANTIATING')).body)).toEqual(['db']);
    expect(names((await list(sys, `?filter=vdc.id==urn:vcloud:vdc:${s.test.id}`)).body)).toEqual(['db']);
    expect(names((await list(sys, `?filter=owner.id==urn:vcloud:user:${s.userId('beta-user')}`)).body)).toEqual(['beta-app']);
    expect(names((await list(sys, `?filter=id==urn:vcloud:vapp:${s.web.id}`)).body)).toEqual(['web']);
    expect(names((await list(sys, '?filter=status==POWERED_ON,status==FAILED')).body)).toEqual(['beta-app', 'web']);
    expect(names((await list(sys, '?filter=eb')).body)).toEqual(['web']);
  });

  it('pages and sorts in SQL with an exact total', async () => {
    const sys = await t.adminToken();
    const p2 = await list(sys, '?pageSize=2&page=2');
    expect(p2.body).toMatchObject({ resultTotal: 3, pageCount: 2, page: 2, pageSize: 2 });
    expect(names(p2.body)).toEqual(['web']);
    expect(p2.res.headers.get('link')).toContain('rel="previousPage"');
    expect(names((await list(sys, '?sortDesc=name')).body)).toEqual(['web', 'db', 'beta-app']);
    expect((await list(sys, '?page=9')).body.values).toEqual([]);
  });

  it('answers 400 for bad paging, unknown filter fields and malformed values', async () => {
    const sys = await t.adminToken();
    for (const q of ['?pageSize=0', '?pageSize=999', '?page=x', '?filter=nope==1', '?filter=vdc.id==bad', '?sortAsc=secret', '?filter=name==(']) {
      const { res, body } = await list(sys, q);
      expect(res.status, q).toBe(400);
      expect(body.minorErrorCode).toBe('BAD_REQUEST');
    }
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('GET', '/cloudapi/1.0.0/vapps')).status).toBe(401);
  });
});
