/**
 * Catalog items: one per template per catalog, derived in memory from the template cache. Ids
 * are stable v5 UUIDs of the catalog URN and the template's namespace/name, so nothing is stored.
 * Lists filter (FIQL, same grammar as SQL lists), sort and page over the cached template list in
 * O(n) per request with n = templates: per catalog, the id index and each sort order are built
 * once per template-list identity and reused until the cache changes.
 */
import { badRequest } from '#lib/http/errors.ts';
import { FiqlError, hasOperator, parseFiql, type FiqlNode } from '#lib/http/fiql.ts';
import type { ListPlan, ListQuery } from '#lib/http/list.ts';
import { parseUrn, toUrn } from '#lib/urn.ts';
import { uuid5 } from '#lib/uuid5.ts';
import type { CatalogTemplate, TemplateSource } from './template.ts';

export interface ItemEntry {
  /** Bare UUID of the item. */
  id: string;
  template: CatalogTemplate;
}

/** The item id (bare UUID) of a template in a catalog. */
export function catalogItemId(catalogId: string, t: Pick<CatalogTemplate, 'namespace' | 'name'>): string {
  return uuid5(`${toUrn('catalog', catalogId)}/${t.namespace}/${t.name}`);
}

/**
 * Deprecated templates are offered to system administrators only. The `hidden` tag hides
 * nothing: real common templates do not use it to withdraw a template, so it stays a plain tag.
 */
export function isOffered(t: CatalogTemplate, includeHidden: boolean): boolean {
  return includeHidden || !t.deprecated;
}

// ---- per-catalog indexes, keyed by the identity of the cached template list ----

interface CatalogIndex {
  /** In template-list order. */
  entries: ItemEntry[];
  byId: Map<string, ItemEntry>;
  /** Sorted copies of `entries`, by sort key. */
  orders: Map<string, ItemEntry[]>;
}

interface ListCache {
  catalogs: Map<string, CatalogIndex>;
  offered: number;
}

/** Bounds memory when many catalogs are read against one template list (oldest index dropped). */
const MAX_CATALOGS_PER_LIST = 1024;
const caches = new WeakMap<readonly CatalogTemplate[], ListCache>();

function listCache(list: readonly CatalogTemplate[]): ListCache {
  let cache = caches.get(list);
  if (!cache) {
    cache = { catalogs: new Map(), offered: list.reduce((n, t) => n + (isOffered(t, false) ? 1 : 0), 0) };
    caches.set(list, cache);
  }
  return cache;
}

function catalogIndex(list: readonly CatalogTemplate[], catalogId: string): CatalogIndex {
  const cache = listCache(list);
  let idx = cache.catalogs.get(catalogId);
  if (!idx) {
    const entries = list.map((template) => ({ id: catalogItemId(catalogId, template), template }));
    idx = { entries, byId: new Map(entries.map((e) => [e.id, e])), orders: new Map() };
    if (cache.catalogs.size >= MAX_CATALOGS_PER_LIST) cache.catalogs.delete(cache.catalogs.keys().next().value!);
    cache.catalogs.set(catalogId, idx);
  }
  return idx;
}

/** How many items every catalog offers to a caller (numberOfVAppTemplates). */
export function countItems(source: TemplateSource | undefined, includeHidden: boolean): number {
  const list = source?.list();
  if (!list) return 0;
  return includeHidden ? list.length : listCache(list).offered;
}

/** One item of a catalog by id, if the template exists and is offered to the caller. */
export function findItem(source: TemplateSource | undefined, catalogId: string, itemId: string, includeHidden: boolean): ItemEntry | undefined {
  const list = source?.list();
  if (!list) return undefined;
  const e = catalogIndex(list, catalogId).byId.get(itemId);
  return e && isOffered(e.template, includeHidden) ? e : undefined;
}

// ---- fields, filter and sort ----

type Value = string | number | null;
interface ItemField {
  type: 'string' | 'urn' | 'date';
  get(e: ItemEntry): Value;
}

const dateOf = (s: string | null): number | null => {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
};

/** The fields item lists filter and sort on. */
export const ITEM_FIELDS: Record<string, ItemField> = {
  id: { type: 'urn', get: (e) => e.id },
  name: { type: 'string', get: (e) => e.template.name },
  displayName: { type: 'string', get: (e) => e.template.displayName },
  description: { type: 'string', get: (e) => e.template.description },
  osType: { type: 'string', get: (e) => e.template.osType },
  os_type: { type: 'string', get: (e) => e.template.osType },
  status: { type: 'string', get: (e) => e.template.status },
  'template.namespace': { type: 'string', get: (e) => e.template.namespace },
  creationDate: { type: 'date', get: (e) => dateOf(e.template.creationTimestamp) },
};

type Predicate = (e: ItemEntry) => boolean;

/** Compiles a filter into a predicate; 400 on unknown fields or bad values (even with no items). */
export function compileItemFilter(filter: string | undefined): Predicate | undefined {
  const f = filter?.trim();
  if (!f) return undefined;
  if (!hasOperator(f)) {
    const needle = f.toLowerCase();
    return (e) => e.template.name.toLowerCase().includes(needle);
  }
  let tree: FiqlNode;
  try {
    tree = parseFiql(f);
  } catch (e) {
    if (e instanceof FiqlError) throw badRequest(`filter: ${e.message}`);
    throw e;
  }
  return compileNode(tree);
}

function compileNode(n: FiqlNode): Predicate {
  if (n.kind !== 'cmp') {
    const parts = n.items.map(compileNode);
    return n.kind === 'and' ? (e) => parts.every((p) => p(e)) : (e) => parts.some((p) => p(e));
  }
  const f = ITEM_FIELDS[n.field];
  if (!f) throw badRequest(`filter: unknown field '${n.field}'; filterable fields: ${Object.keys(ITEM_FIELDS).join(', ')}`);
  const { op } = n;
  if (f.type === 'string' && n.value.includes('*')) {
    if (op !== '==' && op !== '!=') throw badRequest(`filter: wildcards only work with == and != on '${n.field}'`);
    const re = wildcard(n.value);
    // Like SQL, a missing value matches neither == nor !=.
    return (e) => {
      const v = f.get(e);
      return v !== null && re.test(String(v)) === (op === '==');
    };
  }
  const want = coerce(n.field, f, n.value);
  return (e) => {
    const v = f.get(e);
    if (v === null) return false;
    switch (op) {
      case '==': return v === want;
      case '!=': return v !== want;
      case '=lt=': return v < want;
      case '=le=': return v <= want;
      case '=gt=': return v > want;
      case '=ge=': return v >= want;
    }
  };
}

function coerce(name: string, f: ItemField, raw: string): string | number {
  if (f.type === 'urn') {
    const id = parseUrn('catalogitem', raw);
    if (!id) throw badRequest(`filter: '${name}' takes a URN urn:vcloud:catalogitem:<uuid>`);
    return id;
  }
  if (f.type === 'date') {
    const t = Date.parse(raw);
    if (Number.isNaN(t)) throw badRequest(`filter: '${name}' takes an ISO 8601 date`);
    return t;
  }
  return raw;
}

function wildcard(pattern: string): RegExp {
  const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'is');
}

/** Orders like SQLite: nulls first ascending, binary string order; ties by name, then id. */
function compareBy(field: ItemField | undefined, desc: boolean) {
  const cmp = (a: Value, b: Value) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  return (x: ItemEntry, y: ItemEntry) => {
    if (field) {
      const r = cmp(field.get(x), field.get(y));
      if (r) return desc ? -r : r;
    }
    return cmp(x.template.name, y.template.name) || cmp(x.id, y.id);
  };
}

function sortedEntries(idx: CatalogIndex, sortField: string | undefined, desc: boolean): ItemEntry[] {
  const key = sortField ? `${desc ? '-' : '+'}${sortField}` : '';
  let order = idx.orders.get(key);
  if (!order) {
    order = [...idx.entries].sort(compareBy(sortField ? ITEM_FIELDS[sortField] : undefined, desc));
    idx.orders.set(key, order);
  }
  return order;
}

export interface ItemPage {
  plan: ListPlan;
  total: number;
  entries: ItemEntry[];
}

/**
 * One page of a catalog's items for a caller. Paging, filter and sort are validated first, so a
 * bad request is a 400 whether or not a cluster is there; no templates → an empty page.
 */
export function listItems(source: TemplateSource | undefined, catalogId: string, q: ListQuery, includeHidden: boolean): ItemPage {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? q.page_size ?? q.per_page ?? 25;
  const plan: ListPlan = { page, pageSize, where: undefined, orderBy: [], limit: pageSize, offset: (page - 1) * pageSize };
  const sortField = q.sortAsc ?? q.sortDesc;
  if (sortField && !ITEM_FIELDS[sortField]) {
    throw badRequest(`${q.sortAsc ? 'sortAsc' : 'sortDesc'}: unknown field '${sortField}'; sortable fields: ${Object.keys(ITEM_FIELDS).join(', ')}`);
  }
  const match = compileItemFilter(q.filter);
  const list = source?.list();
  if (!list || list.length === 0) return { plan, total: 0, entries: [] };

  const ordered = sortedEntries(catalogIndex(list, catalogId), sortField, !q.sortAsc && !!q.sortDesc);
  const entries: ItemEntry[] = [];
  let total = 0;
  for (const e of ordered) {
    if (!isOffered(e.template, includeHidden) || (match && !match(e))) continue;
    if (total >= plan.offset && entries.length < plan.limit) entries.push(e);
    total++;
  }
  return { plan, total, entries };
}

/** The template cache of a cluster, if there is a cluster and its cache is available. */
export function templatesOf(k8s: { templates?(): TemplateSource | undefined } | undefined): TemplateSource | undefined {
  return k8s?.templates?.();
}
