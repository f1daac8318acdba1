/**
 * Load benchmark (issue 12; a script, not a test): `npm run bench:load`
 * (= `npx tsx test/bench/load.ts`). Prints figures beside their targets; asserts nothing.
 *
 * Processes, all started here: the simulated cluster (test/bench/load-cluster.ts: like
 * test/bench/cluster-process.ts, the Kubernetes API simulator over HTTPS, with the TemplateInstance,
 * KubeVirt and CDI controllers; the sample templates are loaded into `openshift`), and the real
 * server (the production bundle `node dist/server.mjs` built by buildOnce(), or `lib/server.ts`
 * under tsx with BENCH_TSX=1; BENCH_DIST=<folder> reuses a
 * build) on a temporary SQLite file with SSVIRT_KUBECONFIG of the simulator, production settings
 * otherwise (scrypt N=2^17, admission control as configured by default). The clients run in this
 * process over node:http with one keep-alive agent (one connection per client at most), and read
 * only the bodies they need. They share the machine's cores with the server and the simulator:
 * the client's own CPU, the simulator's and the load average are printed with each phase, and the
 * client's event-loop delay (if high, latencies include client-side queueing).
 *
 * Set-up, through HTTP only: an org, a catalog, a System Administrator, an Organization
 * Administrator, a vApp User, login users of both tenant roles, three VDCs for new vApps and one
 * "seed" VDC holding LOAD_SEED_VAPPS vApps (one VM each) for the power actions and GETs.
 *
 * Phases and figures:
 * 1. Mixed load: LOAD_CLIENTS clients for LOAD_SECONDS, each looping over a weighted pick (LOAD_MIX,
 *    e.g. "login=1,listVdcs=10"; see MIX below) of: login (Basic POST /sessions, then DELETE
 *    /sessions/current with the new token: recorded as `login` and `logout`), lists (vdcs, orgs,
 *    catalogItems, vapps), GETs of one VDC, vApp and VM, VDC creates (admin API, System
 *    Administrator), instantiateTemplate (Organization Administrator), powerOn/powerOff of seed VMs
 *    (chosen by the status last seen, so few are refused), deletes of the vApps and VDCs this
 *    load created. Per operation: count, req/s, p50, p99, max, the admitted p99 (admitted = not a
 *    429/503 with Retry-After) and the status histogram; total 5xx (target 0), admitted p99
 *    (target ≤ 250 ms), server VmHWM against 80 % of the Deployment's memory limit
 *    (manifests/base/deployment.yaml), event-loop lag p99/max from /metrics (prom-client resets
 *    its histogram at each scrape, so a scrape at the start makes the figure the phase's).
 *    Then each operation ALONE for LOAD_OP_SECONDS at LOAD_OP_CONCURRENCY: server CPU µs per
 *    request from /proc/<pid>/stat (10 ms ticks: few requests give coarse figures), and for the
 *    writes also the CPU spent after the answers until the cluster is idle (informer events,
 *    status syncs), net of the idle server's rate. powerOn/powerOff use each seed VM once.
 * 2. Every acknowledged write present: each create answered 201 is GET through the API (and its
 *    namespace / TemplateInstance looked up in the simulator with its admin kubeconfig), unless an
 *    acknowledged delete removed it; each acknowledged delete is gone (403) or DELETING, and its
 *    namespace / TemplateInstance gone or terminating; each accepted power action's task exists;
 *    a sample of logged-out tokens answers 401.
 * 3. Overload: OVERLOAD_CLIENTS clients (not honouring Retry-After) for OVERLOAD_SECONDS of
 *    GET /cloudapi/1.0.0/orgs: answers shed (429/503 with Retry-After), 503 without it, admitted
 *    p50/p99, the slowest answer, then 20 sequential requests as soon as the load stops
 *    ("recovery") beside 20 taken before it ("normal").
 *
 * Environment: LOAD_CLIENTS (100), LOAD_SECONDS (60), LOAD_OP_SECONDS (5), LOAD_OP_CONCURRENCY
 * (10), LOAD_SEED_VAPPS (40), LOAD_LOGIN_USERS (20), LOAD_MIX, OVERLOAD_CLIENTS (500),
 * OVERLOAD_SECONDS (20), BENCH_TSX=1, BENCH_DIST=<built dist folder>.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { loadSampleTemplates } from '../cluster/templates/index.ts';
import { buildOnce, startServer, tempDir, waitReady, type ServerProcess } from '../support/server-process.ts';
import { ROOT } from '../../scripts/build.ts';
import { httpClient, isShed, maxOf, OpStats, quantile, reasons, table, type Answer, type Client } from './load-client.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const CLIENTS = env('LOAD_CLIENTS', 100);
const SECONDS = env('LOAD_SECONDS', 60);
const OP_SECONDS = env('LOAD_OP_SECONDS', 5);
const OP_CONCURRENCY = env('LOAD_OP_CONCURRENCY', 10);
const SEED_VAPPS = env('LOAD_SEED_VAPPS', 40);
const LOGIN_USERS = Math.max(OP_CONCURRENCY, env('LOAD_LOGIN_USERS', 20));
const OVERLOAD_CLIENTS = env('OVERLOAD_CLIENTS', 500);
const OVERLOAD_SECONDS = env('OVERLOAD_SECONDS', 20);
const PASSWORD = 'load-bench-password-1';
const METRICS_TOKEN = 'load-bench-metrics-token-0123';
const TEMPLATE = 'fedora-server-small';
const MB = 1024 * 1024;

/**
 * Relative weights of the mixed load: mostly what a UI does (lists and GETs), some writes. A login
 * costs a password hash (scrypt N=2^17, about 0.4 s of one core here), so it is rare, as sessions
 * are in real use. Deletes weigh as much as creates, so the population stays about constant.
 */
const MIX: Record<string, number> = {
  login: 1, listVdcs: 10, listOrgs: 6, listCatalogItems: 10, listVapps: 10,
  getVdc: 10, getVapp: 10, getVm: 14, createVdc: 2, deleteVdc: 2, instantiate: 3, deleteVapp: 3, powerOn: 4, powerOff: 4,
};
for (const part of (process.env.LOAD_MIX ?? '').split(',').filter(Boolean)) {
  const [k, v] = part.split('=');
  if (!(k! in MIX) || !Number.isFinite(Number(v))) throw new Error(`LOAD_MIX: unknown or bad entry ${part} (known: ${Object.keys(MIX).join(', ')})`);
  MIX[k!] = Number(v);
}
const OPS = [...Object.keys(MIX), 'logout'];

const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
const enc = encodeURIComponent;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

// ---- processes ----

/** utime + stime of a process in µs (Linux /proc, 100 ticks per second). */
function cpuUs(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/** A `Vm…:` line of /proc/<pid>/status in bytes. */
function procStatus(pid: number | undefined, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The server container of the Deployment manifest: its memory limit in bytes and its plain `env` values. */
function deployment(): { limit: number; env: Record<string, string> } {
  const doc = parse(readFileSync(join(ROOT, 'manifests/base/deployment.yaml'), 'utf8')) as any;
  const containers = doc.spec.template.spec.containers as any[];
  const c = containers.find((x) => x.name === 'ssvirt') ?? containers[0];
  const q = String(c.resources.limits.memory);
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`deployment.yaml: cannot read the memory limit ${q}`);
  const unit: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const env = Object.fromEntries(((c.env ?? []) as { name: string; value?: unknown }[]).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
  return { limit: Number(m[1]) * (m[2] ? unit[m[2]]! : 1), env };
}

/** The simulated cluster in its own process (test/bench/load-cluster.ts). */
async function startClusterProcess(): Promise<{ kubeconfigPath: string; ask(cmd: string): Promise<void>; proc: ChildProcess }> {
  const proc = fork(fileURLToPath(new URL('./load-cluster.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  cleanups.push(() => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    if (proc.connected) proc.send({ cmd: 'stop' });
    setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 10_000).unref();
  }));
  const first = await new Promise<{ kubeconfigPath: string }>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as { kubeconfigPath: string }));
    proc.once('exit', (code) => reject(new Error(`cluster process exited (${code})`)));
  });
  const ask = (cmd: string) => new Promise<void>((resolve) => {
    const on = (m: unknown) => {
      if ((m as { done?: string }).done === cmd) { proc.off('message', on); resolve(); }
    };
    proc.on('message', on);
    proc.send({ cmd });
  });
  return { kubeconfigPath: first.kubeconfigPath, ask, proc };
}

// ---- the world the load works on ----

interface SeedVm { id: string; state: 'off' | 'on' | 'other'; busyUntil: number }
interface Created { id: string; namespace?: string; deleted?: 'ack'; /** Answers of refused deletes (4xx), if any. */ refused?: string[] }

interface World {
  http: Client;
  orgId: string;
  catalogId: string;
  itemId: string;
  tokens: { sys: string; orgAdmin: string; user: string };
  loginUsers: string[];
  workVdcs: string[];
  seedVdc: string;
  seedVapps: string[];
  seedVms: SeedVm[];
  /** Created by the load and not yet picked for deletion. */
  liveVdcs: Created[];
  liveVapps: Created[];
  /** Every acknowledged create, by id. */
  vdcs: Map<string, Created>;
  vapps: Map<string, Created>;
  /** Task paths of accepted power actions. */
  tasks: string[];
  /** Tokens whose logout was acknowledged. */
  loggedOut: string[];
}

const basicOf = (login: string) => Buffer.from(`${login}:${PASSWORD}`).toString('base64');
const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
const takeRandom = <T>(xs: T[]): T | undefined => {
  if (!xs.length) return undefined;
  const i = Math.floor(Math.random() * xs.length);
  const x = xs[i]!;
  xs[i] = xs[xs.length - 1]!;
  xs.pop();
  return x;
};
const json = (a: Answer) => JSON.parse(a.text ?? 'null');

/** A set-up call that must succeed. */
async function must(w: { http: Client }, method: string, path: string, o: Parameters<Client['send']>[2] = {}): Promise<any> {
  let a = await w.http.send(method, path, { ...o, body: true });
  // Shed by admission control (refused before any work): retry as asked.
  for (let i = 0; i < 30 && isShed(a); i++) {
    await sleep(1000 * Number(a.headers['retry-after'] ?? 1));
    a = await w.http.send(method, path, { ...o, body: true });
  }
  if (a.status < 200 || a.status >= 300) throw new Error(`${method} ${path}: ${a.status} ${a.error ?? ''} ${(a.text ?? '').slice(0, 400)}`);
  return a.text ? JSON.parse(a.text) : undefined;
}

async function loginToken(w: { http: Client }, login: string): Promise<string> {
  let a = await w.http.send('POST', '/cloudapi/1.0.0/sessions', { basic: basicOf(login), body: true });
  for (let i = 0; i < 30 && isShed(a); i++) {
    await sleep(1000 * Number(a.headers['retry-after'] ?? 1));
    a = await w.http.send('POST', '/cloudapi/1.0.0/sessions', { basic: basicOf(login), body: true });
  }
  if (a.status !== 200) throw new Error(`login ${login}: ${a.status} ${a.text ?? a.error}`);
  return a.headers['x-vmware-vcloud-access-token'] as string;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000, ms = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(ms);
  }
}

/** Runs `fn(i)` for i < n with `concurrency` workers. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

const vdcBody = (name: string) => ({
  name, description: 'load benchmark VDC',
  computeCapacity: { cpu: { allocated: 0, limit: 0, units: 'MHz' }, memory: { allocated: 0, limit: 0, units: 'MB' } },
  vdcStorageProfiles: [{ name: 'standard', enabled: true, units: 'MB', limit: 0, default: true }],
});

async function setUp(http: Client): Promise<World> {
  const w0 = { http };
  const admin = await loginToken(w0, 'admin@System');
  const org = await must(w0, 'POST', '/cloudapi/1.0.0/orgs', { token: admin, json: { name: 'load-org', displayName: 'Load benchmark org' } });
  const provider = (await must(w0, 'GET', `/cloudapi/1.0.0/orgs?filter=${enc('name==Provider')}`, { token: admin })).values[0];
  const user = (username: string, orgId: string, role: string) =>
    must(w0, 'POST', '/cloudapi/1.0.0/users', { token: admin, json: { username, password: PASSWORD, orgEntityRef: { id: orgId }, roleEntityRefs: [{ name: role }] } });
  await user('load-sysadmin', provider.id, 'System Administrator');
  await user('load-orgadmin', org.id, 'Organization Administrator');
  await user('load-user', org.id, 'vApp User');
  const loginUsers = Array.from({ length: LOGIN_USERS }, (_, i) => `login-${String(i).padStart(3, '0')}`);
  await pool(loginUsers.length, 2, async (i) => {
    await user(loginUsers[i]!, org.id, i % 2 ? 'Organization Administrator' : 'vApp User');
  });
  const tokens = {
    sys: await loginToken(w0, 'load-sysadmin@System'),
    orgAdmin: await loginToken(w0, 'load-orgadmin@load-org'),
    user: await loginToken(w0, 'load-user@load-org'),
  };
  const catalog = await must(w0, 'POST', '/cloudapi/1.0.0/catalogs', { token: tokens.orgAdmin, json: { name: 'load-catalog', orgId: org.id } });
  let itemId = '';
  await until('the catalog item', async () => {
    const r = await must(w0, 'GET', `/cloudapi/1.0.0/catalogs/${enc(catalog.id)}/catalogItems?filter=${enc(`name==${TEMPLATE}`)}`, { token: tokens.orgAdmin });
    itemId = r.values[0]?.status === 'AVAILABLE' ? r.values[0].id : '';
    return !!itemId;
  });
  const vdcs: string[] = [];
  for (const name of ['work-0', 'work-1', 'work-2', 'seed']) {
    const v = await must(w0, 'POST', `/api/admin/org/${enc(org.id)}/vdcs`, { token: tokens.sys, json: vdcBody(name) });
    vdcs.push(v.id);
  }
  const seedVdc = vdcs.pop()!;
  await until('READY VDCs', async () => (await must(w0, 'GET', `/cloudapi/1.0.0/vdcs?filter=${enc('status==READY')}&pageSize=1`, { token: tokens.sys })).resultTotal === 4);
  const seedVapps: string[] = [];
  await pool(SEED_VAPPS, 8, async (i) => {
    const v = await must(w0, 'POST', `/cloudapi/1.0.0/vdcs/${enc(seedVdc)}/actions/instantiateTemplate`, { token: tokens.orgAdmin, json: { name: `seed-${String(i).padStart(3, '0')}`, catalogItem: { id: itemId } } });
    seedVapps.push(v.id);
  });
  const w: World = {
    http, orgId: org.id, catalogId: catalog.id, itemId, tokens, loginUsers, workVdcs: vdcs, seedVdc, seedVapps, seedVms: [],
    liveVdcs: [], liveVapps: [], vdcs: new Map(), vapps: new Map(), tasks: [], loggedOut: [],
  };
  await until(`${SEED_VAPPS} seed VMs POWERED_OFF`, async () => (await refreshSeedVms(w)).filter((v) => v.state === 'off').length === SEED_VAPPS, Number(process.env.LOAD_SEED_TIMEOUT_MS ?? 180_000), 500)
    .catch(async (e) => {
      const r = await must(w, 'GET', `/cloudapi/1.0.0/vapps?pageSize=5&filter=${enc(`vdc.id==${seedVdc}`)}`, { token: tokens.orgAdmin });
      throw new Error(`${(e as Error).message}: ${w.seedVms.length} VMs seen; vApps: ${JSON.stringify(r.values.map((v: any) => [v.status, v.statusMessage, v.numberOfVMs]))}`);
    });
  return w;
}

/** The seed VMs with the status the API shows now (one list page: at most 128). */
async function refreshSeedVms(w: World): Promise<SeedVm[]> {
  const r = await must(w, 'GET', `/cloudapi/1.0.0/vms?pageSize=128&filter=${enc(`vdc.id==${w.seedVdc}`)}`, { token: w.tokens.orgAdmin });
  w.seedVms = (r.values as { id: string; status: string }[]).map((v) => ({ id: v.id, state: stateOf(v.status), busyUntil: 0 }));
  return w.seedVms;
}

const stateOf = (status: string): SeedVm['state'] => (status === 'POWERED_OFF' ? 'off' : status === 'POWERED_ON' ? 'on' : 'other');

// ---- operations ----

type Stats = Record<string, OpStats>;
const newStats = (): Stats => Object.fromEntries(OPS.map((o) => [o, new OpStats(o)]));

/** One operation; false when there was nothing to act on (no request sent). */
type Op = (w: World, s: Stats, client: number, seq: number) => Promise<boolean>;

/** Reads go out as the System Administrator or the Organization Administrator, by client. */
const reader = (w: World, client: number) => (client % 2 ? w.tokens.orgAdmin : w.tokens.sys);

const list = (name: string, path: (w: World) => string): Op => async (w, s, client) => {
  const p = path(w);
  s[name]!.record(await w.http.send('GET', p, { token: reader(w, client) }), `GET ${p}`);
  return true;
};

const ops: Record<string, Op> = {
  async login(w, s, client) {
    const a = await w.http.send('POST', '/cloudapi/1.0.0/sessions', { basic: basicOf(`${w.loginUsers[client % w.loginUsers.length]}@load-org`) });
    s.login!.record(a, 'POST /sessions');
    const token = a.headers['x-vmware-vcloud-access-token'] as string | undefined;
    if (a.status !== 200 || !token) return true;
    const b = await w.http.send('DELETE', '/cloudapi/1.0.0/sessions/current', { token });
    s.logout!.record(b, 'DELETE /sessions/current');
    if (b.status === 204) w.loggedOut.push(token);
    return true;
  },
  listVdcs: list('listVdcs', () => '/cloudapi/1.0.0/vdcs?pageSize=25'),
  listOrgs: list('listOrgs', () => '/cloudapi/1.0.0/orgs?pageSize=25'),
  listCatalogItems: list('listCatalogItems', (w) => `/cloudapi/1.0.0/catalogs/${enc(w.catalogId)}/catalogItems?pageSize=25`),
  listVapps: list('listVapps', () => '/cloudapi/1.0.0/vapps?pageSize=25'),
  async getVdc(w, s, client) {
    const id = pick([...w.workVdcs, w.seedVdc, ...w.liveVdcs.slice(-20).map((v) => v.id)])!;
    s.getVdc!.record(await w.http.send('GET', `/cloudapi/1.0.0/vdcs/${enc(id)}`, { token: reader(w, client) }), `GET vdc ${id}`);
    return true;
  },
  async getVapp(w, s, client) {
    const id = pick([...w.seedVapps, ...w.liveVapps.slice(-20).map((v) => v.id)])!;
    s.getVapp!.record(await w.http.send('GET', `/cloudapi/1.0.0/vapps/${enc(id)}`, { token: reader(w, client) }), `GET vapp ${id}`);
    return true;
  },
  async getVm(w, s, client) {
    const vm = pick(w.seedVms);
    if (!vm) return false;
    const a = await w.http.send('GET', `/cloudapi/1.0.0/vms/${enc(vm.id)}`, { token: reader(w, client), body: true });
    s.getVm!.record(a, `GET vm ${vm.id}`);
    if (a.status === 200 && performance.now() > vm.busyUntil) vm.state = stateOf(json(a).status);
    return true;
  },
  async createVdc(w, s, client, seq) {
    const a = await w.http.send('POST', `/api/admin/org/${enc(w.orgId)}/vdcs`, { token: w.tokens.sys, json: vdcBody(`load-${client}-${seq}`), body: true });
    s.createVdc!.record(a, 'POST vdcs');
    if (a.status === 201) {
      const v = json(a);
      const c: Created = { id: v.id, namespace: v.namespace };
      w.vdcs.set(c.id, c);
      w.liveVdcs.push(c);
    }
    return true;
  },
  async deleteVdc(w, s) {
    const c = takeRandom(w.liveVdcs);
    if (!c) return false;
    const a = await w.http.send('DELETE', `/api/admin/org/${enc(w.orgId)}/vdcs/${enc(c.id)}`, { token: w.tokens.sys });
    s.deleteVdc!.record(a, `DELETE vdc ${c.id}`);
    if (a.status === 202 || a.status === 204) c.deleted = 'ack';
    else {
      (c.refused ??= []).push(`${a.status} ${(a.text ?? a.error ?? '').slice(0, 160)}`);
      w.liveVdcs.push(c);
    }
    return true;
  },
  async instantiate(w, s, client, seq) {
    const vdc = pick(w.workVdcs)!;
    const a = await w.http.send('POST', `/cloudapi/1.0.0/vdcs/${enc(vdc)}/actions/instantiateTemplate`, { token: w.tokens.orgAdmin, json: { name: `load-${client}-${seq}`, catalogItem: { id: w.itemId } }, body: true });
    s.instantiate!.record(a, 'POST instantiateTemplate');
    if (a.status === 201) {
      const c: Created = { id: json(a).id };
      w.vapps.set(c.id, c);
      w.liveVapps.push(c);
    }
    return true;
  },
  async deleteVapp(w, s) {
    const c = takeRandom(w.liveVapps);
    if (!c) return false;
    const a = await w.http.send('DELETE', `/cloudapi/1.0.0/vapps/${enc(c.id)}?force=true`, { token: w.tokens.orgAdmin });
    s.deleteVapp!.record(a, `DELETE vapp ${c.id}`);
    if (a.status === 202 || a.status === 204) c.deleted = 'ack';
    else {
      (c.refused ??= []).push(`${a.status} ${(a.text ?? a.error ?? '').slice(0, 160)}`);
      w.liveVapps.push(c);
    }
    return true;
  },
  powerOn: power('powerOn', 'off'),
  powerOff: power('powerOff', 'on'),
};

function power(action: 'powerOn' | 'powerOff', from: SeedVm['state']): Op {
  return async (w, s) => {
    const now = performance.now();
    const vm = pick(w.seedVms.filter((v) => v.state === from && v.busyUntil < now));
    if (!vm) return false;
    vm.state = 'other';
    vm.busyUntil = now + 1000; // GETs right after the 202 may still show the old status
    const a = await w.http.send('POST', `/cloudapi/1.0.0/vms/${enc(vm.id)}/actions/${action}`, { token: w.tokens.orgAdmin });
    s[action]!.record(a, `${action} ${vm.id}`);
    const location = a.headers.location;
    if (a.status === 202 && location) w.tasks.push(new URL(location).pathname);
    return true;
  };
}

// ---- measuring ----

async function scrape(w: World): Promise<string> {
  const a = await w.http.send('GET', '/metrics', { token: METRICS_TOKEN, body: true });
  return a.status === 200 ? a.text ?? '' : '';
}
const metric = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);

interface Meter { stop(): Promise<string> }

/**
 * Starts watching a phase: the returned stop() describes the CPU of the server, the simulator and
 * this client process, the client's event-loop delay, the server's event-loop lag (from /metrics)
 * and the load average.
 */
async function meter(w: World, pids: { server: number; cluster: number }): Promise<Meter & { serverCpu(): number }> {
  await scrape(w); // resets prom-client's event-loop histogram
  const s0 = cpuUs(pids.server);
  const c0 = cpuUs(pids.cluster);
  const me0 = process.cpuUsage();
  const t0 = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return {
    serverCpu: () => cpuUs(pids.server) - s0,
    async stop() {
      delay.disable();
      const wall = (performance.now() - t0) / 1000;
      const me = process.cpuUsage(me0);
      const m = await scrape(w);
      const lag = metric(m, 'nodejs_eventloop_lag_p99_seconds');
      const lagMax = metric(m, 'nodejs_eventloop_lag_max_seconds');
      const pct = (us: number) => `${((us / 1e6 / wall) * 100).toFixed(0)} %`;
      return `wall ${wall.toFixed(1)} s; CPU of one core: server ${pct(cpuUs(pids.server) - s0)}, simulator ${pct(cpuUs(pids.cluster) - c0)}, clients ${pct(me.user + me.system)}; ` +
        `server event-loop lag p99 ${(lag * 1000).toFixed(1)} ms, max ${(lagMax * 1000).toFixed(1)} ms; client event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms; load average ${load()}`;
    },
  };
}

interface Target { figure: string; value: string; target: string; met: boolean | undefined }
const targets: Target[] = [];

function totals(stats: Stats): OpStats {
  const all = new OpStats('all');
  for (const s of Object.values(stats)) all.merge(s);
  return all;
}

function report(stats: Stats, seconds: number): OpStats {
  const rows = OPS.map((o) => stats[o]!);
  const all = totals(stats);
  all.skipped = 0;
  for (const l of table([...rows, all], seconds)) say(l);
  const why = reasons(rows);
  if (why.length) { say('answers ≥ 400 by status and minorErrorCode:'); for (const l of why) say(l); }
  for (const r of rows) for (const b of r.bodies5xx) say(`  5xx ${b}`);
  for (const r of rows) for (const e of r.errors) say(`  network error: ${e}`);
  return all;
}

// ---- the run ----

async function main(): Promise<void> {
  say(`node ${process.version}, ${cpus().length} CPUs, load average at start ${load()} (clients, server and simulator share these cores)`);
  const dir = tempDir('bench-load');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  const cluster = await startClusterProcess();
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await loadSampleTemplates(kc, 'openshift');

  const tsx = process.env.BENCH_TSX === '1';
  let dist = process.env.BENCH_DIST;
  if (!tsx && !dist) {
    dist = await buildOnce();
    const built = dist;
    cleanups.push(() => rmSync(built, { recursive: true, force: true }));
  }
  const command = tsx ? [process.execPath, '--import', 'tsx', 'lib/server.ts'] : [process.execPath, join(dist!, 'server.mjs')];
  // As the Deployment runs it: its plain env values (NODE_OPTIONS with the heap cap, …), the image's.
  const deployed = deployment();
  const limit = deployed.limit;
  const server: ServerProcess = await startServer({
    command,
    env: {
      ...deployed.env,
      NODE_ENV: 'production', MALLOC_MMAP_THRESHOLD_: '1048576',
      SSVIRT_DB_PATH: join(dir, 'load.db'), SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOG_LEVEL: 'warn',
      SSVIRT_KUBECONFIG: cluster.kubeconfigPath, SSVIRT_TEMPLATE_NAMESPACES: 'openshift', SSVIRT_METRICS_TOKEN: METRICS_TOKEN,
    },
  });
  cleanups.push(() => server.stop());
  await waitReady(server, 60_000);
  const pids = { server: server.proc.pid!, cluster: cluster.proc.pid! };
  say(`server: ${tsx ? 'tsx lib/server.ts' : 'node dist/server.mjs'}, pid ${pids.server}, with the Deployment's env ${JSON.stringify(deployed.env)} and memory limit ${mb(limit)}; simulator pid ${pids.cluster}`);

  const http = httpClient(server.url);
  cleanups.push(() => http.close());
  let t = performance.now();
  const w = await setUp(http);
  say(`set-up through the API: org, catalog, 3 users + ${LOGIN_USERS} login users, 4 VDCs, ${SEED_VAPPS} seed vApps with their VMs POWERED_OFF, in ${((performance.now() - t) / 1000).toFixed(1)} s (load average ${load()})`);
  const unloaded = await probe(w, 'unloaded', 20);
  say(`unloaded: 20 sequential GET /orgs, p50 ${quantile(unloaded, 0.5).toFixed(1)} ms, max ${maxOf(unloaded).toFixed(1)} ms`);

  // ---- 1. mixed load ----
  const weights = Object.entries(MIX).filter(([, v]) => v > 0);
  const sum = weights.reduce((n, [, v]) => n + v, 0);
  const choose = () => {
    let r = Math.random() * sum;
    for (const [k, v] of weights) if ((r -= v) < 0) return k;
    return weights[weights.length - 1]![0];
  };
  const mixed = newStats();
  say(`\n1. mixed load: ${CLIENTS} clients for ${SECONDS} s, mix ${weights.map(([k, v]) => `${k}=${v}`).join(',')}`);
  let m = await meter(w, pids);
  let stop = false;
  t = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    for (let seq = 0; !stop; seq++) {
      const op = choose();
      if (!(await ops[op]!(w, mixed, client, seq))) mixed[op]!.skipped++;
      if (performance.now() - t > SECONDS * 1000) stop = true;
    }
  }));
  const mixedSecs = (performance.now() - t) / 1000;
  const mixedMeter = await m.stop();
  const all = report(mixed, mixedSecs);
  say(mixedMeter);
  const hwmMixed = procStatus(pids.server, 'VmHWM');
  say(`server VmHWM ${mb(hwmMixed)}, VmRSS ${mb(procStatus(pids.server, 'VmRSS'))}; client sockets open ${http.sockets()}`);
  const adm99 = quantile(all.admitted, 0.99);
  targets.push({ figure: 'mixed: 5xx (not shedding)', value: String(all.faults), target: '0', met: all.faults === 0 });
  targets.push({ figure: 'mixed: admitted p99', value: `${adm99.toFixed(1)} ms (${all.admitted.length} of ${all.count}; shed ${all.shed})`, target: '≤ 250 ms', met: adm99 <= 250 });
  targets.push({ figure: 'mixed: network errors', value: String(all.err), target: '0', met: all.err === 0 });

  // ---- 1b. each operation alone ----
  say(`\n1b. each operation alone, ${OP_CONCURRENCY} clients, up to ${OP_SECONDS} s each`);
  await cluster.ask('idle');
  await sleep(2000);
  const i0 = cpuUs(pids.server);
  await sleep(3000);
  const idleRate = (cpuUs(pids.server) - i0) / 3; // µs per second
  say(`idle server CPU: ${(idleRate / 1e4).toFixed(1)} % of one core`);
  const alone = newStats();
  const cpuRows: string[] = [];
  const WRITES = new Set(['createVdc', 'deleteVdc', 'instantiate', 'deleteVapp', 'powerOn', 'powerOff', 'login', 'logout']);
  const tokensForLogout: string[] = [];
  const order = ['listVdcs', 'listOrgs', 'listCatalogItems', 'listVapps', 'getVdc', 'getVapp', 'getVm', 'login', 'logout', 'createVdc', 'deleteVdc', 'instantiate', 'deleteVapp', 'powerOn', 'powerOff'];
  for (const op of order) {
    if (op === 'powerOn' || op === 'powerOff') {
      const want = op === 'powerOn' ? 'off' : 'on';
      await until(`seed VMs settled before ${op}`, async () => (await refreshSeedVms(w)).every((v) => v.state !== 'other'), 60_000, 500)
        .catch(() => say(`  (some seed VMs not settled before ${op})`));
      say(`  ${op}: ${w.seedVms.filter((v) => v.state === want).length} seed VMs to act on`);
    }
    const s = alone;
    const before = s[op]!.count;
    const c0 = cpuUs(pids.server);
    const t0 = performance.now();
    let ended = false;
    // Deletes leave a quarter of what the load created, so phase 2 checks live objects too.
    const reserve = op === 'deleteVdc' ? Math.floor(w.liveVdcs.length / 4) : op === 'deleteVapp' ? Math.floor(w.liveVapps.length / 4) : 0;
    const left = () => (op === 'deleteVdc' ? w.liveVdcs.length : w.liveVapps.length);
    await Promise.all(Array.from({ length: OP_CONCURRENCY }, async (_, client) => {
      for (let seq = 0; !ended; seq++) {
        let acted: boolean;
        if (op === 'login') {
          // POST only: the tokens feed the logout phase.
          const a = await w.http.send('POST', '/cloudapi/1.0.0/sessions', { basic: basicOf(`${w.loginUsers[client % w.loginUsers.length]}@load-org`) });
          s.login!.record(a, 'POST /sessions');
          const token = a.headers['x-vmware-vcloud-access-token'] as string | undefined;
          if (token) tokensForLogout.push(token);
          acted = true;
        } else if (op === 'logout') {
          const token = tokensForLogout.pop();
          acted = !!token;
          if (token) {
            const a = await w.http.send('DELETE', '/cloudapi/1.0.0/sessions/current', { token });
            s.logout!.record(a, 'DELETE /sessions/current');
            if (a.status === 204) w.loggedOut.push(token);
          }
        } else if (reserve && left() <= reserve) {
          acted = false;
        } else {
          acted = await ops[op]!(w, s, 1000 + client, seq);
        }
        if (!acted || performance.now() - t0 > OP_SECONDS * 1000) ended = true;
      }
    }));
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuUs(pids.server) - c0;
    const n = s[op]!.count - before;
    let after = '';
    if (WRITES.has(op)) {
      const a0 = cpuUs(pids.server);
      const ta = performance.now();
      await cluster.ask('idle');
      await sleep(1000);
      const extra = cpuUs(pids.server) - a0 - idleRate * ((performance.now() - ta) / 1000);
      after = ` + ${n ? (Math.max(0, extra) / n).toFixed(0) : '-'} µs/req after the answers`;
    }
    cpuRows.push(`${op.padEnd(18)} ${String(n).padStart(6)} req in ${secs.toFixed(1)} s (${(n / secs).toFixed(1)}/s), p50 ${quantile(s[op]!.lat.slice(-n), 0.5).toFixed(1)} ms: server CPU ${n ? (cpu / n).toFixed(0) : '-'} µs/req${after}`);
  }
  for (const l of cpuRows) say(l);
  report(alone, NaN); // status histogram and any 5xx of the solo phases (no req/s: see the lines above)
  const hwm = procStatus(pids.server, 'VmHWM');
  targets.push({ figure: 'solo phases: 5xx (not shedding)', value: String(totals(alone).faults), target: '0', met: totals(alone).faults === 0 });

  // ---- 2. every acknowledged write present ----
  say('\n2. acknowledged writes');
  await verify(w, core, custom);

  // ---- 3. overload ----
  say(`\n3. overload: ${OVERLOAD_CLIENTS} clients for ${OVERLOAD_SECONDS} s of GET /cloudapi/1.0.0/orgs (Retry-After not honoured)`);
  const normal = await probe(w, 'normal', 20);
  const over = new OpStats('GET /orgs');
  m = await meter(w, pids);
  stop = false;
  t = performance.now();
  const workers = Promise.all(Array.from({ length: OVERLOAD_CLIENTS }, async (_, client) => {
    while (!stop) over.record(await w.http.send('GET', '/cloudapi/1.0.0/orgs?pageSize=25', { token: reader(w, client) }), 'GET /orgs');
  }));
  await sleep(OVERLOAD_SECONDS * 1000);
  stop = true;
  const overSecs = (performance.now() - t) / 1000;
  const recovery = await probe(w, 'recovery', 20);
  await workers;
  const overMeter = await m.stop();
  for (const l of table([over], overSecs)) say(l);
  for (const l of reasons([over])) say(l);
  for (const b of over.bodies5xx) say(`  5xx ${b}`);
  const shedNoRA = over.c429 + over.c503 - over.shed;
  say(`shed (429/503 with Retry-After): ${over.shed} of ${over.count} (${((over.shed / over.count) * 100).toFixed(1)} %); 429/503 without Retry-After: ${shedNoRA}`);
  say(`admitted: ${over.admitted.length} (${(over.admitted.length / overSecs).toFixed(0)}/s), p50 ${quantile(over.admitted, 0.5).toFixed(1)} ms, p99 ${quantile(over.admitted, 0.99).toFixed(1)} ms; slowest answer of any kind ${maxOf(over.lat).toFixed(0)} ms`);
  say(overMeter);
  say(`normal (20 sequential before): p50 ${quantile(normal, 0.5).toFixed(1)} ms, max ${maxOf(normal).toFixed(1)} ms`);
  say(`recovery (20 sequential as the load stops): ${recovery.map((x) => x.toFixed(1)).join(' ')} ms`);
  const hwmEnd = procStatus(pids.server, 'VmHWM');
  const rec = quantile(recovery, 0.5);
  targets.push({ figure: 'overload: shed with Retry-After', value: `${over.shed} (${((over.shed / over.count) * 100).toFixed(1)} %)`, target: '(info)', met: undefined });
  targets.push({ figure: 'overload: admitted p99', value: `${quantile(over.admitted, 0.99).toFixed(1)} ms`, target: '≤ 250 ms', met: quantile(over.admitted, 0.99) <= 250 });
  targets.push({ figure: 'overload: 5xx (not shedding) / network errors', value: `${over.faults} / ${over.err}`, target: '0 / 0', met: over.faults === 0 && over.err === 0 });
  targets.push({ figure: 'recovery: p50 of 20 vs normal p50', value: `${rec.toFixed(1)} vs ${quantile(normal, 0.5).toFixed(1)} ms (max ${maxOf(recovery).toFixed(1)})`, target: '≈ normal', met: rec <= Math.max(2 * quantile(normal, 0.5), quantile(normal, 0.5) + 5) });
  targets.push({ figure: 'server peak RSS (VmHWM)', value: `${mb(Math.max(hwmMixed, hwm, hwmEnd))} (after mixed ${mb(hwmMixed)})`, target: `≤ ${mb(0.8 * limit)} (80 % of ${mb(limit)})`, met: Math.max(hwmMixed, hwm, hwmEnd) <= 0.8 * limit });

  const logged = server.output.filter((l) => /"level":(50|60)/.test(l));
  if (logged.length) {
    say(`\nserver error log lines: ${logged.length}; the first ones:`);
    for (const l of logged.slice(0, 5)) say(`  ${l.slice(0, 600)}`);
  }
  say(`\n${'figure'.padEnd(46)} ${'value'.padEnd(44)} ${'target'.padEnd(30)} met`);
  for (const x of targets) say(`${x.figure.padEnd(46)} ${x.value.padEnd(44)} ${x.target.padEnd(30)} ${x.met === undefined ? '-' : x.met ? 'met' : 'NOT met'}`);
  say(`load average at the end ${load()} on ${cpus().length} CPUs`);
}

/** `n` sequential GET /orgs; their latencies (non-2xx are reported). */
async function probe(w: World, label: string, n: number): Promise<number[]> {
  const out: number[] = [];
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = await w.http.send('GET', '/cloudapi/1.0.0/orgs?pageSize=25', { token: w.tokens.sys });
    out.push(a.ms);
    if (a.status !== 200) bad.push(a.status);
  }
  if (bad.length) say(`  (${label}: ${bad.length} of ${n} not 200: ${bad.join(' ')})`);
  return out;
}

/** Phase 2: every acknowledged create is there, every acknowledged delete gone or going. */
async function verify(w: World, core: CoreV1Api, custom: CustomObjectsApi): Promise<void> {
  const namespaces = new Map((await core.listNamespace()).items.map((n) => [n.metadata!.name!, n]));
  const instances = new Map(((await custom.listClusterCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', labelSelector: 'app.kubernetes.io/managed-by=ssvirt' })) as { items: any[] }).items
    .map((ti) => [ti.metadata.labels['ssvirt.io/vapp-id'] as string, ti]));
  const missing: string[] = [];
  const counts = { vdcLive: 0, vdcDeleted: 0, vappLive: 0, vappDeleted: 0, tasks: 0, sessions: 0 };
  const statuses = new Map<string, number>();
  const note = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const get = (path: string) => w.http.send('GET', path, { token: w.tokens.sys, body: true });
  const check = async (kind: 'vdc' | 'vapp', c: Created) => {
    const a = await get(kind === 'vdc' ? `/cloudapi/1.0.0/vdcs/${enc(c.id)}` : `/cloudapi/1.0.0/vapps/${enc(c.id)}`);
    const status = a.status === 200 ? json(a).status as string : `HTTP ${a.status}`;
    const uuid = c.id.split(':').pop()!;
    const obj: any = kind === 'vdc' ? (c.namespace ? namespaces.get(c.namespace) : undefined) : instances.get(uuid);
    const inCluster = obj ? (obj.metadata.deletionTimestamp ? 'terminating' : 'present') : 'absent';
    note(`${kind} ${c.deleted ? 'deleted' : 'live'}: API ${status}, cluster ${inCluster}`);
    if (c.deleted) {
      counts[kind === 'vdc' ? 'vdcDeleted' : 'vappDeleted']++;
      const apiOk = a.status === 403 || (a.status === 200 && status === 'DELETING');
      if (!apiOk || inCluster === 'present' && status !== 'DELETING') missing.push(`${kind} ${c.id} deleted (acknowledged) but API ${status}, cluster ${inCluster}`);
    } else {
      counts[kind === 'vdc' ? 'vdcLive' : 'vappLive']++;
      if (a.status !== 200 || inCluster !== 'present') {
        const why = a.status === 200 ? json(a).statusMessage ?? '' : (a.text ?? '').slice(0, 200);
        missing.push(`${kind} ${c.id} created (acknowledged) but API ${status} (${why}), cluster ${inCluster}` +
          (c.refused ? `; it had ${c.refused.length} refused delete(s), the first: ${c.refused[0]}` : '; no delete was sent'));
      }
    }
  };
  const vdcs = [...w.vdcs.values()];
  const vapps = [...w.vapps.values()];
  await pool(vdcs.length, 8, (i) => check('vdc', vdcs[i]!));
  await pool(vapps.length, 8, (i) => check('vapp', vapps[i]!));
  const taskStatus = new Map<string, number>();
  await pool(w.tasks.length, 8, async (i) => {
    const a = await get(w.tasks[i]!);
    counts.tasks++;
    const s = a.status === 200 ? `${json(a).status}` : `HTTP ${a.status}`;
    taskStatus.set(s, (taskStatus.get(s) ?? 0) + 1);
    if (a.status !== 200) missing.push(`task ${w.tasks[i]} of an accepted power action: ${a.status}`);
  });
  const sample = w.loggedOut.slice(-200);
  await pool(sample.length, 8, async (i) => {
    const a = await w.http.send('GET', '/cloudapi/1.0.0/sessions/current', { token: sample[i]! });
    counts.sessions++;
    if (a.status !== 401) missing.push(`session logged out (204) but GET /sessions/current answers ${a.status}`);
  });
  say(`checked: ${counts.vdcLive} VDCs created and ${counts.vdcDeleted} deleted, ${counts.vappLive} vApps created and ${counts.vappDeleted} deleted (API and simulator), ${counts.tasks} power tasks, ${counts.sessions} logged-out tokens (of ${w.loggedOut.length})`);
  for (const [k, v] of [...statuses].sort()) say(`  ${k}: ${v}`);
  say(`  power tasks: ${[...taskStatus].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  say(`missing or wrong: ${missing.length}`);
  for (const l of missing.slice(0, 20)) say(`  ${l}`);
  const total = counts.vdcLive + counts.vdcDeleted + counts.vappLive + counts.vappDeleted + counts.tasks + counts.sessions;
  targets.push({ figure: 'acknowledged writes missing', value: `${missing.length} of ${total}`, target: '0', met: missing.length === 0 });
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: stopping the server and the simulator, removing temporary files\n`);
    void cleanup().then(() => process.exit(130));
  });
}

main().then(cleanup, async (e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  await cleanup();
  process.exitCode = 1;
});
