/**
 * The test app: the real createApp with an in-memory database built by the real migrations,
 * the real routes, the bootstrap admin, and a logger whose 500s fail the test.
 */
import { Writable } from 'node:stream';
import { createApp } from '#lib/app.ts';
import { loadConfig, type Config } from '#lib/config.ts';
import { createLog } from '#lib/log.ts';
import { openDb, type Db } from '#db/client.ts';
import { bootstrap } from '#lib/bootstrap.ts';
import { loadRoutes, type RouteDef } from '#lib/http/routes.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import type { PageCache } from '#lib/http/page-cache.ts';
import type { PasswordImpl } from '#lib/auth/passwords.ts';
import { TEST_SCRYPT } from './fixtures.ts';
import { WriteProbe, WRITE_PROBE_INTERVAL_MS } from '#lib/write-probe.ts';
import { probeWriter } from '#db/write-probe.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

let routesCache: Promise<RouteDef[]> | undefined;

export interface TestApp {
  app: ReturnType<typeof createApp>;
  k8s: Cluster | undefined;
  db: Db;
  config: Config;
  logs: Record<string, unknown>[];
  /** The app's readiness write probe (not started: call `check()`). */
  writeProbe: WriteProbe;
  /** Sends a request; a 500 fails the test unless `allow500`. */
  request(method: string, path: string, opts?: RequestOpts): Promise<Response>;
  /** Logs in and returns the token. */
  login(username: string, password: string, org?: string): Promise<string>;
  adminToken(): Promise<string>;
}

export interface RequestOpts {
  token?: string;
  body?: unknown;
  /** Raw body text (sent as is). */
  raw?: string;
  headers?: Record<string, string>;
  allow500?: boolean;
}

/** Builds a fresh app; every test file (or test) gets its own database. */
export async function makeTestApp(opts: {
  env?: Record<string, string>;
  /** A cluster, or a factory that gets this app's database and config (for the real runtime). */
  k8s?: Cluster | ((deps: { db: Db; config: Config; log: ReturnType<typeof createLog> }) => Cluster | Promise<Cluster>);
  now?: () => number;
  /** The list-page cache to use (to watch its hits). */
  pages?: PageCache;
  /** The password hashing functions (to hold a check open). */
  passwordImpl?: PasswordImpl;
} = {}): Promise<TestApp> {
  const config = loadConfig({ SSVIRT_DB_PATH: ':memory:', SSVIRT_LOGIN_DELAY_MS: '0', SSVIRT_LOG_LEVEL: 'info', ...opts.env });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const log = createLog('info', sink);
  const db = openDb(':memory:');
  await bootstrap(db, { adminUsername: ADMIN.username, adminPassword: ADMIN.password, log, passwordParams: TEST_SCRYPT });
  routesCache ??= loadRoutes();
  const k8s = typeof opts.k8s === 'function' ? await opts.k8s({ db, config, log }) : opts.k8s;
  // As in lib/server.ts, but not started: a test probes with `writeProbe.check()` when it wants.
  const writeProbe = new WriteProbe({ write: probeWriter(db), log, intervalMs: WRITE_PROBE_INTERVAL_MS });
  const app = createApp({ db, config, log, k8s, routes: await routesCache, clock: opts.now ? { now: opts.now } : undefined, pages: opts.pages, writeProbe, passwordParams: TEST_SCRYPT, passwordImpl: opts.passwordImpl });

  async function request(method: string, path: string, o: RequestOpts = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    if (res.status === 500 && !o.allow500) {
      throw new Error(`unexpected 500 for ${method} ${path}: ${await res.text()} logs: ${JSON.stringify(logs.filter((l) => (l.level as number) >= 50))}`);
    }
    return res;
  }

  async function login(username: string, password: string, org?: string): Promise<string> {
    const cred = Buffer.from(`${username}${org ? '@' + org : ''}:${password}`).toString('base64');
    const res = await request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${cred}` } });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    return res.headers.get('x-vmware-vcloud-access-token')!;
  }

  let adminTok: string | undefined;
  return {
    app, k8s, db, config, logs, writeProbe, request, login,
    adminToken: async () => (adminTok ??= await login(ADMIN.username, ADMIN.password, 'System')),
  };
}

/** The JSON body of a response, untyped for assertions. */
export async function json(res: Response): Promise<any> {
  return res.json();
}
