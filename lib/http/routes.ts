/**
 * File routes: walks `functions/`, maps folders to URL segments (`[x]` → `:x`) and file names to
 * methods, skips `_*` helpers and tests, and orders static segments before parameters so Hono
 * matches `/sessions/current` before `/sessions/:id`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RouteHandler } from './route.ts';

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  file: string;
  handler: RouteHandler;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../functions', import.meta.url));

/** Maps a file path relative to `functions/` to its route, or undefined when it is no route file. */
export function routeOfFile(file: string): Omit<RouteDef, 'handler'> | undefined {
  const parts = file.split(/[\\/]/).filter(Boolean);
  const name = parts.pop();
  if (!name || [...parts, name].some((p) => p.startsWith('_') || p.startsWith('.'))) return undefined;
  const m = /^(get|post|put|patch|delete)\.(ts|js|mjs)$/.exec(name);
  if (!m || !METHODS.has(m[1]!)) return undefined;
  const path = '/' + parts.map((s) => (s.startsWith('[') && s.endsWith(']') ? `:${s.slice(1, -1)}` : s)).join('/');
  return { method: m[1]!.toUpperCase() as RouteDef['method'], path, file: [...parts, name].join('/') };
}

/** Lists route files under `dir` with their method and path (no import). */
export function scanRoutes(dir = FUNCTIONS_DIR): Omit<RouteDef, 'handler'>[] {
  const out: Omit<RouteDef, 'handler'>[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('_') || name.startsWith('.')) continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) { walk(full); continue; }
      const route = routeOfFile(relative(dir, full).split(sep).join('/'));
      if (route) out.push(route);
    }
  };
  walk(dir);
  return out.sort(compareRoutes);
}

/** Scans and imports every route file (development and tests). */
export async function loadRoutes(dir = FUNCTIONS_DIR): Promise<RouteDef[]> {
  const defs = scanRoutes(dir);
  return Promise.all(
    defs.map(async (d) => ({ ...d, handler: handlerOf(d.file, await import(pathToFileURL(join(dir, d.file)).href)) })),
  );
}

/** Function modules by file path relative to `functions/`, as the build's generated manifest lists them. */
export type RouteModules = Record<string, { default?: unknown }>;

/**
 * The route table from already imported modules: the production bundle cannot walk `functions/`
 * (there is no such folder beside it), so `scripts/build.ts` generates a manifest that imports
 * every function file statically. Same mapping and order as `loadRoutes`.
 */
export function routesFromModules(modules: RouteModules): RouteDef[] {
  const out: RouteDef[] = [];
  for (const [file, mod] of Object.entries(modules)) {
    const route = routeOfFile(file);
    if (!route) throw new Error(`${file}: not a route file name`);
    out.push({ ...route, handler: handlerOf(file, mod) });
  }
  return out.sort(compareRoutes);
}

function handlerOf(file: string, mod: { default?: unknown }): RouteHandler {
  if (typeof mod.default !== 'function') throw new Error(`${file}: default export must be a handler`);
  return mod.default as RouteHandler;
}

function compareRoutes(a: { path: string; method: string }, b: { path: string; method: string }): number {
  const as = a.path.split('/');
  const bs = b.path.split('/');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i];
    const y = bs[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xp = x.startsWith(':');
    const yp = y.startsWith(':');
    if (xp !== yp) return xp ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.method < b.method ? -1 : a.method > b.method ? 1 : 0;
}

/** Compiles route paths for the 405 check: which methods exist for a concrete URL path. */
export function methodIndex(routes: Pick<RouteDef, 'method' | 'path'>[]): (path: string) => string[] {
  const compiled = routes.map((r) => ({
    method: r.method,
    re: new RegExp('^' + r.path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : escapeRe(s))).join('/') + '/?$'),
  }));
  return (path) => [...new Set(compiled.filter((c) => c.re.test(path)).map((c) => c.method))];
}

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
