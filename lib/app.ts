/**
 * createApp: the one Hono app, built from injected dependencies and the file routes.
 * Order: request id → access log → CORS → Accept/version check → session → route; every error
 * and unknown route ends in the one envelope.
 */
import { Hono, type Context } from 'hono';
import { randomUUID } from 'node:crypto';
import type { AppEnv, Deps } from './http/env.ts';
import { methodIndex, type RouteDef } from './http/routes.ts';
import { ApiError, envelope } from './http/errors.ts';
import { authenticate } from './auth/session.ts';
import { negotiate } from './http/accept.ts';
import { cors } from './http/cors.ts';
import { LoginGuard } from './auth/login-guard.ts';
import { HashQueue } from './auth/hash-queue.ts';
import { Passwords } from './auth/passwords.ts';
import { createMetrics } from './metrics.ts';
import { routePath } from 'hono/route';
import { PageCache } from './http/page-cache.ts';
import { storageFailure } from '#db/storage-errors.ts';

export interface AppOptions extends Deps {
  routes: RouteDef[];
}

/** Builds the app; tests call it with an in-memory database and a simulated cluster. */
export function createApp(deps: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const now = deps.clock ? () => deps.clock!.now() : Date.now;
  const allowedMethods = methodIndex(deps.routes);
  const loginGuard = new LoginGuard(deps.config, now);
  const hashing = new HashQueue({ concurrency: deps.config.passwordHashConcurrency, maxWaiting: deps.config.passwordHashQueue });
  const passwords = new Passwords(hashing, deps.passwordParams, deps.passwordImpl);
  const metrics = deps.metrics ?? createMetrics();
  const pages = deps.pages ?? (deps.config.listCacheMb > 0 ? new PageCache(deps.config.listCacheMb * 2 ** 20) : undefined);
  if (pages) metrics.watchPageCache(pages);

  // First: a refusal under overload must cost as little as possible.
  if (deps.admission) app.use('*', deps.admission.middleware());
  app.use('*', async function context(c, next) {
    const requestId = randomUUID();
    shareVars(c);
    c.set('requestId', requestId);
    c.set('db', deps.db);
    c.set('config', deps.config);
    c.set('log', deps.log);
    c.set('k8s', deps.k8s);
    c.set('now', now);
    c.set('loginGuard', loginGuard);
    c.set('passwords', passwords);
    c.set('metrics', metrics);
    c.set('routes', deps.routes);
    c.set('pages', pages);
    c.set('writeProbe', deps.writeProbe);
    c.set('session', undefined);
    c.set('authError', undefined);
    const started = performance.now();
    // Set before the response exists: a header added to a finished response makes Hono copy it into
    // a streamed body, which took node-server off its fast path (a tenth of the CPU of a list).
    c.header('X-VMWARE-VCLOUD-REQUEST-ID', requestId);
    // Answers carry session tokens and tenant data: no shared or browser cache may keep them, and
    // no browser may sniff a JSON body into something executable. A route may override either.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    try {
      await next();
    } finally {
      if (!c.res.headers.has('X-VMWARE-VCLOUD-REQUEST-ID')) c.header('X-VMWARE-VCLOUD-REQUEST-ID', requestId);
      const status = c.res.status;
      const elapsed = performance.now() - started;
      // The last matched route is the endpoint's pattern ('/*' when only middleware matched).
      metrics.observe(c.req.method, routePath(c, -1) || '/*', status, elapsed / 1000);
      const line = {
        reqId: requestId, method: c.req.method, path: c.req.path, status,
        ms: Math.round(elapsed * 10) / 10, user: c.var.session?.username,
      };
      // A 503 is an outage (cluster or disk) logged once where it starts and ends; each refused
      // request at error level would bury that line under thousands.
      if (status >= 500 && status !== 503) deps.log.error(line, 'request');
      else deps.log.info(line, 'request');
    }
  });
  app.use('*', cors(deps.config.corsOrigins));
  app.use('*', negotiate());
  app.use('*', authenticate());

  for (const r of deps.routes) app.on(r.method, r.path, r.handler);

  app.notFound(function notFound(c) {
    const methods = allowedMethods(c.req.path);
    if (methods.length) {
      return c.json(envelope(405, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}`), 405, {
        Allow: methods.join(', '),
      });
    }
    return c.json(envelope(404, 'RESOURCE_NOT_FOUND', `No resource at ${c.req.path}`), 404);
  });

  app.onError(function onError(err, c) {
    if (err instanceof ApiError) {
      return c.json(envelope(err.status, err.minorErrorCode, err.message), err.status as 400, err.headers);
    }
    // The disk, not the request, failed: 503 so clients retry, and readiness fails at once (the
    // probe logs the outage once, so each failed request is not an error line of its own).
    const storage = storageFailure(err);
    if (storage) {
      deps.writeProbe?.failed(storage);
      return c.json(envelope(503, 'DATABASE_UNAVAILABLE', `The database cannot be written: ${storage}; try again later`), 503, { 'Retry-After': '10' });
    }
    deps.log.error({ reqId: c.var.requestId, err }, 'unhandled error');
    return c.json(envelope(500, 'INTERNAL_SERVER_ERROR', `Internal error; request id ${c.var.requestId}`), 500);
  });

  return app;
}

/**
 * Hono's `c.var` getter builds a fresh object from all variables on every access, and handlers
 * read `c.var.x` dozens of times per request (7% of a list's CPU). One plain object per request,
 * kept in step by `c.set`, gives the same values for the price of a property read.
 */
function shareVars(c: Context<AppEnv>): void {
  const vars = {} as Record<string, unknown>;
  const set = c.set;
  Object.defineProperty(c, 'var', { value: vars, configurable: true });
  c.set = ((key: string, value: unknown) => {
    vars[key] = value;
    set(key as never, value as never);
  }) as typeof c.set;
}
