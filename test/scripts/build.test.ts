import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS_DIR, loadRoutes, routeOfFile, routesFromModules, scanRoutes, type RouteDef } from '#lib/http/routes.ts';
import { ROUTE_MODULES } from '#lib/http/route-manifest.ts';
import { buildProduction, routeManifestSource, ROOT, EXTERNAL } from '../../scripts/build.ts';
import { startServer, waitReady } from '#test/support/server-process.ts';
import pkg from '../../package.json' with { type: 'json' };

const table = (routes: RouteDef[]) => routes.map((r) => ({ method: r.method, path: r.path, file: r.file, handler: r.handler }));

describe('route manifest (static routes for the bundle)', () => {
  const tmp = join(ROOT, '.tmp');
  let dir: string;
  beforeAll(() => {
    mkdirSync(tmp, { recursive: true });
    dir = mkdtempSync(join(tmp, 'manifest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is empty in development, so the server walks functions/', () => {
    expect(ROUTE_MODULES).toBeUndefined();
  });

  it('generated from scanRoutes, gives the same table as the runtime walk (same handlers, same order)', async () => {
    const files = scanRoutes().map((r) => r.file);
    expect(files.length).toBeGreaterThan(10);
    const file = join(dir, 'manifest.ts');
    writeFileSync(file, routeManifestSource(files, (f) => join(FUNCTIONS_DIR, f)));
    const mod = await import(pathToFileURL(file).href);
    const fromManifest = routesFromModules(mod.ROUTE_MODULES);
    const walked = await loadRoutes();
    expect(fromManifest.map((r) => `${r.method} ${r.path}`)).toEqual(walked.map((r) => `${r.method} ${r.path}`));
    expect(table(fromManifest)).toEqual(table(walked));
    for (let i = 0; i < walked.length; i++) expect(fromManifest[i]!.handler).toBe(walked[i]!.handler);
  });

  it('orders routes the same whatever the manifest order', async () => {
    const walked = await loadRoutes();
    const shuffled = Object.fromEntries(walked.map((r) => [r.file, { default: r.handler }]).reverse());
    expect(table(routesFromModules(shuffled))).toEqual(table(walked));
  });

  it('maps file names to routes like the walk does', () => {
    expect(routeOfFile('cloudapi/1.0.0/orgs/[orgId]/get.ts')).toEqual({ method: 'GET', path: '/cloudapi/1.0.0/orgs/:orgId', file: 'cloudapi/1.0.0/orgs/[orgId]/get.ts' });
    expect(routeOfFile('cloudapi/openapi.json/get.ts')).toEqual({ method: 'GET', path: '/cloudapi/openapi.json', file: 'cloudapi/openapi.json/get.ts' });
    expect(routeOfFile('healthz/get.mjs')?.path).toBe('/healthz');
    expect(routeOfFile('cloudapi/_helpers/get.ts')).toBeUndefined();
    expect(routeOfFile('cloudapi/orgs/head.ts')).toBeUndefined();
    expect(routeOfFile('cloudapi/orgs/get.test.ts')).toBeUndefined();
  });

  it('rejects a manifest entry that is not a route file or has no handler', () => {
    expect(() => routesFromModules({ 'x/readme.ts': { default: () => 0 } })).toThrow(/not a route file/);
    expect(() => routesFromModules({ 'x/get.ts': {} })).toThrow(/default export must be a handler/);
  });
});

describe('production build', () => {
  let out: string;
  let server: string;
  beforeAll(async () => {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    out = mkdtempSync(join(ROOT, '.tmp', 'dist-'));
    await buildProduction(out);
    // The entry and its chunks: what node loads for the server.
    server = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs')).sort()
      .map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the server bundle and copies the migrations beside it', () => {
    expect(existsSync(join(out, 'server.mjs'))).toBe(true);
    const sql = readdirSync(join(ROOT, 'db', 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(sql.length).toBeGreaterThan(0);
    expect(readdirSync(join(out, 'migrations')).filter((f) => f.endsWith('.sql'))).toEqual(sql);
    expect(readFileSync(join(out, 'migrations', 'meta', '_journal.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'db', 'migrations', 'meta', '_journal.json'), 'utf8'));
  });

  it('writes the admin bundle when lib/admin.ts exists', () => {
    expect(existsSync(join(out, 'admin.mjs'))).toBe(existsSync(join(ROOT, 'lib', 'admin.ts')));
  });

  it('bundles every function file in the static manifest', () => {
    const block = /var ROUTE_MODULES = \{\n([\s\S]*?)\n\};/.exec(server);
    expect(block).not.toBeNull();
    const keys = [...block![1]!.matchAll(/^\s+"([^"]+)":/gm)].map((m) => m[1]);
    expect(keys).toEqual(scanRoutes().map((r) => r.file));
  });

  it('keeps the native and heavy packages external (imported from node_modules at run time)', () => {
    // esbuild marks each inlined module with a `// node_modules/<pkg>/…` comment.
    const inlined = new Set([...server.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
    for (const pkg of EXTERNAL) expect(inlined.has(pkg), pkg).toBe(false);
    expect(server).toMatch(/^import \w+ from "better-sqlite3";$/m);
    expect(server).toMatch(/^import \w+ from "pino";$/m);
    expect(inlined.has('hono')).toBe(true);
    expect(inlined.has('drizzle-orm')).toBe(true);
  });

  it('does not load the Kubernetes client at start-up: only a dynamic import reaches it', () => {
    // Static imports of server.mjs and, transitively, of its chunks: what node loads before main() runs.
    const bare = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(out, file), 'utf8');
      for (const m of text.matchAll(/(?:^|\n)import\s+(?:[^;'"]*?\sfrom\s*)?"([^"]+)"/g)) {
        const spec = m[1]!;
        if (spec.startsWith('./')) visit(spec.slice(2));
        else bare.add(spec);
      }
    };
    visit('server.mjs');
    expect(bare.has('better-sqlite3')).toBe(true);
    expect([...bare].filter((b) => b.startsWith('@kubernetes/'))).toEqual([]);
    expect(server).toMatch(/import\("@kubernetes\/client-node"\)/);
  });

  it('runs under plain node: migrates an empty database, serves, stops with exit 0', async () => {
    const data = mkdtempSync(join(ROOT, '.tmp', 'data-'));
    const s = await startServer({ dist: out, env: { SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_ADMIN_PASSWORD: 'build-test-password' } });
    try {
      await waitReady(s, 30_000);
      const res = await fetch(`${s.url}/api/v1/version`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { version: string }).version).toBe(pkg.version);
      const login = await fetch(`${s.url}/cloudapi/1.0.0/sessions/provider`, {
        method: 'POST',
        headers: { accept: 'application/json;version=39.0', authorization: `Basic ${Buffer.from('admin@System:build-test-password').toString('base64')}` },
      });
      expect(login.status).toBe(200);
      // No cluster configured: the Kubernetes client is a separate chunk and never loaded.
      expect(s.output.join('\n')).toMatch(/degraded mode/);
    } finally {
      expect(await s.stop()).toBe(0);
      rmSync(data, { recursive: true, force: true });
    }
  }, 60_000);
});
