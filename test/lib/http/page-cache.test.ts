import { describe, it, expect, beforeEach } from 'vitest';
import { eq } from 'drizzle-orm';
import { PageCache } from '#lib/http/page-cache.ts';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedVdc } from '#test/support/fixtures.ts';
import { vdcWorld, adminVdcsPath, type VdcWorld } from '#test/support/vdc-world.ts';
import { fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';
import { orgs } from '#db/schema.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';

const page = (text: string, link = '') => ({ text, link });

describe('PageCache', () => {
  it('serves an entry only at the generation and cluster state it was built at', () => {
    const cache = new PageCache(1 << 20);
    const view = {};
    expect(cache.get('k', 'g1', view)).toBeUndefined();
    cache.set('k', 'g1', view, page('{"a":1}', '<x>'));
    expect(cache.get('k', 'g1', view)).toMatchObject(page('{"a":1}', '<x>'));
    expect(cache.get('k', 'g1', {})).toBeUndefined();
    expect(cache.get('k', 'g1', view)).toBeUndefined(); // the mismatch dropped it
    cache.set('k', 'g1', view, page('{"a":2}'));
    expect(cache.get('k', 'g2', view)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops every entry when the generation moves and ignores pages built before the move', () => {
    const cache = new PageCache(1 << 20);
    cache.get('a', 'g1', 0);
    cache.set('a', 'g1', 0, page('1'));
    cache.set('b', 'g1', 0, page('2'));
    expect(cache.size).toBe(2);
    expect(cache.get('a', 'g2', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', 'g1', 0, page('stale'));
    expect(cache.get('b', 'g2', 0)).toBeUndefined();
  });

  it('stays within its byte budget, least recently used out first, and skips a page larger than all of it', () => {
    // Entries cost 2 bytes per character of text, link and key: 'k1' + 98 characters = 200 bytes.
    const cache = new PageCache(600);
    const text = 'x'.repeat(98);
    cache.get('k1', 'g', 0);
    cache.set('k1', 'g', 0, page(text));
    cache.set('k2', 'g', 0, page(text));
    cache.set('k3', 'g', 0, page(text));
    expect(cache.get('k1', 'g', 0)).toBeDefined(); // k2 is now the least recently used
    cache.set('k4', 'g', 0, page(text));
    expect(cache.size).toBe(3);
    expect(cache.get('k2', 'g', 0)).toBeUndefined();
    expect(cache.get('k1', 'g', 0)).toBeDefined();
    cache.set('huge', 'g', 0, page('y'.repeat(400)));
    expect(cache.get('huge', 'g', 0)).toBeUndefined();
    expect(cache.size).toBe(3);
  });
});

describe('cached list pages through the app', () => {
  let t: TestApp;
  let w: VdcWorld;
  let pages: PageCache;
  beforeEach(async () => {
    pages = new PageCache(1 << 20);
    t = await makeTestApp({ pages });
    w = await vdcWorld(t);
    for (let i = 0; i < 30; i++) seedVdc(t.db, w.acme.id, `vdc-${String(i).padStart(2, '0')}`);
    seedVdc(t.db, w.beta.id, 'beta-one');
  });

  const get = async (path: string, token: string, headers: Record<string, string> = {}) => {
    const res = await t.request('GET', path, { token, headers });
    expect(res.status).toBe(200);
    return { body: await res.text(), link: res.headers.get('link'), type: res.headers.get('content-type'), id: res.headers.get('x-vmware-vcloud-request-id') };
  };

  it('answers a repeated list from the cache with the same body, Link header and content type', async () => {
    const first = await get('/cloudapi/1.0.0/vdcs?pageSize=10&page=2', w.tokens.sys);
    const second = await get('/cloudapi/1.0.0/vdcs?pageSize=10&page=2', w.tokens.sys);
    expect(pages.hits).toBe(1);
    expect(second.body).toBe(first.body);
    expect(second.link).toBe(first.link);
    expect(second.type).toBe('application/json');
    expect(second.id).not.toBe(first.id);
    expect(JSON.parse(second.body)).toMatchObject({ resultTotal: 31, page: 2, pageSize: 10 });
  });

  it('shows a VDC created through the API on the next list', async () => {
    const before = JSON.parse((await get('/cloudapi/1.0.0/vdcs?filter=name==new*', w.tokens.sys)).body);
    expect(before.resultTotal).toBe(0);
    const res = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, body: {
      name: 'new-vdc', computeCapacity: { cpu: { allocated: 1000, limit: 2000, units: 'MHz' }, memory: { allocated: 1024, limit: 2048, units: 'MB' } },
      vdcStorageProfiles: [{ name: 'standard', enabled: true, units: 'MB', limit: 1024, default: true }],
    } });
    expect(res.status).toBe(201);
    const after = JSON.parse((await get('/cloudapi/1.0.0/vdcs?filter=name==new*', w.tokens.sys)).body);
    expect(after.values.map((v: { name: string }) => v.name)).toEqual(['new-vdc']);
  });

  it('shows a row changed outside any endpoint (another module, the reconciler) on the next list', async () => {
    await get('/cloudapi/1.0.0/orgs', w.tokens.sys);
    t.db.update(orgs).set({ displayName: 'Acme Renamed' }).where(eq(orgs.id, w.acme.id)).run();
    const body = JSON.parse((await get('/cloudapi/1.0.0/orgs', w.tokens.sys)).body);
    expect(body.values.find((o: { name: string }) => o.name === 'Acme').displayName).toBe('Acme Renamed');
    expect(pages.hits).toBe(0);
  });

  it('keeps pages of different visibility apart on the same URL', async () => {
    const all = JSON.parse((await get('/cloudapi/1.0.0/vdcs?pageSize=128', w.tokens.sys)).body);
    const acme = JSON.parse((await get('/cloudapi/1.0.0/vdcs?pageSize=128', w.tokens.orgAdmin)).body);
    const beta = JSON.parse((await get('/cloudapi/1.0.0/vdcs?pageSize=128', w.tokens.betaUser)).body);
    expect(all.resultTotal).toBe(31);
    expect(acme.resultTotal).toBe(30);
    expect(beta.values.map((v: { name: string }) => v.name)).toEqual(['beta-one']);
    // Two users of one org share the page.
    await get('/cloudapi/1.0.0/vdcs?pageSize=128', w.tokens.user);
    expect(pages.hits).toBe(1);
  });

  it('builds Link headers for the host each caller used', async () => {
    await get('/cloudapi/1.0.0/vdcs?pageSize=5', w.tokens.sys, { host: 'a.example' });
    const other = await get('/cloudapi/1.0.0/vdcs?pageSize=5', w.tokens.sys, { host: 'b.example', 'x-forwarded-proto': 'https' });
    expect(other.link).toContain('<https://b.example/cloudapi/1.0.0/vdcs?pageSize=5&page=1>');
  });

  it('still answers errors for bad queries (nothing cached stands in for validation)', async () => {
    await get('/cloudapi/1.0.0/vdcs?pageSize=5', w.tokens.sys);
    const res = await t.request('GET', '/cloudapi/1.0.0/vdcs?pageSize=5&filter=nope==1', { token: w.tokens.sys });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain("unknown field 'nope'");
  });
});

describe('cached pages and cluster state', () => {
  it('rebuilds a VDC page when the quota version moves and never caches for a cluster without one', async () => {
    let used: Record<string, string> = { 'requests.cpu': '1', 'requests.memory': '1Gi' };
    let version = 1;
    const withVersion = { health: () => ({ kubernetes: 'ok', informers: 'synced' }), quotaUsed: () => used, quotaVersion: () => version } as Partial<Cluster> as Cluster;
    const pages = new PageCache(1 << 20);
    const t = await makeTestApp({ pages, k8s: withVersion });
    const w = await vdcWorld(t);
    seedVdc(t.db, w.acme.id, 'one');
    const cpuUsed = async () => (await json(await t.request('GET', '/cloudapi/1.0.0/vdcs', { token: w.tokens.sys }))).values[0].computeCapacity.cpu.used;
    expect(await cpuUsed()).toBe(1000);
    used = { 'requests.cpu': '2', 'requests.memory': '1Gi' };
    expect(await cpuUsed()).toBe(1000); // same version: the cached page (the runtime bumps it on every quota event)
    version++;
    expect(await cpuUsed()).toBe(2000);

    const unversioned = { health: () => ({ kubernetes: 'ok', informers: 'synced' }), quotaUsed: () => used } as Partial<Cluster> as Cluster;
    const pages2 = new PageCache(1 << 20);
    const t2 = await makeTestApp({ pages: pages2, k8s: unversioned });
    const w2 = await vdcWorld(t2);
    seedVdc(t2.db, w2.acme.id, 'one');
    for (let i = 0; i < 3; i++) expect((await t2.request('GET', '/cloudapi/1.0.0/vdcs', { token: w2.tokens.sys })).status).toBe(200);
    expect(pages2.hits).toBe(0);
    expect(pages2.size).toBe(0);
  });

  it('rebuilds a catalog item page when the template list is swapped', async () => {
    const source = new FakeTemplateSource([fakeTemplate('fedora')]);
    const cluster = { health: () => ({ kubernetes: 'ok', informers: 'synced' }), templates: () => source } as Partial<Cluster> as Cluster;
    const pages = new PageCache(1 << 20);
    const t = await makeTestApp({ pages, k8s: cluster });
    const w = await vdcWorld(t);
    const cat = seedCatalog(t.db, w.acme.id, 'Golden');
    const path = `/cloudapi/1.0.0/catalogs/${encodeURIComponent(`urn:vcloud:catalog:${cat.id}`)}/catalogItems`;
    const names = async (token: string) => (await json(await t.request('GET', path, { token }))).values.map((v: { name: string }) => v.name);
    expect(await names(w.tokens.user)).toEqual(['fedora']);
    expect(await names(w.tokens.user)).toEqual(['fedora']);
    expect(pages.hits).toBe(1);
    source.set([fakeTemplate('fedora'), fakeTemplate('centos'), fakeTemplate('lab', { deprecated: true })]);
    expect(await names(w.tokens.user)).toEqual(['centos', 'fedora']);
    expect(await names(w.tokens.sys)).toEqual(['centos', 'fedora', 'lab']);
    // Another org's user still gets the 403 for a catalog it cannot see, cached page or not.
    expect((await t.request('GET', path, { token: w.tokens.betaUser })).status).toBe(403);
  });

  it('works with the cache turned off', async () => {
    const t = await makeTestApp({ env: { SSVIRT_LIST_CACHE_MB: '0' } });
    const w = await vdcWorld(t);
    seedVdc(t.db, w.acme.id, 'one');
    const body = await json(await t.request('GET', '/cloudapi/1.0.0/vdcs', { token: w.tokens.sys }));
    expect(body.resultTotal).toBe(1);
  });
});
