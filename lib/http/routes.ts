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

/** Lists route files under `dir` with their method and path (no import). */
export function scanRoutes(dir = FUNCTIONS_DIR): Omit<RouteDef, 'handler'>[] {
  const out: Omit<RouteDef, 'handler'>[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('_') || name.startsWith('.')) continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) { walk(full); continue; }
      const m = /^(get|post|put|patch|delete)\.(ts|js|mjs)$/.exec(name);
      if (!m || !METHODS.has(m[1]!)) continue;
      const rel = relative(dir, d).split(sep).filter(Boolean);
      const path = '/' + rel.map((s) => (s.startsWith('[') && s.endsWith(']') ? `:${s.slice(1, -1)}` : s)).join('/');
      out.push({ method: m[1]!.toUpperCase() as RouteDef['method'], path, file: relative(dir, full) });
    }
  };
  walk(dir);
  return out.sort(compareRoutes);
}

/** Scans and imports every route file. */
export async function loadRoutes(dir = FUNCTIONS_DIR): Promise<RouteDef[]> {
  const defs = scanRoutes(dir);
  return Promise.all(
    defs.map(async (d) => {
      const mod = await import(pathToFileURL(join(dir, d.file)).href);
      if (typeof mod.default !== 'function') throw new Error(`${d.file}: default export must be a handler`);
      return { ...d, handler: mod.default as RouteHandler };
    }),
  );
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
