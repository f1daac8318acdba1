/**
 * Cluster benchmark (issue 4; a script, not a test): `npm run bench:cluster`
 * (= `npx tsx test/bench/cluster.ts`). Prints figures beside their targets; asserts nothing.
 *
 * Processes, all started here: the simulated cluster (test/bench/cluster-process.ts: the
 * Kubernetes API simulator over HTTPS with the TemplateInstance and KubeVirt controllers), the real
 * server (the production bundle `node dist/server.mjs`, or `lib/server.ts` under tsx with
 * BENCH_TSX=1) on a temporary SQLite file with the simulator's kubeconfig, a bare Hono server
 * (test/bench/bare-server.ts) and a "floor" process that only loads hono, better-sqlite3 (opening
 * an in-memory database, so its native library is loaded as in the server) and
 * @kubernetes/client-node. autocannon and the other clients run in this process.
 *
 * Phases and figures:
 * 1. Memory floor and the idle server (empty database, no templates): VmRSS from /proc.
 * 2. 1,000 templates (test/cluster/templates makeTemplates: the common samples' OSes and sizes, with
 *    their DataSources Ready) in the template namespace `openshift`;
 *    authenticated GET /cloudapi/1.0.0/catalogs/{id}/catalogItems (pageSize 25 and 128) against a
 *    bare Hono route answering the same JSON, 50 connections each, one after the other: req/s, p50,
 *    p99, ratio. Targets: ratio ≥ 0.5, p99 ≤ 15 ms.
 * 3. VDC creation: raw client-node namespace creates against the same simulator, then POST
 *    /api/admin/org/{orgId}/vdcs, same count and concurrency. Accepted rate (201s per second) and
 *    completed rate (until every VDC is READY in the API and its namespace exists in the cluster).
 *    Target: completed ≥ 0.8 × raw. client-node 1.x opens a new TLS connection per call, so raw
 *    creates are also shown through one shared keep-alive agent, and the three objects of a VDC
 *    (namespace, then quota and policy) made raw the same way (both for information).
 * 4. VM status latency: the KubeVirt controller is stopped (else it would write the status back),
 *    then `status.printableStatus` of a VM is merge-patched (Stopped ↔ Running) through the status
 *    subresource, and GET /cloudapi/1.0.0/vms/{id} is polled every BENCH_POLL_MS (default 2) until it
 *    shows the new status; measured from sending the patch (over a kept-alive connection) and, as
 *    a lower bound, from its answer. Done with 100 VMs and again with 10,000. Target: p99 ≤ 100 ms.
 * 5. 10,000 VMs: 100 vApps instantiated through the API (10 per VDC in 10 VDCs, one VM each from
 *    the template), then 99 more VirtualMachines per vApp created directly with the vApp
 *    TemplateInstance's owner label (what OpenShift's controller puts on a template's objects),
 *    so the server adopts them as VMs of that vApp exactly like template-made ones; the KubeVirt
 *    controller gives each its status (Provisioning → Stopped). Server RSS once every VM row is
 *    POWERED_OFF, and again after a restart on the same database and cluster.
 *    Targets: idle ≤ floor + 30 MB, loaded ≤ floor + 120 MB.
 *
 * Environment: BENCH_SECONDS (autocannon run, default 10), BENCH_VDCS (default 200),
 * BENCH_VDC_CONCURRENCY (default 8), BENCH_VAPPS (default 100), BENCH_VMS_PER_VAPP (default 100),
 * BENCH_TEMPLATES (default 1000), BENCH_CHANGES (default 200), BENCH_POLL_MS (default 2),
 * BENCH_TSX=1, BENCH_DIST=<built dist folder>, BENCH_CPU_PROF=<dir> (server under --cpu-prof).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import https from 'node:https';
import { CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api, PatchStrategy, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
// client-node's middleware contract is its own minimal Observable; `of` builds one (as lib/k8s/api.ts does).
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import { applyBootSources, applyTemplates, makeTemplates } from '../cluster/templates/index.ts';
import { buildOnce, freePort, startServer, tempDir, waitReady, type ServerProcess } from '../support/server-process.ts';
import { ROOT } from '../../scripts/build.ts';

const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const SECONDS = env('BENCH_SECONDS', 10);
const CONNECTIONS = 50;
const TEMPLATES = env('BENCH_TEMPLATES', 1000);
const VDCS = env('BENCH_VDCS', 200);
const VDC_CONCURRENCY = env('BENCH_VDC_CONCURRENCY', 8);
const VAPPS = env('BENCH_VAPPS', 100);
const VAPP_VDCS = 10;
const VMS_PER_VAPP = env('BENCH_VMS_PER_VAPP', 100);
const CHANGES = env('BENCH_CHANGES', 200);
const POLL_MS = env('BENCH_POLL_MS', 2);
const PASSWORD = 'bench-password-1';
const TEMPLATE_NS = 'openshift';
const OWNER = 'template.openshift.io/template-instance-owner';
const MB = 1024 * 1024;

const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const cleanups: (() => Promise<unknown> | unknown)[] = [];

// ---- processes ----

/** VmRSS of a live process in bytes (Linux /proc), NaN elsewhere. */
function rss(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Phase boundaries on the monotonic clock V8's profiles use too, to slice a BENCH_CPU_PROF profile. */
const marks: { label: string; us: number }[] = [];

/**
 * Starts a phase: the returned function ends it and describes where the CPU time went (server,
 * simulated cluster), which tells a slow server from a slow simulator on a shared machine.
 */
function phase(label: string, pids: () => { server?: number; cluster?: number }): () => string {
  const p = pids();
  const s0 = cpuSeconds(p.server);
  const c0 = cpuSeconds(p.cluster);
  const t0 = performance.now();
  marks.push({ label: `${label}:start`, us: Number(process.hrtime.bigint() / 1000n) });
  return () => {
    marks.push({ label: `${label}:end`, us: Number(process.hrtime.bigint() / 1000n) });
    const q = pids(); // a server restarted during the phase counts from its start
    const server = cpuSeconds(q.server) - (q.server === p.server ? s0 : 0);
    return `wall ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU server ${server.toFixed(1)} s, cluster ${(cpuSeconds(q.cluster) - c0).toFixed(1)} s`;
  };
}

/** The simulated cluster in its own process, with a tiny request/answer protocol. */
async function startClusterProcess(): Promise<{ kubeconfigPath: string; ask(cmd: string): Promise<void>; proc: ChildProcess }> {
  const proc = fork(fileURLToPath(new URL('./cluster-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const first = await new Promise<{ kubeconfigPath: string }>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as { kubeconfigPath: string }));
    proc.once('exit', (code) => reject(new Error(`cluster process exited (${code})`)));
  });
  cleanups.push(() => new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.send({ cmd: 'stop' });
    setTimeout(() => { proc.kill('SIGKILL'); resolve(); }, 10_000).unref();
  }));
  const ask = (cmd: string) => new Promise<void>((resolve) => {
    const on = (m: unknown) => {
      if ((m as { done?: string }).done === cmd) { proc.off('message', on); resolve(); }
    };
    proc.on('message', on);
    proc.send({ cmd });
  });
  return { kubeconfigPath: first.kubeconfigPath, ask, proc };
}

/** The floor: a process that loads only the server's three big dependencies. */
async function floorRss(): Promise<number> {
  const code = [
    "import 'hono';",
    "import Database from 'better-sqlite3';",
    "import '@kubernetes/client-node';",
    "new Database(':memory:').prepare('select 1').get();",
    "process.stdout.write('ready\\n');",
    'setInterval(() => {}, 1 << 30);',
  ].join('\n');
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.once('data', () => resolve());
    proc.once('exit', (c) => reject(new Error(`floor process exited (${c})`)));
  });
  await sleep(2000);
  const r = rss(proc.pid);
  proc.kill('SIGTERM');
  return r;
}

const METRICS_TOKEN = 'bench-metrics-token-0123';
const scrape = (base: string) => fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });

/** Where the memory is, from /metrics: V8 heap spaces (committed/used), external and array buffers. */
async function memoryDetail(base: string): Promise<string> {
  const text = await (await scrape(base)).text();
  const total = new Map<string, number>();
  const used = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_heap_space_size_(total|used)_bytes\{space="(\w+)"\} (\S+)/gm)) {
    (m[1] === 'total' ? total : used).set(m[2]!, Number(m[3]));
  }
  const spaces = [...total].filter(([, v]) => v > MB).map(([k, v]) => `${k} ${mb(v)}/${mb(used.get(k) ?? 0)}`).join(', ');
  const external = Number(/^nodejs_external_memory_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
  return `heap spaces committed/used: ${spaces}; external ${mb(external)}`;
}

/** heapUsed from the server's /metrics (prom-client's default metrics). */
async function heapUsed(base: string): Promise<number> {
  const text = await (await scrape(base)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
}

// ---- HTTP helpers ----

const ACCEPT = 'application/json;version=39.0';

function client(base: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, accept: ACCEPT };
  return {
    headers,
    async call<T = any>(method: string, path: string, body?: unknown, okOnly = true): Promise<{ status: number; body: T }> {
      const res = await fetch(base + path, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (okOnly && !res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/cloudapi/1.0.0/sessions`, {
    method: 'POST',
    headers: { accept: ACCEPT, authorization: `Basic ${Buffer.from(`admin@System:${PASSWORD}`).toString('base64')}` },
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return res.headers.get('x-vmware-vcloud-access-token')!;
}

/** Runs `fn(i)` for i < n with `concurrency` workers; resolves to the wall seconds. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
  return (performance.now() - t0) / 1000;
}

/** Polls `check` every `ms` until it returns true; throws after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 600_000, ms = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(ms);
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

// ---- autocannon ----

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; cpuUs: number }

async function cannon(name: string, url: string, headers: Record<string, string>, pid: number | undefined, seconds = SECONDS): Promise<Row> {
  const cpu0 = cpuSeconds(pid);
  const r: Result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const cpu1 = cpuSeconds(pid);
  return {
    name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx,
    cpuUs: r.requests.total ? ((cpu1 - cpu0) * 1e6) / r.requests.total : NaN,
  };
}

function startBare(bodyFile: string, port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bare-server.ts'], {
    cwd: ROOT, env: { ...process.env, BENCH_PORT: String(port), BENCH_BODY_FILE: bodyFile }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', () => resolve(proc));
    proc.once('exit', (c) => reject(new Error(`bare server exited (${c})`)));
  });
}

/**
 * client-node 1.x builds a new https.Agent for every request (KubeConfig.applySecurityAuthentication),
 * so each call opens a new TLS connection. These call options swap in one keep-alive agent with the
 * same CA, for the figures that must not include a handshake per call.
 */
async function keepAliveOptions(kc: KubeConfig): Promise<object> {
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const agent = new https.Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key });
  cleanups.push(() => agent.destroy());
  return {
    middleware: [{ pre: (ctx: RequestContext) => { ctx.setAgent(agent); return of(ctx); }, post: (r: ResponseContext) => of(r) }],
    middlewareMergeStrategy: 'append',
  };
}

// ---- the run ----

interface Target { figure: string; value: string; target: string; met: boolean | undefined }
const targets: Target[] = [];
const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;

async function main(): Promise<void> {
  say(`node ${process.version}, ${cpus().length} CPUs, load average at start ${load()}`);
  const dir = tempDir('bench-cluster');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  const cluster = await startClusterProcess();
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const keepAlive = await keepAliveOptions(kc);
  say(`cluster: simulator + controllers in pid ${cluster.proc.pid} (${cluster.kubeconfigPath})`);

  const floor = await floorRss();
  say(`floor (hono + better-sqlite3 + client-node loaded): VmRSS ${mb(floor)}`);

  // The server: production bundle by default (what runs in the image; tsx adds its own loader).
  const tsx = process.env.BENCH_TSX === '1';
  let dist = process.env.BENCH_DIST;
  if (!tsx && !dist) {
    dist = await buildOnce();
    const built = dist;
    cleanups.push(() => rmSync(built, { recursive: true, force: true }));
  }
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const command = tsx ? [process.execPath, ...prof, '--import', 'tsx', 'lib/server.ts'] : [process.execPath, ...prof, join(dist!, 'server.mjs')];
  const serverEnv = {
    SSVIRT_DB_PATH: join(dir, 'bench.db'), SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOG_LEVEL: 'warn', SSVIRT_LOGIN_DELAY_MS: '0',
    SSVIRT_KUBECONFIG: cluster.kubeconfigPath, SSVIRT_TEMPLATE_NAMESPACES: TEMPLATE_NS,
    // /metrics on the API port (the metrics port is off in test servers), behind its token.
    SSVIRT_METRICS_TOKEN: METRICS_TOKEN,
    // As the image runs it (Containerfile): glibc returns scrypt's 16 MB per login to the system.
    MALLOC_MMAP_THRESHOLD_: '1048576',
  };
  let server: ServerProcess = await startServer({ command, env: serverEnv });
  cleanups.push(() => server.stop());
  await waitReady(server, 60_000);
  say(`server: ${tsx ? 'tsx lib/server.ts' : 'node dist/server.mjs'}, pid ${server.proc.pid}, ${server.url}`);
  await sleep(3000);
  const idle = rss(server.proc.pid);
  say(`server idle (empty database, no templates, informers synced): VmRSS ${mb(idle)}, heapUsed ${mb(await heapUsed(server.url))}`);
  targets.push({ figure: 'server RSS idle', value: `${mb(idle)} = floor + ${mb(idle - floor)}`, target: 'floor + 30 MB', met: idle <= floor + 30 * MB });

  const pids = () => ({ server: server.proc.pid, cluster: cluster.proc.pid });
  let api = client(server.url, await login(server.url));
  const org = (await api.call('POST', '/cloudapi/1.0.0/orgs', { name: 'bench-org', displayName: 'Benchmark org' })).body as { id: string };
  const catalog = (await api.call('POST', '/cloudapi/1.0.0/catalogs', { name: 'bench-catalog', orgId: org.id })).body as { id: string };

  // ---- 2. catalog items with 1,000 templates ----
  let t = performance.now();
  const generated = makeTemplates(TEMPLATES);
  // Their DataSources Ready first: else every item is UNAVAILABLE and instantiating one (5a) a 400.
  await applyBootSources(kc, generated);
  await applyTemplates(kc, generated, TEMPLATE_NS, 16);
  const itemsPath = `/cloudapi/1.0.0/catalogs/${catalog.id}/catalogItems`;
  await until(`${TEMPLATES} catalog items`, async () => (await api.call('GET', `${itemsPath}?pageSize=1`)).body.resultTotal === TEMPLATES, 120_000, 100);
  say(`\n${TEMPLATES} templates applied and listed as catalog items in ${((performance.now() - t) / 1000).toFixed(1)} s; server VmRSS ${mb(rss(server.proc.pid))}`);

  const catalogRows: Row[] = [];
  for (const pageSize of [25, 128]) {
    const path = `${itemsPath}?pageSize=${pageSize}`;
    const page = JSON.stringify((await api.call('GET', path)).body);
    const bodyFile = join(dir, `items-${pageSize}.json`);
    writeFileSync(bodyFile, page);
    const port = await freePort();
    const bare = await startBare(bodyFile, port);
    const bareUrl = `http://127.0.0.1:${port}/bare`;
    // Warm-up: JIT and the per-catalog item index.
    await cannon('warm-up', server.url + path, api.headers, server.proc.pid, 2);
    await cannon('warm-up', bareUrl, {}, bare.pid, 2);
    const catEnd = phase(`catalog-${pageSize}`, pids);
    const ours = await cannon(`GET catalogItems?pageSize=${pageSize} (${page.length} B)`, server.url + path, api.headers, server.proc.pid);
    catEnd();
    const base = await cannon(`bare Hono, same JSON`, bareUrl, {}, bare.pid);
    bare.kill('SIGTERM');
    catalogRows.push(ours, base);
    const ratio = ours.rps / base.rps;
    targets.push({ figure: `catalog items pageSize ${pageSize}: ratio`, value: `${ratio.toFixed(2)}${ours.errors + ours.non2xx ? ` (${ours.errors} errors, ${ours.non2xx} non-2xx)` : ''}`, target: '≥ 0.5', met: ratio >= 0.5 && !ours.errors && !ours.non2xx });
    targets.push({ figure: `catalog items pageSize ${pageSize}: p99`, value: `${ours.p99} ms`, target: '≤ 15 ms', met: ours.p99 <= 15 });
  }
  say(`\ncatalog items, ${TEMPLATES} templates, ${CONNECTIONS} connections, ${SECONDS} s each (load average ${load()})`);
  say(`${'target'.padEnd(42)} ${'req/s'.padEnd(8)} ${'p50 ms'.padEnd(7)} ${'p99 ms'.padEnd(7)} ${'CPU µs/req'.padEnd(11)} errors/non-2xx`);
  for (const r of catalogRows) {
    say(`${r.name.padEnd(42)} ${r.rps.toFixed(0).padEnd(8)} ${String(r.p50).padEnd(7)} ${String(r.p99).padEnd(7)} ${r.cpuUs.toFixed(0).padEnd(11)} ${r.errors}/${r.non2xx}`);
  }

  // ---- 3. VDC creation rate vs raw namespace creates ----
  let end = phase('raw-namespaces', pids);
  const rawSecs = await pool(VDCS, VDC_CONCURRENCY, async (i) => {
    await core.createNamespace({ body: { metadata: { name: `raw-${String(i).padStart(4, '0')}` } } });
  });
  const rawRate = VDCS / rawSecs;
  const rawCpu = end();
  // The same through one keep-alive connection per worker: what client-node costs without its handshakes.
  end = phase('raw-namespaces-keepalive', pids);
  const rawKaSecs = await pool(VDCS, VDC_CONCURRENCY, async (i) => {
    await core.createNamespace({ body: { metadata: { name: `raw-ka-${String(i).padStart(4, '0')}` } } }, keepAlive);
  });
  const rawKaRate = VDCS / rawKaSecs;
  const rawKaCpu = end();
  // What a VDC is in the cluster, made by hand with the same client: the namespace, then its
  // quota and policy together (for information: the judged baseline is one namespace create).
  const net = kc.makeApiClient(NetworkingV1Api);
  end = phase('raw-vdc-objects', pids);
  const rawObjSecs = await pool(VDCS, VDC_CONCURRENCY, async (i) => {
    const namespace = `raw-obj-${String(i).padStart(4, '0')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await Promise.all([
      core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'vdc-quota' }, spec: { hard: { 'requests.storage': '100Gi' } } } }),
      net.createNamespacedNetworkPolicy({ namespace, body: { metadata: { name: 'vdc-isolation' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ _from: [{ podSelector: {} }] }] } } }),
    ]);
  });
  const rawObjRate = VDCS / rawObjSecs;
  const rawObjCpu = end();
  const vdcIds: string[] = [];
  const vdcBody = (i: number) => ({
    name: `vdc-${String(i).padStart(4, '0')}`, description: 'benchmark VDC',
    computeCapacity: { cpu: { allocated: 0, limit: 0, units: 'MHz' }, memory: { allocated: 0, limit: 0, units: 'MB' } },
    vdcStorageProfiles: [{ name: 'standard', enabled: true, units: 'MB', limit: 0, default: true }],
  });
  let readyAt201 = 0;
  end = phase('vdcs', pids);
  t = performance.now();
  await pool(VDCS, VDC_CONCURRENCY, async (i) => {
    const r = await api.call('POST', `/api/admin/org/${encodeURIComponent(org.id)}/vdcs`, vdcBody(i));
    if (r.body.status === 'READY') readyAt201++;
    vdcIds[i] = r.body.id;
  });
  const acceptedSecs = (performance.now() - t) / 1000;
  const vdcNamespaces = async () => (await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ssvirt,app.kubernetes.io/component=vdc' })).items.length;
  await until('every VDC READY with its namespace', async () =>
    (await api.call('GET', `/cloudapi/1.0.0/vdcs?filter=${encodeURIComponent('status==READY')}&pageSize=1`)).body.resultTotal === VDCS && (await vdcNamespaces()) === VDCS, 120_000, 20);
  const completedSecs = (performance.now() - t) / 1000;
  const vdcCpu = end();
  const accepted = VDCS / acceptedSecs;
  const completed = VDCS / completedSecs;
  say(`\nVDC creation, ${VDCS} each at concurrency ${VDC_CONCURRENCY} (load average ${load()})`);
  say(`raw client-node namespace creates: ${rawRate.toFixed(1)}/s (${rawCpu})`);
  say(`raw client-node namespace creates, shared keep-alive agent: ${rawKaRate.toFixed(1)}/s (${rawKaCpu})`);
  say(`raw client-node VDC objects (namespace, then quota + policy): ${rawObjRate.toFixed(1)}/s (${rawObjCpu})`);
  say(`POST /api/admin/org/{id}/vdcs accepted (201): ${accepted.toFixed(1)}/s (${readyAt201} of ${VDCS} answered READY); completed (READY + namespace): ${completed.toFixed(1)}/s (${vdcCpu})`);
  targets.push({ figure: 'VDC creates completed / raw namespace creates', value: `${(completed / rawRate).toFixed(2)} (accepted ${(accepted / rawRate).toFixed(2)})`, target: '≥ 0.8', met: completed / rawRate >= 0.8 });
  targets.push({ figure: '  the same / raw creates with a keep-alive agent', value: (completed / rawKaRate).toFixed(2), target: '(info)', met: undefined });
  targets.push({ figure: '  the same / raw namespace + quota + policy', value: (completed / rawObjRate).toFixed(2), target: '(info)', met: undefined });

  // ---- 5a. 100 vApps (one VM each) through the API ----
  const item = (await api.call('GET', `${itemsPath}?pageSize=1&filter=${encodeURIComponent('name==fedora*')}`)).body.values[0] as { id: string; name: string };
  end = phase('vapps', pids);
  t = performance.now();
  await pool(VAPPS, 8, async (i) => {
    const vdc = vdcIds[i % VAPP_VDCS]!;
    await api.call('POST', `/cloudapi/1.0.0/vdcs/${vdc}/actions/instantiateTemplate`, { name: `vapp-${String(i).padStart(3, '0')}`, catalogItem: { id: item.id } });
  });
  const vmsTotal = async (filter = '') => (await api.call('GET', `/cloudapi/1.0.0/vms?pageSize=1${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`)).body.resultTotal as number;
  await until(`${VAPPS} VMs POWERED_OFF`, async () => (await vmsTotal('status==POWERED_OFF')) === VAPPS);
  say(`\n${VAPPS} vApps instantiated from ${item.name} in ${VAPP_VDCS} VDCs, their VMs POWERED_OFF (${end()})`);

  // ---- 4a. status latency with 100 VMs ----
  const latency = async (label: string) => {
    await cluster.ask('kubevirt-stop');
    const done = phase(`latency-${label}`, pids);
    const vms: { id: string; namespace: string; name: string }[] = [];
    for (let page = 1; vms.length < Math.min(100, CHANGES / 2); page++) {
      const r = (await api.call('GET', `/cloudapi/1.0.0/vms?pageSize=128&page=${page}&sortAsc=name`)).body;
      for (const v of r.values) vms.push({ id: v.id, namespace: v.kubernetes.namespace, name: v.kubernetes.name });
      if (page >= r.pageCount) break;
    }
    const chosen = vms.slice(0, Math.min(100, Math.ceil(CHANGES / 2)));
    // The merge-patch media type, and a kept-alive connection so "from sending" has no TLS handshake in it.
    const merge = { ...keepAlive, middleware: [...(keepAlive as { middleware: object[] }).middleware, {
      pre: (ctx: RequestContext) => { ctx.setHeaderParam('Content-Type', PatchStrategy.MergePatch); return of(ctx); },
      post: (r: ResponseContext) => of(r),
    }] };
    const fromSend: number[] = [];
    const fromAnswer: number[] = [];
    let polls = 0;
    let pollGapSum = 0;
    // Each VM goes Running and back to Stopped, so the KubeVirt controller finds them as it left them.
    for (let round = 0; fromSend.length < CHANGES; round++) {
      const [printable, want] = round % 2 === 0 ? ['Running', 'POWERED_ON'] : ['Stopped', 'POWERED_OFF'];
      for (const vm of chosen) {
        const t0 = performance.now();
        await custom.patchNamespacedCustomObjectStatus({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: vm.namespace, name: vm.name, body: { status: { printableStatus: printable } } }, merge as never);
        const t1 = performance.now();
        for (;;) {
          const r = await fetch(`${server.url}/cloudapi/1.0.0/vms/${vm.id}`, { headers: api.headers });
          const body = (await r.json()) as { status: string };
          polls++;
          if (body.status === want) break;
          const g = performance.now();
          await sleep(POLL_MS);
          pollGapSum += performance.now() - g;
        }
        const t2 = performance.now();
        fromSend.push(t2 - t0);
        fromAnswer.push(t2 - t1);
      }
    }
    const cpu = done();
    await cluster.ask('kubevirt-start');
    const gap = polls > fromSend.length ? pollGapSum / (polls - fromSend.length) : 0;
    say(`\nVM status latency, ${label}: ${fromSend.length} changes on ${chosen.length} VMs, poll every ${POLL_MS} ms (measured gap ${gap.toFixed(1)} ms), ${(polls / fromSend.length).toFixed(1)} GETs per change (${cpu}; load average ${load()})`);
    say(`  from sending the status patch: p50 ${quantile(fromSend, 0.5).toFixed(1)} ms, p99 ${quantile(fromSend, 0.99).toFixed(1)} ms, max ${Math.max(...fromSend).toFixed(1)} ms`);
    say(`  from the patch's answer:       p50 ${quantile(fromAnswer, 0.5).toFixed(1)} ms, p99 ${quantile(fromAnswer, 0.99).toFixed(1)} ms`);
    const p99 = quantile(fromSend, 0.99);
    targets.push({ figure: `VM status → GET, ${label}: p99`, value: `${p99.toFixed(1)} ms (p50 ${quantile(fromSend, 0.5).toFixed(1)})`, target: '≤ 100 ms', met: p99 <= 100 });
  };
  await latency(`${VAPPS} VMs`);

  // ---- 5b. 10,000 VMs ----
  const tis = (await custom.listClusterCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', labelSelector: 'app.kubernetes.io/managed-by=ssvirt' })) as { items: any[] };
  const work: { namespace: string; owner: string; template: any; name: string }[] = [];
  for (const ti of tis.items) {
    const ref = ti.status?.objects?.find((o: any) => o.ref?.kind === 'VirtualMachine')?.ref;
    if (!ref) throw new Error(`TemplateInstance ${ti.metadata.name} has no VM yet`);
    const vm = (await custom.getNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: ref.namespace, name: ref.name })) as any;
    const template = { apiVersion: vm.apiVersion, kind: vm.kind, metadata: { labels: vm.metadata.labels, annotations: vm.metadata.annotations }, spec: vm.spec };
    for (let j = 1; j < VMS_PER_VAPP; j++) work.push({ namespace: ref.namespace, owner: ti.metadata.uid, template, name: `${ref.name}-${String(j).padStart(3, '0')}` });
  }
  const totalVms = VAPPS + work.length;
  end = phase('vms', pids);
  t = performance.now();
  const createSecs = await pool(work.length, 32, async (i) => {
    const w = work[i]!;
    const body = { ...w.template, metadata: { ...w.template.metadata, name: w.name, namespace: w.namespace } };
    if (body.metadata.labels?.[OWNER] !== w.owner) throw new Error(`VM template without the owner label ${w.owner}`);
    await custom.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', namespace: w.namespace, body });
  });
  await until(`${totalVms} VMs POWERED_OFF`, async () => (await vmsTotal('status==POWERED_OFF')) === totalVms, 900_000, 500);
  const ingestSecs = (performance.now() - t) / 1000;
  const vmCpu = end();
  say(`\n${work.length} VirtualMachines created directly (owner label of their vApp's TemplateInstance) in ${createSecs.toFixed(1)} s; ` +
    `all ${totalVms} VM rows POWERED_OFF after ${ingestSecs.toFixed(1)} s (${vmCpu}; load average ${load()})`);
  await cluster.ask('idle');
  await sleep(5000);
  const loaded = rss(server.proc.pid);
  say(`server with ${totalVms} VMs and ${TEMPLATES} templates, after the benchmarks above: VmRSS ${mb(loaded)}, heapUsed ${mb(await heapUsed(server.url))}`);
  say(`  ${await memoryDetail(server.url)}`);
  targets.push({ figure: `server RSS, ${totalVms} VMs + ${TEMPLATES} templates, same process`, value: `${mb(loaded)} = floor + ${mb(loaded - floor)}`, target: 'floor + 120 MB', met: loaded <= floor + 120 * MB });

  // ---- 4b. status latency with 10,000 VMs ----
  await latency(`${totalVms} VMs`);

  // ---- 5c. a fresh process on the loaded database and cluster ----
  await cluster.ask('idle');
  await server.stop();
  end = phase('restart', pids);
  server = await startServer({ command, env: serverEnv });
  await waitReady(server, 120_000);
  api = client(server.url, await login(server.url));
  await until('VM rows after restart', async () => (await vmsTotal('status==POWERED_OFF')) === totalVms, 120_000, 500);
  const restartCpu = end();
  await sleep(5000);
  const fresh = rss(server.proc.pid);
  say(`\nserver restarted on the loaded database and cluster (${restartCpu}): VmRSS ${mb(fresh)}, heapUsed ${mb(await heapUsed(server.url))}`);
  targets.push({ figure: `server RSS, ${totalVms} VMs + ${TEMPLATES} templates, fresh start`, value: `${mb(fresh)} = floor + ${mb(fresh - floor)}`, target: 'floor + 120 MB', met: fresh <= floor + 120 * MB });
  // The start-up burst (first lists, one status pass over every VM) leaves heap pages committed
  // until V8's memory reducer runs after some idle seconds: the same process a little later.
  await sleep(25_000);
  const settled = rss(server.proc.pid);
  say(`the same process 25 s later: VmRSS ${mb(settled)}, heapUsed ${mb(await heapUsed(server.url))}`);
  say(`  ${await memoryDetail(server.url)}`);
  targets.push({ figure: `the same, 25 s later`, value: `${mb(settled)} = floor + ${mb(settled - floor)}`, target: 'floor + 120 MB', met: settled <= floor + 120 * MB });

  say(`\n${'figure'.padEnd(58)} ${'value'.padEnd(34)} ${'target'.padEnd(15)} met`);
  for (const x of targets) say(`${x.figure.padEnd(58)} ${x.value.padEnd(34)} ${x.target.padEnd(15)} ${x.met === undefined ? '-' : x.met ? 'met' : 'NOT met'}`);
  say(`floor (hono + better-sqlite3 + client-node): ${mb(floor)}; load average at the end ${load()} on ${cpus().length} CPUs`);
  if (process.env.BENCH_CPU_PROF) writeFileSync(join(process.env.BENCH_CPU_PROF, 'marks.json'), JSON.stringify(marks));
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
}

main().then(cleanup, async (e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  await cleanup();
  process.exitCode = 1;
});
