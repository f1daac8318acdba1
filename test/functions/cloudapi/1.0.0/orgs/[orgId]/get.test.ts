import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedCatalog, seedUser, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { providerOrg, updateOrg } from '#db/queries/orgs.ts';

const path = (id: string) => `/cloudapi/1.0.0/orgs/${encodeURIComponent(`urn:vcloud:org:${id}`)}`;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /cloudapi/1.0.0/orgs/:orgId', () => {
  let t: TestApp;
  let w: VdcWorld;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
  });

  it("answers the org's version as a strong ETag, which a write of the row moves", async () => {
    expect((await t.request('GET', path(w.acme.id), { token: w.tokens.sys })).headers.get('etag')).toBe('"1"');
    updateOrg(t.db, w.acme.id, { description: 'changed' });
    expect((await t.request('GET', path(w.acme.id), { token: w.tokens.sys })).headers.get('etag')).toBe('"2"');
  });

  it('answers exactly the Org fields, with real counts', async () => {
    const dev = seedVdc(t.db, w.acme.id, 'dev');
    seedVdc(t.db, w.acme.id, 'test');
    seedCatalog(t.db, w.acme.id, 'golden');
    const owner = (await seedUser(t.db, w.acme.id, 'owner', 'vApp User')).id;
    const app = seedVapp(t.db, dev, owner, 'web');
    seedVapp(t.db, dev, owner, 'db');
    seedVm(t.db, app, dev.namespace, 'vm-on', { status: 'POWERED_ON' });
    seedVm(t.db, app, dev.namespace, 'vm-on-2', { status: 'POWERED_ON' });
    seedVm(t.db, app, dev.namespace, 'vm-off', { status: 'POWERED_OFF' });
    // Another org's contents must not be counted.
    seedVdc(t.db, w.beta.id, 'elsewhere');
    seedCatalog(t.db, w.beta.id, 'theirs');

    const res = await t.request('GET', path(w.acme.id), { token: w.tokens.sys });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const provider = providerOrg(t.db)!;
    expect(await json(res)).toEqual({
      id: `urn:vcloud:org:${w.acme.id}`, name: 'Acme', displayName: 'Acme', description: '', isEnabled: true,
      // acme-admin, acme-user and owner
      orgVdcCount: 2, catalogCount: 1, vappCount: 2, runningVMCount: 2, userCount: 3, diskCount: 0,
      canPublish: false, managedBy: { name: 'Provider', id: `urn:vcloud:org:${provider.id}` },
      createdDate: iso(w.acme.createdAt), lastModifiedDate: iso(w.acme.updatedAt),
    });
  });

  it('shows the Provider org to a System Administrator, managed by itself, with its administrator counted', async () => {
    const provider = providerOrg(t.db)!;
    const body = await json(await t.request('GET', path(provider.id), { token: w.tokens.sys }));
    expect(body).toMatchObject({ name: 'Provider', isEnabled: true, userCount: 1, managedBy: { name: 'Provider', id: `urn:vcloud:org:${provider.id}` } });
  });

  it('reads any org for a System Administrator, whether the URN is percent-encoded or not, in any case', async () => {
    expect((await t.request('GET', path(w.beta.id), { token: w.tokens.sys })).status).toBe(200);
    const raw = await t.request('GET', `/cloudapi/1.0.0/orgs/urn:vcloud:org:${w.beta.id.toUpperCase()}`, { token: w.tokens.sys });
    expect(raw.status).toBe(200);
    expect((await json(raw)).id).toBe(`urn:vcloud:org:${w.beta.id}`);
  });

  it.each(['orgAdmin', 'user'] as const)('lets a %s read their own org', async (who) => {
    const res = await t.request('GET', path(w.acme.id), { token: w.tokens[who] });
    expect(res.status).toBe(200);
    expect((await json(res)).name).toBe('Acme');
  });

  it.each(['orgAdmin', 'user'] as const)("answers a %s 403 for another org exactly as for one that does not exist", async (who) => {
    const foreign = await t.request('GET', path(w.beta.id), { token: w.tokens[who] });
    expect(foreign.status).toBe(403);
    const f = await json(foreign);
    expect(f).toMatchObject({ minorErrorCode: 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', code: 403, stackTrace: null });
    expect(f.message).toBe(`Organization urn:vcloud:org:${w.beta.id} does not exist or you do not have access`);
    const missingId = randomUUID();
    const missing = await json(await t.request('GET', path(missingId), { token: w.tokens[who] }));
    expect(missing.message).toBe(f.message.replace(w.beta.id, missingId));
    // Nor is the Provider org visible to a tenant.
    expect((await t.request('GET', path(providerOrg(t.db)!.id), { token: w.tokens[who] })).status).toBe(403);
  });

  it('answers 403 to a System Administrator for an org that does not exist', async () => {
    const res = await t.request('GET', path(randomUUID()), { token: w.tokens.sys });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
  });

  it.each([
    ['a word', 'nope'],
    ['a URN of another type', `urn:vcloud:vdc:${randomUUID()}`],
    ['a URN without a UUID', 'urn:vcloud:org:acme'],
    ['a truncated UUID', `urn:vcloud:org:${randomUUID().slice(0, 30)}`],
  ])('answers 400 BAD_REQUEST for %s as the id', async (_label, id) => {
    const res = await t.request('GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(id)}`, { token: w.tokens.sys });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain('orgId');
  });

  it('answers 401 without a session or with an unknown token', async () => {
    const res = await t.request('GET', path(w.acme.id));
    expect(res.status).toBe(401);
    expect((await json(res)).minorErrorCode).toBe('UNAUTHORIZED');
    expect((await t.request('GET', path(w.acme.id), { token: 'y'.repeat(43) })).status).toBe(401);
  });
});
