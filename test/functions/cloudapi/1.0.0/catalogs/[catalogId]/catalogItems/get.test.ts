import { describe, it, expect, beforeEach, beforeAll, afterAll } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedOrg, seedUser, USER_PASSWORD } from '#test/support/fixtures.ts';
import { fakeCluster, fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';
import { catalogItemId } from '#lib/catalog/items.ts';
import { startTestCluster, type TestCluster } from '#test/support/cluster.ts';
import { sampleTemplates, setDataSourceReady } from '#test/cluster/templates/index.ts';
import { until } from '#test/support/wait.ts';

describe('GET /cloudapi/1.0.0/catalogs/:catalogId/catalogItems', () => {
  let t: TestApp;
  let admin: string;
  let acme: ReturnType<typeof seedOrg>;
  let beta: ReturnType<typeof seedOrg>;
  let cat: ReturnType<typeof seedCatalog>;
  let owner: { id: string };
  let source: FakeTemplateSource;
  const path = (id: string, q = '') => `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${id}`)}/catalogItems${q}`;
  const names = (body: any) => body.values.map((x: any) => x.name);
  beforeEach(async () => {
    source = new FakeTemplateSource([
      fakeTemplate('fedora-small', { displayName: 'Fedora 39 small', osType: 'fedora39' }),
      fakeTemplate('centos9', { osType: 'centos9' }),
      fakeTemplate('win2k22', { osType: 'win2k22' }),
      fakeTemplate('rhel6', { osType: 'rhel6', deprecated: true }),
      fakeTemplate('lab', { hidden: true }),
    ]);
    t = await makeTestApp({ k8s: fakeCluster(source) });
    admin = await t.adminToken();
    acme = seedOrg(t.db, 'Acme');
    beta = seedOrg(t.db, 'Beta');
    owner = await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    await seedUser(t.db, acme.id, 'alice', 'vApp User');
    await seedUser(t.db, beta.id, 'bert', 'vApp User');
    cat = seedCatalog(t.db, acme.id, 'Golden', { ownerId: owner.id, isPublished: false });
  });

  it('renders every item exactly as the contract says', async () => {
    source.set([fakeTemplate('fedora-small', {
      displayName: 'Fedora 39 small', description: 'Fedora VM', tags: ['kubevirt', 'fedora'], numberOfCpus: 2,
      memoryBytes: 4 * 1024 ** 3, storageBytes: 30 * 1024 ** 3, resourceVersion: '1234', creationTimestamp: '2026-11-01T10:00:00Z',
      parameters: [{ name: 'PASSWORD', displayName: 'Password', description: 'root', required: false, hasDefault: false, generated: true }],
    })]);
    const res = await t.request('GET', path(cat.id), { token: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 1, pageCount: 1, page: 1, pageSize: 25, associations: [] });
    const id = catalogItemId(cat.id, { namespace: 'openshift', name: 'fedora-small' });
    const catRef = { name: 'Golden', id: `urn:vcloud:catalog:${cat.id}` };
    expect(body.values[0]).toEqual({
      id: `urn:vcloud:catalogitem:${id}`, name: 'fedora-small', displayName: 'Fedora 39 small', description: 'Fedora VM',
      catalogId: catRef.id, catalog: catRef, org: { name: 'Acme', id: `urn:vcloud:org:${acme.id}` }, isPublished: false,
      isExpired: false, status: 'AVAILABLE', statusMessage: null, versionNumber: 1234, creationDate: '2026-11-01T10:00:00.000Z',
      modificationDate: '2026-11-01T10:00:00.000Z', size: 30 * 1024 ** 3, owner: { name: 'olga', id: `urn:vcloud:user:${owner.id}` },
      osType: 'fedora39', os_type: 'fedora39', osName: 'Fedora 39', iconClass: 'icon-fedora', tags: ['kubevirt', 'fedora'],
      flavor: 'small', workload: 'server', hidden: false, deprecated: false, architecture: null,
      parameters: [{ name: 'PASSWORD', displayName: 'Password', description: 'root', required: false, hasDefault: false, generated: true }],
      template: { namespace: 'openshift', name: 'fedora-small' },
      entity: {
        type: 'application/vnd.vmware.vcloud.vAppTemplate+xml', name: 'fedora-small', description: 'Fedora VM',
        numberOfVMs: 1, numberOfCpus: 2, memoryAllocation: 4 * 1024 ** 3, storageAllocation: 30 * 1024 ** 3,
      },
    });
  });

  it('shows deprecated templates to system administrators only; the hidden tag hides nothing', async () => {
    expect(names(await json(await t.request('GET', path(cat.id), { token: admin })))).toEqual(['centos9', 'fedora-small', 'lab', 'rhel6', 'win2k22']);
    for (const user of ['olga', 'alice']) {
      const body = await json(await t.request('GET', path(cat.id), { token: await t.login(user, USER_PASSWORD) }));
      expect(names(body)).toEqual(['centos9', 'fedora-small', 'lab', 'win2k22']);
      expect(body.resultTotal).toBe(4);
    }
  });

  it('filters by name, osType, status and id, and searches free text', async () => {
    const get = async (q: string) => names(await json(await t.request('GET', path(cat.id, q), { token: admin })));
    expect(await get('?filter=osType==fedora39')).toEqual(['fedora-small', 'lab']);
    expect(await get('?filter=name==*9,name==win*')).toEqual(['centos9', 'win2k22']);
    expect(await get('?filter=status==AVAILABLE;osType!=rhel6')).toEqual(['centos9', 'fedora-small', 'lab', 'win2k22']);
    const id = catalogItemId(cat.id, { namespace: 'openshift', name: 'centos9' });
    expect(await get(`?filter=${encodeURIComponent(`id==urn:vcloud:catalogitem:${id}`)}`)).toEqual(['centos9']);
    expect(await get('?filter=FEDORA')).toEqual(['fedora-small']);
  });

  it('sorts and pages with a Link header', async () => {
    const res = await t.request('GET', path(cat.id, '?sortDesc=name&pageSize=2&page=2'), { token: admin });
    const body = await json(res);
    expect(body).toMatchObject({ resultTotal: 5, pageCount: 3, page: 2, pageSize: 2 });
    expect(names(body)).toEqual(['lab', 'fedora-small']);
    expect(res.headers.get('link')).toContain('rel="nextPage"');
    expect((await json(await t.request('GET', path(cat.id, '?page=9'), { token: admin }))).values).toEqual([]);
  });

  it('follows the template cache as it changes', async () => {
    source.set([fakeTemplate('only')]);
    expect(names(await json(await t.request('GET', path(cat.id), { token: admin })))).toEqual(['only']);
  });

  it('offers the same templates in a published catalog of another org, with different ids', async () => {
    const pub = seedCatalog(t.db, beta.id, 'Shared', { isPublished: true });
    const tok = await t.login('alice', USER_PASSWORD);
    const a = await json(await t.request('GET', path(pub.id), { token: tok }));
    const b = await json(await t.request('GET', path(cat.id), { token: tok }));
    expect(names(a)).toEqual(names(b));
    expect(a.values[0].id).not.toBe(b.values[0].id);
    expect(a.values[0]).toMatchObject({ isPublished: true, org: { name: 'Beta' }, catalog: { name: 'Shared' } });
  });

  it('answers 403 for another org\'s unpublished catalog exactly like a missing one', async () => {
    const tok = await t.login('bert', USER_PASSWORD);
    const a = await t.request('GET', path(cat.id), { token: tok });
    const b = await t.request('GET', path('00000000-0000-4000-8000-000000000000'), { token: tok });
    expect(a.status).toBe(403);
    expect(b.status).toBe(403);
    expect((await json(a)).message).toBe(`Catalog urn:vcloud:catalog:${cat.id} does not exist or you do not have access`);
  });

  it('lists nothing, without an error, when no cluster is configured or its cache is not ready', async () => {
    const bare = await makeTestApp();
    const c1 = seedCatalog(bare.db, seedOrg(bare.db, 'Solo').id, 'c');
    const res = await bare.request('GET', path(c1.id), { token: await bare.adminToken() });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ resultTotal: 0, pageCount: 0, page: 1, pageSize: 25, associations: [], values: [] });

    const syncing = await makeTestApp({ k8s: fakeCluster(undefined) });
    const c2 = seedCatalog(syncing.db, seedOrg(syncing.db, 'Solo').id, 'c');
    expect((await json(await syncing.request('GET', path(c2.id), { token: await syncing.adminToken() }))).resultTotal).toBe(0);
    // A bad filter is still a 400 when there is nothing to filter.
    expect((await bare.request('GET', path(c1.id, '?filter=color==red'), { token: await bare.adminToken() })).status).toBe(400);
  });

  it.each([
    ['pageSize=0', 'pageSize'], ['pageSize=999', 'pageSize'], ['page=x', 'page'],
    ['filter=color==red', 'color'], ['filter=name==(', 'filter'], ['sortAsc=color', 'color'],
    ['filter=id==fedora', 'id'], ['filter=osType=gt=a*', 'osType'],
  ])('answers 400 for %s naming the problem', async (q, word) => {
    const res = await t.request('GET', path(cat.id, `?${q}`), { token: admin });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(word);
  });

  it('answers 400 for a malformed catalog id and 401 without a session', async () => {
    const res = await t.request('GET', '/cloudapi/1.0.0/catalogs/golden/catalogItems', { token: admin });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('catalogId');
    expect((await t.request('GET', path(cat.id))).status).toBe(401);
  });
});

describe('GET /cloudapi/1.0.0/catalogs/:catalogId/catalogItems with the simulated cluster', () => {
  const names = (body: any) => body.values.map((x: any) => x.name);
  let cluster: TestCluster;
  beforeAll(async () => { cluster = await startTestCluster(); }, 60_000);
  afterAll(async () => { await cluster?.stop(); });

  it('offers the templates the cluster holds, each resolvable by its id', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const cat = seedCatalog(t.db, seedOrg(t.db, 'Acme').id, 'Golden');
    const base = `/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:${cat.id}/catalogItems`;
    const body = await json(await t.request('GET', `${base}?filter=osType==fedora*`, { token: admin }));
    expect(body.values.map((x: any) => x.name)).toEqual(['fedora-server-medium', 'fedora-server-small']);
    const small = body.values[1];
    expect(small).toMatchObject({ status: 'AVAILABLE', template: { namespace: 'openshift', name: 'fedora-server-small' }, entity: { numberOfVMs: 1, numberOfCpus: 1, memoryAllocation: 2 * 1024 ** 3 } });
    const one = await t.request('GET', `${base}/${small.id}`, { token: admin });
    expect(one.status).toBe(200);
    expect(await json(one)).toEqual(small);
  });

  it('offers every sample to system administrators and all but the deprecated one to tenants', async () => {
    const t = await cluster.app();
    const acme = seedOrg(t.db, 'Acme');
    await seedUser(t.db, acme.id, 'olga', 'Organization Administrator');
    const cat = seedCatalog(t.db, acme.id, 'Golden');
    const base = `/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:${cat.id}/catalogItems?pageSize=128`;
    const samples = sampleTemplates().map((s) => s.metadata!.name!).sort();
    expect(names(await json(await t.request('GET', base, { token: await t.adminToken() })))).toEqual(samples);
    // centos6-server-small carries the annotation template.kubevirt.io/deprecated; every sample is tagged hidden.
    const tenant = await json(await t.request('GET', base, { token: await t.login('olga', USER_PASSWORD) }));
    expect(names(tenant)).toEqual(samples.filter((n) => n !== 'centos6-server-small'));
    expect(tenant.values.find((x: any) => x.name === 'fedora-server-small')).toMatchObject({ hidden: true, deprecated: false });
  });

  it('shows an item UNAVAILABLE, saying why, while its default boot source is not Ready', async () => {
    const t = await cluster.app();
    const admin = await t.adminToken();
    const cat = seedCatalog(t.db, seedOrg(t.db, 'Acme').id, 'Golden');
    const base = `/cloudapi/1.0.0/catalogs/urn:vcloud:catalog:${cat.id}/catalogItems`;
    const rhel = { namespace: 'openshift-virtualization-os-images', name: 'rhel9' };
    const unavailable = async () => (await json(await t.request('GET', `${base}?filter=status==UNAVAILABLE`, { token: admin }))).values;
    expect(await unavailable()).toEqual([]);
    await setDataSourceReady(cluster.sim.kubeConfig(), rhel, false);
    try {
      const items = await until('the rhel9 items UNAVAILABLE', async () => {
        const v = await unavailable();
        return v.length ? v : undefined;
      }, { timeoutMs: 5_000, intervalMs: 20 });
      // The three rhel9 flavours, and the user-made template whose VM names the rhel9 DataSource itself.
      expect(items.map((x: any) => x.name)).toEqual(['acme-web-server', 'rhel9-server-large', 'rhel9-server-medium', 'rhel9-server-small']);
      expect(items[0].statusMessage).toBe('boot source DataSource openshift-virtualization-os-images/rhel9 is not Ready (NotFound: source PVC not found)');
    } finally {
      await setDataSourceReady(cluster.sim.kubeConfig(), rhel, true);
    }
    await until('the rhel9 items AVAILABLE again', async () => (await unavailable()).length === 0, { timeoutMs: 5_000, intervalMs: 20 });
  });
});
