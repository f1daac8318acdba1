/**
 * Prometheus metrics of the HTTP side, in a registry owned by one app (so tests do not share
 * counters). Routes are labelled by their pattern (`/cloudapi/1.0.0/orgs/:orgId`), never by the
 * concrete path, so cardinality stays fixed.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Records one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void;
  /** Reports the list-page cache's hits and misses (read when scraped). */
  watchPageCache(cache: { hits: number; misses: number }): void;
}

/** A registry with the process metrics and the HTTP request counter and histogram. */
export function createMetrics(opts: { registry?: Registry; processMetrics?: boolean } = {}): Metrics {
  const registry = opts.registry ?? new Registry();
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'ssvirt_http_requests_total', help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const duration = new Histogram({
    name: 'ssvirt_http_request_duration_seconds', help: 'HTTP request duration by method and route pattern',
    labelNames: ['method', 'route'] as const, registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  let pageCache: { hits: number; misses: number } | undefined;
  new Counter({
    name: 'ssvirt_list_cache_requests_total', help: 'List pages answered from the page cache (hit) or built (miss)',
    labelNames: ['result'] as const, registers: [registry],
    collect() {
      this.reset();
      if (!pageCache) return;
      this.inc({ result: 'hit' }, pageCache.hits);
      this.inc({ result: 'miss' }, pageCache.misses);
    },
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status });
      duration.observe({ method, route }, seconds);
    },
    watchPageCache(cache) {
      pageCache = cache;
    },
  };
}
