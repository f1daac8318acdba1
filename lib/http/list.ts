/**
 * Lists: the VCD paged envelope, `Link` header, FIQL filter and sort turned into SQL over a
 * declared set of fields, so the database returns one page (O(page)).
 */
import * as v from 'valibot';
import { and, or, sql, asc, desc, type SQL, type AnyColumn } from 'drizzle-orm';
import type { Context } from 'hono';
import { badRequest } from './errors.ts';
import { FiqlError, hasOperator, parseFiql, type FiqlNode } from './fiql.ts';
import { parseUrn, type UrnType } from '#lib/urn.ts';
import { baseUrl } from '#lib/views/common.ts';

export interface FieldDef {
  col: AnyColumn | SQL;
  type: 'string' | 'boolean' | 'number' | 'urn' | 'date';
  urnType?: UrnType;
}
export type Fields = Record<string, FieldDef>;

const pageNumber = (name: string, max: number) =>
  v.optional(v.pipe(
    v.string(),
    v.regex(/^\d+$/, `${name} must be a whole number`),
    v.transform(Number),
    v.minValue(1, `${name} must be at least 1`),
    v.maxValue(max, `${name} must be at most ${max}`),
  ));

/** The list query parameters every list accepts; unknown parameters pass through untouched. */
export const ListQuerySchema = v.looseObject({
  page: pageNumber('page', 1_000_000),
  pageSize: pageNumber('pageSize', 128),
  page_size: pageNumber('page_size', 128),
  per_page: pageNumber('per_page', 128),
  filter: v.optional(v.pipe(v.string(), v.maxLength(2000, 'filter must be at most 2000 characters'))),
  sortAsc: v.optional(v.string()),
  sortDesc: v.optional(v.string()),
});
export type ListQuery = v.InferOutput<typeof ListQuerySchema>;

export interface ListPlan {
  page: number;
  pageSize: number;
  where: SQL | undefined;
  orderBy: readonly SQL[];
  limit: number;
  offset: number;
}

/** Works out the SQL pieces of a list request over the given fields. */
export function planList(q: ListQuery, fields: Fields, nameField = 'name'): ListPlan {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? q.page_size ?? q.per_page ?? 25;
  const where = q.filter && q.filter.trim() ? filterToSql(q.filter.trim(), fields, nameField) : undefined;
  return { page, pageSize, where, orderBy: orderFor(q, fields, nameField), limit: pageSize, offset: (page - 1) * pageSize };
}

const orders = new WeakMap<Fields, Map<string, readonly SQL[]>>();

/**
 * The ORDER BY of a list: the requested sort, then name and id for a stable order. Built once per
 * field set and sort and frozen, so queries that compile it to text can keep the text by identity.
 */
function orderFor(q: ListQuery, fields: Fields, nameField: string): readonly SQL[] {
  const sortField = q.sortAsc ?? q.sortDesc;
  const key = `${q.sortAsc ? 'asc' : 'desc'}:${nameField}:${sortField ?? ''}`;
  let byKey = orders.get(fields);
  if (!byKey) orders.set(fields, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const orderBy: SQL[] = [];
  if (sortField) {
    const f = field(fields, sortField);
    if (!f) throw badRequest(`${q.sortAsc ? 'sortAsc' : 'sortDesc'}: unknown field '${sortField}'; sortable fields: ${Object.keys(fields).join(', ')}`);
    orderBy.push(q.sortAsc ? asc(f.col) : desc(f.col));
  }
  const name = fields[nameField];
  const id = fields.id;
  if (name) orderBy.push(asc(name.col));
  if (id) orderBy.push(asc(id.col));
  Object.freeze(orderBy);
  byKey.set(key, orderBy);
  return orderBy;
}

/** Turns a filter (FIQL, or free text searched in the name) into SQL; 400 on unknown fields. */
export function filterToSql(filter: string, fields: Fields, nameField = 'name'): SQL {
  if (!hasOperator(filter)) {
    const f = fields[nameField];
    if (!f) throw badRequest('filter: expected a FIQL expression such as name==value');
    return sql`lower(${f.col}) LIKE ${'%' + escapeLike(filter.toLowerCase()) + '%'} ESCAPE '\\'`;
  }
  let tree: FiqlNode;
  try {
    tree = parseFiql(filter);
  } catch (e) {
    if (e instanceof FiqlError) throw badRequest(`filter: ${e.message}`);
    throw e;
  }
  return nodeToSql(tree, fields);
}

function nodeToSql(n: FiqlNode, fields: Fields): SQL {
  if (n.kind !== 'cmp') {
    const parts = n.items.map((x) => nodeToSql(x, fields));
    return (n.kind === 'and' ? and(...parts) : or(...parts))!;
  }
  const f = field(fields, n.field);
  if (!f) throw badRequest(`filter: unknown field '${n.field}'; filterable fields: ${Object.keys(fields).join(', ')}`);
  const value = coerce(n.field, f, n.value);
  if (f.type === 'string' && typeof value === 'string' && value.includes('*')) {
    if (n.op !== '==' && n.op !== '!=') throw badRequest(`filter: wildcards only work with == and != on '${n.field}'`);
    const pattern = escapeLike(value.toLowerCase()).replace(/\*/g, '%');
    const m = sql`lower(${f.col}) LIKE ${pattern} ESCAPE '\\'`;
    return n.op === '==' ? m : sql`NOT (${m})`;
  }
  // SQLite stores booleans as 0/1 and better-sqlite3 cannot bind a JS boolean.
  const bound = typeof value === 'boolean' ? Number(value) : value;
  const op = { '==': '=', '!=': '<>', '=lt=': '<', '=le=': '<=', '=gt=': '>', '=ge=': '>=' }[n.op];
  return sql`${f.col} ${sql.raw(op)} ${bound}`;
}

/** A declared field; own properties only, so `constructor` or `__proto__` are unknown fields, not a 500. */
function field(fields: Fields, name: string): FieldDef | undefined {
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

function coerce(name: string, f: FieldDef, raw: string): string | number | boolean {
  switch (f.type) {
    case 'boolean': {
      const s = raw.toLowerCase();
      if (s !== 'true' && s !== 'false') throw badRequest(`filter: '${name}' takes true or false`);
      return s === 'true';
    }
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) throw badRequest(`filter: '${name}' takes a number`);
      return Number(raw);
    }
    case 'urn': {
      const id = parseUrn(f.urnType!, raw);
      if (!id) throw badRequest(`filter: '${name}' takes a URN urn:vcloud:${f.urnType}:<uuid>`);
      return id;
    }
    case 'date': {
      const t = Date.parse(raw);
      if (Number.isNaN(t)) throw badRequest(`filter: '${name}' takes an ISO 8601 date`);
      return t;
    }
    default:
      return raw;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => '\\' + m);
}

/** Combines scope conditions with the filter (undefined parts are skipped). */
export function whereAll(...parts: (SQL | undefined)[]): SQL | undefined {
  const present = parts.filter((p): p is SQL => p !== undefined);
  return present.length ? and(...present) : undefined;
}

/** A serialized page: the envelope's JSON text and the `Link` header ('' for none). */
export interface RenderedPage {
  text: string;
  link: string;
}

/** Serializes a page in the VCD envelope with its `Link` header. */
export function renderPage<T>(c: Context, plan: ListPlan, total: number, values: T[]): RenderedPage {
  const pageCount = Math.ceil(total / plan.pageSize);
  // Behind a proxy the request URL says http://internal-host; the links must work for the client.
  const url = new URL(c.req.url);
  const link = linkHeader(baseUrl(c) + url.pathname + url.search, plan.page, pageCount);
  const text = JSON.stringify({ resultTotal: total, pageCount, page: plan.page, pageSize: plan.pageSize, associations: [], values });
  return { text, link };
}

/** Answers a serialized page. */
export function sendPage(c: Context, page: RenderedPage): Response {
  if (page.link) c.header('Link', page.link);
  return c.body(page.text, 200, { 'Content-Type': 'application/json' });
}

/** Answers a page in the VCD envelope with the `Link` header. */
export function pageResponse<T>(c: Context, plan: ListPlan, total: number, values: T[]): Response {
  return sendPage(c, renderPage(c, plan, total, values));
}

/**
 * A link longer than this is left out: 4 of them stay far below the 16 KB of headers Node's HTTP
 * client accepts, and the body carries page, pageSize and pageCount for a client to page without.
 */
export const MAX_LINK_URL = 2048;

type PageRel = 'firstPage' | 'previousPage' | 'nextPage' | 'lastPage';

function linkHeader(url: string, page: number, pageCount: number): string {
  if (pageCount === 0) return '';
  const u = new URL(url);
  // A parameter repeated with the same value says nothing more; its copies would be repeated in every link.
  const seen = new Set<string>();
  const kept = new URLSearchParams();
  for (const [k, v] of u.searchParams) {
    // `page` keeps the place of its first occurrence; each link sets its value below.
    const pair = k === 'page' ? 'page' : `${k}=${v}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    kept.append(k, v);
  }
  u.search = kept.toString();
  const targets: [PageRel, number | undefined][] = [
    ['firstPage', 1],
    ['previousPage', page > 1 ? Math.min(page - 1, pageCount) : undefined],
    ['nextPage', page < pageCount ? page + 1 : undefined],
    ['lastPage', pageCount],
  ];
  const out: string[] = [];
  for (const [rel, p] of targets) {
    if (p === undefined) continue;
    // One URL, its page set in turn: parsing a URL per link was a few percent of a list request.
    u.searchParams.set('page', String(p));
    const href = u.toString();
    if (href.length > MAX_LINK_URL) continue;
    // One relation per entry even where two point at the same page: clients look a relation up as
    // the whole `rel` value (Python requests' `links`, a substring test), so `rel="nextPage lastPage"` would hide both.
    out.push(`<${href}>;rel="${rel}";type="application/json"`);
  }
  return out.join(', ');
}
