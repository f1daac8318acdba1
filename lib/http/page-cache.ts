/**
 * Whole-page cache for the hot list GETs (VDCs, organizations, catalog items). A page is a pure
 * function of the request URL, the caller's visibility scope, the database and the cluster state
 * its view shows (quota usage, the template list), so an entry is kept with the database
 * generation (db/generation.ts) and that cluster-state token, and is served only while both are
 * unchanged. Any row change anywhere therefore drops every entry: a list can never be older than
 * the last write. All entries share the generation of the cache (the newest seen).
 * Size-bounded (SSVIRT_LIST_CACHE_MB), least recently used out first.
 */
import type { Ctx } from './route.ts';
import { dbGeneration, GenerationGate } from '#db/generation.ts';
import { baseUrl } from '#lib/views/common.ts';
import { pageResponse, renderPage, sendPage, type ListPlan, type RenderedPage } from './list.ts';

/** A cluster-state token no entry can match: the page is built every time. */
export const UNCACHEABLE = Symbol('uncacheable');

interface Entry extends RenderedPage {
  view: unknown;
  bytes: number;
}

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly gate = new GenerationGate();
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** The page under `key` if it was built at this generation and cluster state. */
  get(key: string, generation: string, view: unknown): RenderedPage | undefined {
    if (this.gate.advance(generation)) {
      // Every entry was built before the last write: drop them all at once.
      this.entries.clear();
      this.bytes = 0;
    }
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.view !== view) {
      this.drop(key, e);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, generation: string, view: unknown, page: RenderedPage): void {
    if (!this.gate.holds(generation)) return;
    const bytes = 2 * (page.text.length + page.link.length + key.length);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { ...page, view, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, e);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

export interface PageData<T> {
  plan: ListPlan;
  total: number;
  values: T[];
}

/**
 * Answers a list page from the app's cache, or builds, answers and keeps it. `scope` names what
 * the caller may see (two callers with the same scope get the same page); `view` is the token of
 * the cluster state the page shows (UNCACHEABLE when it cannot be told).
 */
export function cachedPage<T>(c: Ctx, scope: string, view: unknown, build: () => PageData<T>): Response {
  const cache = c.var.pages;
  if (!cache || view === UNCACHEABLE) {
    const p = build();
    return pageResponse(c, p.plan, p.total, p.values);
  }
  const url = c.req.url;
  const key = `${scope}\n${baseUrl(c)}${url.slice(url.indexOf('/', url.indexOf('//') + 2))}`;
  const generation = c.var.generation ?? dbGeneration(c.var.db);
  const hit = cache.get(key, generation, view);
  if (hit) {
    cache.hits++;
    return sendPage(c, hit);
  }
  cache.misses++;
  const p = build();
  const page = renderPage(c, p.plan, p.total, p.values);
  cache.set(key, generation, view, page);
  return sendPage(c, page);
}
