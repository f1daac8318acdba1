import { describe, it, expect, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedVdc } from '#test/support/fixtures.ts';
import { adminVdcsPath, vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { vdcs } from '#db/schema.ts';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('POST /api/admin/org/:orgId/vdcs', () => {
  let t: TestApp;
  let w: VdcWorld;
  beforeEach(async () => {
    t = await makeTestApp();
    w = await vdcWorld(t);
  });

  const post = (body: unknown, token = w.tokens.sys, orgId = w.acme.id) => t.request('POST', adminVdcsPath(orgId), { token, body });
  const rowCount = () => t.db.select().from(vdcs).all().length;

  it('creates a VDC with the defaults, PENDING_CLUSTER, and a Location', async () => {
    const res = await post({ name: 'Dev Team' });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^urn:vcloud:vdc:[0-9a-f-]{36}$/),
      name: 'Dev Team',
      description: '',
      org: { name: 'Acme', id: `urn:vcloud:org:${w.acme.id}` },
      allocationModel: 'AllocationVApp',
      allocationType: 'ALLOCATION_VAPP',
      computeCapacity: {
        cpu: { allocated: 0, limit: 0, reserved: 0, used: 0, units: 'MHz' },
        memory: { allocated: 0, limit: 0, reserved: 0, used: 0, units: 'MB' },
      },
      providerVdc: null,
      nicQuota: 0,
      networkQuota: 0,
      vmQuota: 0,
      vdcStorageProfiles: [],
      isThinProvision: true,
      isEnabled: true,
      status: 'PENDING_CLUSTER',
      namespace: 'vdc-acme-dev-team',
      createdDate: expect.stringMatching(ISO),
      lastModifiedDate: expect.stringMatching(ISO),
    });
    expect(res.headers.get('location')).toBe(`http://localhost/api/admin/org/urn:vcloud:org:${w.acme.id}/vdcs/${body.id}`);
    const again = await t.request('GET', new URL(res.headers.get('location')!).pathname, { token: w.tokens.sys });
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(body.id);
  });

  it('stores every field given, 0 and false included', async () => {
    const res = await post({
      name: 'prod', description: 'Production', allocationModel: 'AllocationPool',
      computeCapacity: {
        cpu: { allocated: 4000, limit: 8000, reserved: 1000, used: 999, units: 'GHz' },
        memory: { allocated: 1024, limit: 2048, reserved: 0, units: 'GiB' },
      },
      vdcStorageProfiles: [
        { name: 'gold', limit: 102400, default: false, enabled: false },
        { name: 'silver', limit: 0, default: true, units: 'MB' },
      ],
      nicQuota: 0, networkQuota: 3, vmQuota: 10, isThinProvision: false, isEnabled: false,
      providerVdc: { name: 'pvdc-1', id: 'urn:vcloud:providervdc:1234' },
    });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body).toMatchObject({
      description: 'Production', allocationModel: 'AllocationPool', allocationType: 'ALLOCATION_POOL',
      computeCapacity: {
        cpu: { allocated: 4000, limit: 8000, reserved: 1000, used: 0, units: 'GHz' },
        memory: { allocated: 1024, limit: 2048, reserved: 0, used: 0, units: 'GiB' },
      },
      vdcStorageProfiles: [
        { name: 'gold', enabled: false, units: 'MB', limit: 102400, default: false },
        { name: 'silver', enabled: true, units: 'MB', limit: 0, default: true },
      ],
      nicQuota: 0, networkQuota: 3, vmQuota: 10, isThinProvision: false, isEnabled: false,
      providerVdc: { name: 'pvdc-1', id: 'urn:vcloud:providervdc:1234' },
      status: 'PENDING_CLUSTER',
    });
  });

  it.each([
    ['allocationModel', 'PayAsYouGo', 'AllocationVApp', 'ALLOCATION_VAPP'],
    ['allocationModel', 'ALLOCATION_POOL', 'AllocationPool', 'ALLOCATION_POOL'],
    ['allocationModel', 'reservationpool', 'ReservationPool', 'RESERVATION_POOL'],
    ['allocationModel', 'Flex', 'Flex', 'FLEX'],
    ['allocationType', 'RESERVATION_POOL', 'ReservationPool', 'RESERVATION_POOL'],
    ['allocationType', 'FLEX', 'Flex', 'FLEX'],
  ])('accepts %s %s as %s', async (field, value, model, type) => {
    const body = await json(await post({ name: 'x', [field]: value }));
    expect(body.allocationModel).toBe(model);
    expect(body.allocationType).toBe(type);
  });

  it('lets allocationModel win over allocationType', async () => {
    const body = await json(await post({ name: 'x', allocationModel: 'Flex', allocationType: 'ALLOCATION_POOL' }));
    expect(body.allocationModel).toBe('Flex');
  });

  it('stores units in their canonical spelling', async () => {
    const body = await json(await post({ name: 'x', computeCapacity: { cpu: { units: 'CORES', limit: 4 }, memory: { units: 'mib' } } }));
    expect(body.computeCapacity.cpu).toMatchObject({ units: 'cores', limit: 4 });
    expect(body.computeCapacity.memory.units).toBe('MiB');
  });

  it('makes the first storage profile the default when none is marked', async () => {
    const body = await json(await post({ name: 'x', vdcStorageProfiles: [{ name: 'a' }, { name: 'b', limit: 5 }] }));
    expect(body.vdcStorageProfiles).toEqual([
      { name: 'a', enabled: true, units: 'MB', limit: 0, default: true },
      { name: 'b', enabled: true, units: 'MB', limit: 5, default: false },
    ]);
  });

  it('ignores read-only fields a client sends (id, status, namespace, org, used)', async () => {
    const body = await json(await post({
      name: 'dev', id: 'urn:vcloud:vdc:00000000-0000-4000-8000-000000000000', status: 'READY', namespace: 'kube-system',
      org: { id: `urn:vcloud:org:${w.beta.id}` }, computeCapacity: { cpu: { used: 5 } },
    }));
    expect(body).toMatchObject({ status: 'PENDING_CLUSTER', namespace: 'vdc-acme-dev', org: { name: 'Acme' } });
    expect(body.id).not.toBe('urn:vcloud:vdc:00000000-0000-4000-8000-000000000000');
    expect(body.computeCapacity.cpu.used).toBe(0);
  });

  it('trims the name', async () => {
    const body = await json(await post({ name: '  dev  ' }));
    expect(body.name).toBe('dev');
  });

  it('answers 400 DUPLICATE_NAME for a name taken in the org, in any case, and writes nothing', async () => {
    expect((await post({ name: 'Dev' })).status).toBe(201);
    const res = await post({ name: 'DEV' });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('DUPLICATE_NAME');
    expect(body.message).toContain('name');
    expect(rowCount()).toBe(1);
  });

  it('allows the same name in another org', async () => {
    expect((await post({ name: 'dev' })).status).toBe(201);
    const res = await post({ name: 'dev' }, w.tokens.sys, w.beta.id);
    expect(res.status).toBe(201);
    expect((await json(res)).namespace).toBe('vdc-beta-dev');
  });

  it('answers exactly one 201 and one DUPLICATE_NAME for two simultaneous creates', async () => {
    const [a, b] = await Promise.all([post({ name: 'race' }), post({ name: 'Race' })]);
    expect([a.status, b.status].sort()).toEqual([201, 400]);
    const loser = a.status === 400 ? a : b;
    expect((await json(loser)).minorErrorCode).toBe('DUPLICATE_NAME');
    expect(t.db.select().from(vdcs).where(eq(vdcs.nameKey, 'race')).all()).toHaveLength(1);
  });

  it('appends -2 when another VDC already holds the namespace name', async () => {
    const corp = seedOrg(t.db, 'Acme Corp');
    const first = await json(await post({ name: 'x' }, w.tokens.sys, corp.id));
    expect(first.namespace).toBe('vdc-acme-corp-x');
    const second = await json(await post({ name: 'corp x' }));
    expect(second.namespace).toBe('vdc-acme-corp-x-2');
  });

  it('keeps the namespace a DNS-1123 label for long and non-ASCII names', async () => {
    const body = await json(await post({ name: `Équipe ${'é'.repeat(10)} ${'n'.repeat(100)}` }));
    expect(body.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(body.namespace.length).toBeLessThanOrEqual(63);
    expect(body.namespace.startsWith('vdc-acme-quipe-n')).toBe(true);
  });

  it('avoids a namespace held by a seeded row whatever its status', async () => {
    seedVdc(t.db, w.beta.id, 'old', { namespace: 'vdc-acme-dev', status: 'DELETING' });
    expect((await json(await post({ name: 'dev' }))).namespace).toBe('vdc-acme-dev-2');
  });

  it('creates a VDC in a disabled org (admin operation)', async () => {
    const off = seedOrg(t.db, 'Off', { isEnabled: false });
    expect((await post({ name: 'dev' }, w.tokens.sys, off.id)).status).toBe(201);
  });

  it.each(['orgAdmin', 'user', 'betaUser'] as const)('answers 403 for a %s and writes nothing', async (who) => {
    const res = await post({ name: 'dev' }, w.tokens[who]);
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    expect(rowCount()).toBe(0);
  });

  it('answers 403 for an unknown org', async () => {
    const id = randomUUID();
    const res = await post({ name: 'dev' }, w.tokens.sys, id);
    expect(res.status).toBe(403);
    expect((await json(res)).message).toContain(`urn:vcloud:org:${id}`);
  });

  it('answers 400 for a malformed org URN', async () => {
    for (const bad of ['nope', encodeURIComponent('urn:vcloud:vdc:' + randomUUID())]) {
      const res = await t.request('POST', `/api/admin/org/${bad}/vdcs`, { token: w.tokens.sys, body: { name: 'dev' } });
      expect(res.status).toBe(400);
      expect((await json(res)).message).toContain('orgId');
    }
  });

  it('answers 401 without a session', async () => {
    expect((await t.request('POST', adminVdcsPath(w.acme.id), { body: { name: 'dev' } })).status).toBe(401);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(129) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'x', description: 'd'.repeat(4097) }, 'description'],
    [{ name: 'x', allocationModel: 'Cheap' }, 'allocationModel'],
    [{ name: 'x', allocationModel: 3 }, 'allocationModel'],
    [{ name: 'x', allocationType: 'NOPE' }, 'allocationType'],
    [{ name: 'x', computeCapacity: 'lots' }, 'computeCapacity'],
    [{ name: 'x', computeCapacity: { cpu: { limit: -1 } } }, 'computeCapacity.cpu.limit'],
    [{ name: 'x', computeCapacity: { cpu: { limit: 1.5 } } }, 'computeCapacity.cpu.limit'],
    [{ name: 'x', computeCapacity: { cpu: { limit: '10' } } }, 'computeCapacity.cpu.limit'],
    [{ name: 'x', computeCapacity: { cpu: { units: 'THz' } } }, 'computeCapacity.cpu.units'],
    [{ name: 'x', computeCapacity: { memory: { units: 'MHz' } } }, 'computeCapacity.memory.units'],
    [{ name: 'x', computeCapacity: { memory: { reserved: null } } }, 'computeCapacity.memory.reserved'],
    [{ name: 'x', vdcStorageProfiles: 'gold' }, 'vdcStorageProfiles'],
    [{ name: 'x', vdcStorageProfiles: [{ limit: 5 }] }, 'vdcStorageProfiles.0.name'],
    [{ name: 'x', vdcStorageProfiles: [{ name: 'a', limit: -5 }] }, 'vdcStorageProfiles.0.limit'],
    [{ name: 'x', vdcStorageProfiles: [{ name: 'a', units: 'GB' }] }, 'vdcStorageProfiles.0.units'],
    [{ name: 'x', vdcStorageProfiles: [{ name: 'a' }, { name: 'A' }] }, 'unique'],
    [{ name: 'x', vdcStorageProfiles: [{ name: 'a', default: true }, { name: 'b', default: true }] }, 'default'],
    [{ name: 'x', nicQuota: -1 }, 'nicQuota'],
    [{ name: 'x', networkQuota: 'many' }, 'networkQuota'],
    [{ name: 'x', vmQuota: 2.5 }, 'vmQuota'],
    [{ name: 'x', isEnabled: 'yes' }, 'isEnabled'],
    [{ name: 'x', isThinProvision: 1 }, 'isThinProvision'],
    [{ name: 'x', providerVdc: {} }, 'providerVdc'],
    [{ name: 'x', providerVdc: 'pvdc' }, 'providerVdc'],
    ['dev', 'body: must be a JSON object'],
    [[], 'body: must be a JSON object'],
    [{ name: 'x', computeCapacity: [] }, 'computeCapacity: must be an object'],
    [{ name: 'x', vdcStorageProfiles: [[]] }, 'vdcStorageProfiles.0: must be an object'],
  ])('answers 400 for %j naming %s', async (input, field) => {
    const res = await post(input);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.minorErrorCode).toBe('BAD_REQUEST');
    expect(body.message).toContain(field);
    expect(rowCount()).toBe(0);
  });

  it('answers 400 for broken JSON and treats an empty body as {} (name missing)', async () => {
    const broken = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, raw: '{', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toContain('JSON');
    const empty = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, raw: '' });
    expect(empty.status).toBe(400);
    expect((await json(empty)).message).toContain('name');
  });

  it('answers 415 for a non-JSON body', async () => {
    const res = await t.request('POST', adminVdcsPath(w.acme.id), { token: w.tokens.sys, raw: '<Vdc/>', headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(415);
  });
});
