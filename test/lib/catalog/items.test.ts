import { describe, it, expect } from 'vitest';
import { catalogItemId, countItems, findItem, listItems } from '#lib/catalog/items.ts';
import type { ListQuery } from '#lib/http/list.ts';
import { fakeTemplate, FakeTemplateSource } from '#test/support/templates.ts';
import { ApiError } from '#lib/http/errors.ts';

const CAT = '0b6c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';
const OTHER = '1b6c8f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';

function source() {
  return new FakeTemplateSource([
    fakeTemplate('fedora-small', { osType: 'fedora39', creationTimestamp: '2026-11-01T00:00:00Z' }),
    fakeTemplate('centos-stream9', { osType: 'centos9', displayName: 'CentOS Stream 9', creationTimestamp: '2026-10-01T00:00:00Z' }),
    fakeTemplate('win2k22', { osType: 'win2k22', description: 'Windows (server)', creationTimestamp: null }),
    fakeTemplate('rhel7', { osType: 'rhel7', deprecated: true }),
    fakeTemplate('secret-lab', { osType: null, hidden: true }),
    fakeTemplate('fedora-small', { namespace: 'templates-b' }),
  ]);
}

const names = (q: Partial<ListQuery>, hidden = false, src = source()) =>
  listItems(src, CAT, q as ListQuery, hidden).entries.map((e) => `${e.template.namespace === 'openshift' ? '' : e.template.namespace + '/'}${e.template.name}`);

describe('lib/catalog/items', () => {
  it('derives stable ids that differ per catalog and per namespace', () => {
    const t = fakeTemplate('fedora-small');
    expect(catalogItemId(CAT, t)).toBe(catalogItemId(CAT, fakeTemplate('fedora-small', { description: 'changed' })));
    expect(catalogItemId(CAT, t)).not.toBe(catalogItemId(OTHER, t));
    expect(catalogItemId(CAT, t)).not.toBe(catalogItemId(CAT, { namespace: 'templates-b', name: 'fedora-small' }));
    expect(catalogItemId(CAT, t)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('orders by name then id and hides deprecated templates from tenants (the hidden tag hides nothing)', () => {
    const all = names({}, true);
    expect(all.slice(0, 2)).toEqual(['centos-stream9', expect.stringMatching(/fedora-small$/)]);
    expect(all).toHaveLength(6);
    expect(names({})).not.toContain('rhel7');
    expect(names({})).toContain('secret-lab');
    expect(names({})).toHaveLength(5);
  });

  it('counts what a caller is offered', () => {
    const src = source();
    expect(countItems(src, true)).toBe(6);
    expect(countItems(src, false)).toBe(5);
    expect(countItems(undefined, false)).toBe(0);
  });

  it.each([
    ['osType==fedora39', ['fedora-small', 'templates-b/fedora-small']],
    ['name==FEDORA*', ['fedora-small', 'templates-b/fedora-small']],
    ['name==fedora-SMALL', []],
    ['name!=fedora*', ['centos-stream9', 'secret-lab', 'win2k22']],
    ['osType==centos9,osType==win2k22', ['centos-stream9', 'win2k22']],
    ['(osType==fedora39;template.namespace==openshift),name==win*', ['fedora-small', 'win2k22']],
    ['description==*\\(server\\)', ['win2k22']],
    ['creationDate=lt=2026-10-15T00:00:00Z', ['centos-stream9']],
    ['name=ge=w', ['win2k22']],
    ['status==AVAILABLE', ['centos-stream9', 'fedora-small', 'templates-b/fedora-small', 'secret-lab', 'win2k22']],
    ['displayName==centos*', ['centos-stream9']],
  ])('filters %s', (filter, expected) => {
    expect(names({ filter }).sort()).toEqual([...expected].sort());
  });

  it('treats free text as a case-insensitive name search', () => {
    expect(names({ filter: 'STREAM' })).toEqual(['centos-stream9']);
  });

  it('filters by item id', () => {
    const id = catalogItemId(CAT, fakeTemplate('win2k22'));
    expect(names({ filter: `id==urn:vcloud:catalogitem:${id}` })).toEqual(['win2k22']);
    expect(names({ filter: `id==${id}` })).toEqual(['win2k22']);
  });

  it('sorts ascending and descending on a field, ties by name', () => {
    const desc = names({ sortDesc: 'osType' });
    expect(desc[0]).toBe('win2k22');
    expect(desc[3]).toBe('centos-stream9');
    // secret-lab (no OS) is offered to tenants too now; a null sorts first ascending.
    expect(names({ sortAsc: 'creationDate' })[0]).toBe('win2k22');
    expect(names({ sortDesc: 'creationDate' })[0]).toMatch(/fedora-small$/);
    expect(names({ sortAsc: 'osType' }).slice(0, 2)).toEqual(['secret-lab', 'centos-stream9']);
  });

  it('pages over the filtered set with an exact total', () => {
    const src = new FakeTemplateSource(Array.from({ length: 60 }, (_, i) => fakeTemplate(`t-${String(i).padStart(2, '0')}`)));
    const p2 = listItems(src, CAT, { page: 2, pageSize: 25 } as ListQuery, false);
    expect(p2.total).toBe(60);
    expect(p2.entries.map((e) => e.template.name)).toEqual(Array.from({ length: 25 }, (_, i) => `t-${25 + i}`));
    expect(listItems(src, CAT, { page: 3, pageSize: 25 } as ListQuery, false).entries).toHaveLength(10);
    expect(listItems(src, CAT, { page: 9, pageSize: 25 } as ListQuery, false).entries).toEqual([]);
  });

  it('rejects unknown fields, bad values and bad sorts even without templates', () => {
    for (const q of [{ filter: 'color==red' }, { filter: 'id==nope' }, { filter: 'creationDate=gt=soon' }, { filter: 'name=lt=a*' }, { filter: 'name==(' }, { sortAsc: 'color' }]) {
      expect(() => listItems(undefined, CAT, q as ListQuery, false)).toThrow(ApiError);
    }
  });

  it('finds an item by id, respecting the hidden rule, and follows cache changes', () => {
    const src = source();
    const id = catalogItemId(CAT, fakeTemplate('rhel7'));
    expect(findItem(src, CAT, id, true)?.template.name).toBe('rhel7');
    expect(findItem(src, CAT, id, false)).toBeUndefined();
    expect(findItem(src, OTHER, id, true)).toBeUndefined();
    src.set([fakeTemplate('only-one')]);
    expect(findItem(src, CAT, id, true)).toBeUndefined();
    expect(findItem(src, CAT, catalogItemId(CAT, fakeTemplate('only-one')), false)?.template.name).toBe('only-one');
    expect(findItem(undefined, CAT, id, true)).toBeUndefined();
  });

  it('reuses the per-catalog index while the template list is the same object', () => {
    const src = new FakeTemplateSource(Array.from({ length: 5000 }, (_, i) => fakeTemplate(`t-${i}`)));
    const id = catalogItemId(CAT, fakeTemplate('t-4999'));
    findItem(src, CAT, id, false);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) findItem(src, CAT, id, false);
    // 10 000 lookups that rebuilt the index would hash 50 million names; cached they take microseconds each.
    expect(performance.now() - started).toBeLessThan(500);
  });
});
