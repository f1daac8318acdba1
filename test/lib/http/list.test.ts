import { describe, it, expect, beforeAll } from 'vitest';
import * as v from 'valibot';
import { Hono } from 'hono';
import { ListQuerySchema, filterToSql, pageResponse, planList, whereAll, type Fields } from '#lib/http/list.ts';
import { ApiError } from '#lib/http/errors.ts';
import { openDb, type Db } from '#db/client.ts';
import { orgs } from '#db/schema.ts';
import { seedOrg } from '#test/support/fixtures.ts';
import { eq } from 'drizzle-orm';

const FIELDS: Fields = {
  id: { col: orgs.id, type: 'urn', urnType: 'org' },
  name: { col: orgs.name, type: 'string' },
  isEnabled: { col: orgs.isEnabled, type: 'boolean' },
  createdAt: { col: orgs.createdAt, type: 'date' },
  updatedAt: { col: orgs.updatedAt, type: 'number' },
};

function badRequest(fn: () => unknown, word: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    expect((e as ApiError).message).toContain(word);
    return;
  }
  throw new Error('expected a 400');
}

describe('lib/http/list', () => {
  describe('ListQuerySchema', () => {
    const parse = (q: Record<string, string>) => v.safeParse(ListQuerySchema, q);
    it('accepts paging in all three spellings and keeps unknown parameters', () => {
      const r = parse({ page: '2', pageSize: '10', page_size: '20', per_page: '30', other: 'x' });
      expect(r.success).toBe(true);
      expect(r.output).toMatchObject({ page: 2, pageSize: 10, page_size: 20, per_page: 30, other: 'x' });
    });
    it.each([
      [{ page: '0' }, 'page must be at least 1'], [{ page: '-1' }, 'page must be a whole number'], [{ page: '1.5' }, 'page must be a whole number'],
      [{ pageSize: '0' }, 'pageSize must be at least 1'], [{ pageSize: '129' }, 'pageSize must be at most 128'], [{ pageSize: '999' }, 'pageSize must be at most 128'],
      [{ page_size: 'abc' }, 'page_size must be a whole number'], [{ per_page: '200' }, 'per_page must be at most 128'],
      [{ filter: 'x'.repeat(2001) }, 'filter must be at most 2000 characters'],
    ])('rejects %j', (q, message) => {
      const r = parse(q);
      expect(r.success).toBe(false);
      expect(r.issues![0]!.message).toBe(message);
    });
  });

  describe('planList', () => {
    it('defaults to page 1 of 25, ordered by name then id', () => {
      const p = planList({}, FIELDS);
      expect(p).toMatchObject({ page: 1, pageSize: 25, limit: 25, offset: 0, where: undefined });
      expect(p.orderBy).toHaveLength(2);
    });
    it('takes pageSize, then page_size, then per_page', () => {
      expect(planList({ page: 3, pageSize: 10, page_size: 20 }, FIELDS)).toMatchObject({ pageSize: 10, offset: 20 });
      expect(planList({ page_size: 20, per_page: 30 }, FIELDS).pageSize).toBe(20);
      expect(planList({ per_page: 30 }, FIELDS).pageSize).toBe(30);
    });
    it('ignores a blank filter', () => {
      expect(planList({ filter: '   ' }, FIELDS).where).toBeUndefined();
    });
    it.each(['sortAsc', 'sortDesc'])('answers 400 naming %s for an unknown sort field', (key) => {
      badRequest(() => planList({ [key]: 'color' }, FIELDS), `${key}: unknown field 'color'`);
    });
    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('treats the inherited name %s as an unknown field', (name) => {
      badRequest(() => planList({ sortAsc: name }, FIELDS), 'unknown field');
      badRequest(() => filterToSql(`${name}==x`, FIELDS), 'unknown field');
    });
  });

  describe('filterToSql against SQLite', () => {
    let db: Db;
    const names = (filter: string) => db.select({ name: orgs.name }).from(orgs).where(filterToSql(filter, FIELDS)).orderBy(orgs.name).all().map((r) => r.name);
    let web1: ReturnType<typeof seedOrg>;
    beforeAll(() => {
      db = openDb(':memory:');
      web1 = seedOrg(db, 'Web-1', { createdAt: Date.parse('2026-01-01T00:00:00Z'), updatedAt: 10 });
      seedOrg(db, 'web-2', { isEnabled: false, createdAt: Date.parse('2026-06-01T00:00:00Z'), updatedAt: 20 });
      seedOrg(db, 'db_1', { updatedAt: 30 });
      seedOrg(db, 'db%x', { updatedAt: 40 });
      seedOrg(db, 'a,b', { updatedAt: 50 });
    });

    it('matches exactly (case-sensitive) without a wildcard', () => {
      expect(names('name==Web-1')).toEqual(['Web-1']);
      expect(names('name==web-1')).toEqual([]);
    });
    it('matches wildcards case-insensitively', () => {
      expect(names('name==WEB*')).toEqual(['Web-1', 'web-2']);
      expect(names('name==*-1')).toEqual(['Web-1']);
      expect(names('name!=web*')).toEqual(['a,b', 'db%x', 'db_1']);
    });
    it('treats % and _ literally in wildcard and free-text searches', () => {
      expect(names('name==db_*')).toEqual(['db_1']);
      expect(names('name==db%*')).toEqual(['db%x']);
      expect(names('_')).toEqual(['db_1']);
      expect(names('%')).toEqual(['db%x']);
    });
    it('searches the name for free text, case-insensitively', () => {
      expect(names('EB-')).toEqual(['Web-1', 'web-2']);
      expect(names('no such')).toEqual([]);
    });
    it('compares booleans, numbers, dates and URNs', () => {
      expect(names('isEnabled==false')).toEqual(['web-2']);
      expect(names('isEnabled==TRUE;name==web*')).toEqual(['Web-1']);
      expect(names('updatedAt=gt=20;updatedAt=le=40')).toEqual(['db%x', 'db_1']);
      expect(names('updatedAt=lt=20,updatedAt=ge=50')).toEqual(['Web-1', 'a,b']);
      expect(names('createdAt=ge=2026-03-01T00:00:00Z;createdAt=lt=2026-07-01T00:00:00.000Z')).toEqual(['web-2']);
      expect(names(`id==urn:vcloud:org:${web1.id}`)).toEqual(['Web-1']);
      expect(names(`id==${web1.id.toUpperCase()}`)).toEqual(['Web-1']);
    });
    it('handles escaped separators in values', () => {
      expect(names('name==a\\,b')).toEqual(['a,b']);
    });
    it.each([
      ['color==red', "unknown field 'color'; filterable fields: id, name, isEnabled, createdAt, updatedAt"],
      ['isEnabled==yes', "'isEnabled' takes true or false"],
      ['updatedAt==ten', "'updatedAt' takes a number"],
      ['createdAt==yesterday', "'createdAt' takes an ISO 8601 date"],
      ['id==urn:vcloud:vdc:00000000-0000-0000-0000-000000000000', "'id' takes a URN urn:vcloud:org:<uuid>"],
      ['name=lt=a*', 'wildcards only work with == and !='],
      ['name==(', 'filter: '],
      ['(name==a', "filter: expected ')'"],
    ])('answers 400 for %s', (filter, word) => badRequest(() => filterToSql(filter, FIELDS), word));
    it('answers 400 for free text when the list has no name field', () => {
      badRequest(() => filterToSql('abc', { id: FIELDS.id! }), 'FIQL');
    });
  });

  describe('whereAll', () => {
    it('skips undefined parts and is undefined when nothing is left', () => {
      expect(whereAll(undefined, undefined)).toBeUndefined();
      expect(whereAll()).toBeUndefined();
      expect(whereAll(undefined, eq(orgs.id, 'x'))).toBeDefined();
    });
  });

  describe('pageResponse', () => {
    const app = new Hono();
    app.get('/things', (c) => {
      const page = Number(c.req.query('page') ?? 1);
      const total = Number(c.req.query('total'));
      return pageResponse(c, { page, pageSize: 10, where: undefined, orderBy: [], limit: 10, offset: (page - 1) * 10 }, total, ['x']);
    });
    const links = (res: Response) => Object.fromEntries((res.headers.get('link') ?? '').split(', ').filter(Boolean).map((l) => {
      const m = /^<(.*)>;rel="(\w+)";type="application\/json"$/.exec(l)!;
      return [m[2], m[1]];
    }));
    it('answers the VCD envelope with pageCount = ceil(total / pageSize)', async () => {
      const res = await app.request('/things?total=31&page=2');
      expect(await res.json()).toEqual({ resultTotal: 31, pageCount: 4, page: 2, pageSize: 10, associations: [], values: ['x'] });
    });
    it('links first, previous, next and last pages, repeating every query parameter', async () => {
      const res = await app.request('http://localhost/things?total=31&page=2&filter=name%3D%3Da*&sortAsc=name');
      const l = links(res);
      expect(Object.keys(l).sort()).toEqual(['firstPage', 'lastPage', 'nextPage', 'previousPage']);
      const next = new URL(l.nextPage!);
      expect(next.origin).toBe('http://localhost');
      expect(next.pathname).toBe('/things');
      expect(Object.fromEntries(next.searchParams)).toEqual({ total: '31', page: '3', filter: 'name==a*', sortAsc: 'name' });
      expect(new URL(l.lastPage!).searchParams.get('page')).toBe('4');
      expect(new URL(l.firstPage!).searchParams.get('page')).toBe('1');
      expect(new URL(l.previousPage!).searchParams.get('page')).toBe('1');
    });
    it('keeps the query order, setting page where it stood (a repeated page collapses to one)', async () => {
      const res = await app.request('http://localhost/things?page=2&total=31&page=7&x=a%20b');
      const link = (p: number, rel: string) => `<http://localhost/things?page=${p}&total=31&x=a+b>;rel="${rel}";type="application/json"`;
      expect(res.headers.get('link')).toBe([link(1, 'firstPage'), link(1, 'previousPage'), link(3, 'nextPage'), link(4, 'lastPage')].join(', '));
    });
    it('names each relation once, each URL carrying the query once', async () => {
      const res = await app.request('http://localhost/things?total=20&page=1&filter=name%3D%3Da*');
      expect(res.headers.get('link')).toBe('<http://localhost/things?total=20&page=1&filter=name%3D%3Da*>;rel="firstPage";type="application/json", '
        + '<http://localhost/things?total=20&page=2&filter=name%3D%3Da*>;rel="nextPage";type="application/json", '
        + '<http://localhost/things?total=20&page=2&filter=name%3D%3Da*>;rel="lastPage";type="application/json"');
    });
    it('drops a parameter repeated with the same value', async () => {
      const l = links(await app.request('http://localhost/things?total=31&x=1&x=1&x=2&page=2'));
      expect(new URL(l.nextPage!).search).toBe('?total=31&x=1&x=2&page=3');
    });
    it('stays under 16 KB for a 15 KB query: a link longer than 2 KB is left out (the body has the paging)', async () => {
      const long = 'y'.repeat(15_000);
      const res = await app.request(`http://localhost/things?total=31&page=2&q=${long}`);
      expect(res.headers.get('link')).toBeNull();
      expect(await res.json()).toMatchObject({ page: 2, pageCount: 4, pageSize: 10, resultTotal: 31 });
      const near = 'y'.repeat(1_900);
      const kept = await app.request(`http://localhost/things?total=31&page=2&q=${near}`);
      expect(Object.keys(links(kept)).sort()).toEqual(['firstPage', 'lastPage', 'nextPage', 'previousPage']);
      expect(kept.headers.get('link')!.length).toBeLessThan(8_192);
    });
    it('leaves out previous on the first page and next on the last', async () => {
      expect(Object.keys(links(await app.request('/things?total=31&page=1'))).sort()).toEqual(['firstPage', 'lastPage', 'nextPage']);
      expect(Object.keys(links(await app.request('/things?total=31&page=4'))).sort()).toEqual(['firstPage', 'lastPage', 'previousPage']);
    });
    it('points previous at the last page from past the end', async () => {
      const l = links(await app.request('/things?total=31&page=9'));
      expect(new URL(l.previousPage!).searchParams.get('page')).toBe('4');
      expect(l.nextPage).toBeUndefined();
    });
    it('sends no Link header for an empty list (pageCount 0)', async () => {
      const res = await app.request('/things?total=0');
      expect(res.headers.get('link')).toBeNull();
      expect(((await res.json()) as { pageCount: number }).pageCount).toBe(0);
    });
    it('builds the links for the client behind a proxy (X-Forwarded-Proto/Host)', async () => {
      const res = await app.request('http://10.0.0.5:8080/things?total=31', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'vcd.example.com' } });
      expect(links(res).nextPage).toBe('https://vcd.example.com/things?total=31&page=2');
    });
  });
});
