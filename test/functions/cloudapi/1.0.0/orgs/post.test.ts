import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';
import { vdcWorld, type VdcWorld } from '#test/support/vdc-world.ts';
import { findOrgByName, providerOrg } from '#db/queries/orgs.ts';

const ORGS = '/cloudapi/1.0.0/orgs';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('POST /cloudapi/1.0.0/orgs', () => {
  let t: TestApp;
  let w: VdcWorld;
  let now: number;
  const orgCount = () => (t.db.$client.prepare('SELECT count(*) AS n FROM orgs').get() as { n: number }).n;
  beforeEach(async () => {
    // A fixed clock makes the timestamps exact; sessions are minted at the real time, a moment earlier.
    now = Date.now();
    t = await makeTestApp({ now: () => now });
    w = await vdcWorld(t);
  });

  it('creates an org from every field and answers 201 with Location and exactly the Org fields', async () => {
    const res = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: 'acme-2', displayName: 'ACME Corp', description: 'the second', isEnabled: true, canPublish: true } });
    expect(res.status).toBe(201);
    const body = await json(res);
    const provider = providerOrg(t.db)!;
    const row = findOrgByName(t.db, 'acme-2')!;
    expect(body).toEqual({
      id: `urn:vcloud:org:${row.id}`, name: 'acme-2', displayName: 'ACME Corp', description: 'the second', isEnabled: true,
      orgVdcCount: 0, catalogCount: 0, vappCount: 0, runningVMCount: 0, userCount: 0, diskCount: 0, canPublish: true,
      managedBy: { name: 'Provider', id: `urn:vcloud:org:${provider.id}` },
      createdDate: new Date(now).toISOString(), lastModifiedDate: new Date(now).toISOString(),
    });
    expect(res.headers.get('location')).toBe(`http://localhost/cloudapi/1.0.0/orgs/${body.id}`);
    // The Location answers with the same object.
    const again = await t.request('GET', new URL(res.headers.get('location')!).pathname, { token: w.tokens.sys });
    expect(await json(again)).toEqual(body);
  });

  it('defaults displayName to the name, description to empty, isEnabled to true and canPublish to false', async () => {
    const body = await json(await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: 'plain' } }));
    expect(body).toMatchObject({ name: 'plain', displayName: 'plain', description: '', isEnabled: true, canPublish: false });
    expect(body.createdDate).toMatch(ISO);
    // An empty displayName means "no display name" too.
    const empty = await json(await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: 'blank', displayName: '' } }));
    expect(empty.displayName).toBe('blank');
  });

  it('honours isEnabled=false: the org is stored disabled and its users cannot log in', async () => {
    const res = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: 'dormant', isEnabled: false } });
    expect(res.status).toBe(201);
    expect((await json(res)).isEnabled).toBe(false);
    expect(findOrgByName(t.db, 'dormant')!.isEnabled).toBe(false);
  });

  it("accepts every character docs/api.md allows, a 128-character name and a 256-character displayName, and trims the name", async () => {
    const odd = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: "A_b-c.d!e'f(g),h$9" } });
    expect(odd.status).toBe(201);
    expect((await json(odd)).name).toBe("A_b-c.d!e'f(g),h$9");
    const long = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: 'n'.repeat(128), displayName: 'd'.repeat(256) } });
    expect(long.status).toBe(201);
    const trimmed = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name: '  spaced  ' } });
    expect((await json(trimmed)).name).toBe('spaced');
  });

  it('answers 400 DUPLICATE_NAME for a taken name in any case, and creates nothing', async () => {
    const before = orgCount();
    for (const name of ['Acme', 'ACME', 'acme', 'provider']) {
      const res = await t.request('POST', ORGS, { token: w.tokens.sys, body: { name } });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body).toMatchObject({ minorErrorCode: 'DUPLICATE_NAME', code: 400, stackTrace: null });
      expect(body.message).toContain('name');
    }
    expect(orgCount()).toBe(before);
  });

  it('lets exactly one of two simultaneous creates of the same name win: one 201, one 400, one row', async () => {
    const both = await Promise.all(['twin', 'TWIN'].map((name) => t.request('POST', ORGS, { token: w.tokens.sys, body: { name, description: name } })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 400]);
    const loser = await json(both.find((r) => r.status === 400)!);
    expect(loser.minorErrorCode).toBe('DUPLICATE_NAME');
    const winner = await json(both.find((r) => r.status === 201)!);
    const rows = t.db.$client.prepare("SELECT id, name, description FROM orgs WHERE name_key = 'twin'").all() as { id: string; name: string; description: string }[];
    expect(rows).toEqual([{ id: winner.id.split(':').pop(), name: winner.name, description: winner.name }]);
  });

  it.each(['orgAdmin', 'user'] as const)('answers 403 to a %s and creates nothing', async (who) => {
    const before = orgCount();
    const res = await t.request('POST', ORGS, { token: w.tokens[who], body: { name: 'mine' } });
    expect(res.status).toBe(403);
    expect((await json(res)).minorErrorCode).toBe('ACCESS_TO_RESOURCE_IS_FORBIDDEN');
    expect(orgCount()).toBe(before);
  });

  it.each([
    ['a missing name', { displayName: 'x' }, 'name'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a null name', { name: null }, 'name'],
    ['a numeric name', { name: 42 }, 'name'],
    ['a name as an array', { name: ['a'] }, 'name'],
    ['a 129-character name', { name: 'n'.repeat(129) }, 'name'],
    ['a name with a space', { name: 'two words' }, 'name'],
    ['a name with a slash', { name: 'a/b' }, 'name'],
    ['a name with a non-ASCII letter', { name: 'café' }, 'name'],
    ['a numeric displayName', { name: 'x1', displayName: 7 }, 'displayName'],
    ['a 257-character displayName', { name: 'x1', displayName: 'd'.repeat(257) }, 'displayName'],
    ['a numeric description', { name: 'x1', description: 1 }, 'description'],
    ['a 4097-character description', { name: 'x1', description: 'd'.repeat(4097) }, 'description'],
    ['a string isEnabled', { name: 'x1', isEnabled: 'false' }, 'isEnabled'],
    ['a numeric canPublish', { name: 'x1', canPublish: 1 }, 'canPublish'],
  ])('answers 400 BAD_REQUEST for %s naming the field, and creates nothing', async (_label, body, field) => {
    const before = orgCount();
    const res = await t.request('POST', ORGS, { token: w.tokens.sys, body });
    expect(res.status).toBe(400);
    const b = await json(res);
    expect(b.minorErrorCode).toBe('BAD_REQUEST');
    expect(b.message).toMatch(new RegExp(`(^|; )${field}: `));
    expect(orgCount()).toBe(before);
  });

  it('answers 400 for broken JSON or a body that is not an object, and treats an empty body as {} (name missing)', async () => {
    const broken = await t.request('POST', ORGS, { token: w.tokens.sys, raw: '{"name": "x', headers: { 'content-type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect((await json(broken)).message).toContain('JSON');
    for (const raw of ['[]', '"acme"', 'null']) {
      const res = await t.request('POST', ORGS, { token: w.tokens.sys, raw, headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
    }
    for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
      const empty = await t.request('POST', ORGS, { token: w.tokens.sys, raw: '', headers });
      expect(empty.status).toBe(400);
      expect((await json(empty)).message).toMatch(/^name: /);
    }
  });

  it('answers 415 for a non-JSON content type', async () => {
    const res = await t.request('POST', ORGS, { token: w.tokens.sys, raw: '<Org name="x"/>', headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(415);
    expect((await json(res)).minorErrorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 401 without a session or with an unknown token, and creates nothing', async () => {
    const before = orgCount();
    const anon = await t.request('POST', ORGS, { body: { name: 'anon' } });
    expect(anon.status).toBe(401);
    expect((await json(anon)).minorErrorCode).toBe('UNAUTHORIZED');
    expect((await t.request('POST', ORGS, { token: 'x'.repeat(43), body: { name: 'anon' } })).status).toBe(401);
    expect(orgCount()).toBe(before);
  });
});
