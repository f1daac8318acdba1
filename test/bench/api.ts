/**
 * API benchmark (a script, not a test): `npm run bench` (or `npx tsx test/bench/api.ts`).
 *
 * Starts the real server (lib/server.ts) as a child process on a temporary SQLite file and a free
 * port, logs in, creates an org and 100 VDCs through the API, then drives, one after another and
 * each at 50 connections for BENCH_SECONDS (default 10):
 *   - authenticated GET /cloudapi/1.0.0/vdcs?pageSize=25
 *   - authenticated GET /cloudapi/1.0.0/orgs
 *   - a bare Hono route (separate child process) answering the same JSON as the VDC page
 * and prints req/s, p50 and p99 for each and the ratios ours / bare. Targets: ratio ≥ 0.5 and
 * p99 ≤ 15 ms. The two lists are then measured again on a second server process over the same
 * database file with the list-page cache turned off (SSVIRT_LIST_CACHE_MB=0): the cost of a page
 * built from SQLite, as after every write. The targets are judged on the default configuration.
 *
 * The server runs with SSVIRT_LOG_LEVEL=warn (the default `info` writes one access-log line per
 * request to stdout, which here would measure the pipe to this process rather than the API).
 * BENCH_LOG_LEVEL overrides it; BENCH_CPU_PROF=<dir> starts the server under `node --cpu-prof`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const VDCS = 100;
const PASSWORD = 'bench-password-1';
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 15;

const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ssvirt-bench-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function start(args: string[], env: Record<string, string>, name: string): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let tail = '';
  const keep = (d: Buffer) => { tail = (tail + d.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`${name} exited with ${code ?? signal}:\n${tail}\n`);
  });
  return child;
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready at ${url}`);
}

async function api(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  const res = await fetch(base + path, {
    method, headers: { accept: 'application/json;version=39.0', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

interface Row { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number; bytes: number; cpuUs?: number }

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * One autocannon run. Besides latency and throughput it reports the target process's CPU time per
 * request, which stays comparable when other work shares the machine.
 */
async function measure(name: string, url: string, headers: Record<string, string>, target: ChildProcess, seconds = SECONDS): Promise<Row> {
  const cpu0 = cpuSeconds(target.pid);
  const r: Result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const cpu1 = cpuSeconds(target.pid);
  return {
    name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99,
    errors: r.errors + r.timeouts, non2xx: r.non2xx, bytes: r.throughput.average / Math.max(r.requests.average, 1),
    cpuUs: cpu0 !== undefined && cpu1 !== undefined && r.requests.total ? ((cpu1 - cpu0) * 1e6) / r.requests.total : undefined,
  };
}

async function main(): Promise<void> {
  const [port, barePort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const serverEnv = {
    SSVIRT_DB_PATH: join(dir, 'bench.db'), SSVIRT_PORT: String(port), SSVIRT_HOST: '127.0.0.1',
    SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', SSVIRT_LOGIN_DELAY_MS: '0',
  };
  const server = start([...nodeArgs, '--import', 'tsx', 'lib/server.ts'], serverEnv, 'server');
  await waitFor(`${base}/healthz`, server, 'server');

  const login = await api(base, 'POST', '/cloudapi/1.0.0/sessions', { authorization: `Basic ${Buffer.from(`admin@System:${PASSWORD}`).toString('base64')}` });
  const token = login.headers.get('x-vmware-vcloud-access-token')!;
  const auth = { authorization: `Bearer ${token}`, accept: 'application/json;version=39.0' };
  const org = await (await api(base, 'POST', '/cloudapi/1.0.0/orgs', auth, { name: 'bench-org', displayName: 'Benchmark org' })).json() as { id: string };
  for (let i = 0; i < VDCS; i++) {
    await api(base, 'POST', `/api/admin/org/${encodeURIComponent(org.id)}/vdcs`, auth, {
      name: `vdc-${String(i).padStart(3, '0')}`, description: 'benchmark VDC',
      computeCapacity: { cpu: { allocated: 4000, limit: 8000, units: 'MHz' }, memory: { allocated: 8192, limit: 16384, units: 'MB' } },
      vdcStorageProfiles: [{ name: 'standard', enabled: true, units: 'MB', limit: 102400, default: true }],
    });
  }
  const vdcPath = '/cloudapi/1.0.0/vdcs?pageSize=25';
  const page = await (await api(base, 'GET', vdcPath, auth)).text();
  const pageJson = JSON.parse(page) as { resultTotal: number; values: unknown[] };
  if (pageJson.resultTotal < VDCS || pageJson.values.length !== 25) throw new Error(`unexpected VDC page: total ${pageJson.resultTotal}, ${pageJson.values.length} values`);
  const bodyFile = join(dir, 'vdc-page.json');
  writeFileSync(bodyFile, page);

  const bare = start(['--import', 'tsx', 'test/bench/bare-server.ts'], { BENCH_PORT: String(barePort), BENCH_BODY_FILE: bodyFile }, 'bare server');
  const bareUrl = `http://127.0.0.1:${barePort}/bare`;
  await waitFor(bareUrl, bare, 'bare server');

  process.stdout.write(`node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per target, VDC page ${page.length} bytes, server log level ${process.env.BENCH_LOG_LEVEL ?? 'warn'}\n`);
  // Warm-up: JIT, SQLite page cache, prepared statements.
  await measure('warm-up', `${base}${vdcPath}`, auth, server, 2);
  await measure('warm-up', `${base}/cloudapi/1.0.0/orgs`, auth, server, 2);
  await measure('warm-up', bareUrl, {}, bare, 2);

  const rows = [
    await measure('GET /cloudapi/1.0.0/vdcs?pageSize=25', `${base}${vdcPath}`, auth, server),
    await measure('GET /cloudapi/1.0.0/orgs', `${base}/cloudapi/1.0.0/orgs`, auth, server),
    await measure('bare Hono, same JSON', bareUrl, {}, bare),
  ];
  const bareRow = rows[2]!;

  // The same lists built from SQLite on every request: a second process on the same file (the
  // session row is shared), the first one stopped so the two do not compete for the CPUs.
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  const uncachedPort = await freePort();
  const uncachedBase = `http://127.0.0.1:${uncachedPort}`;
  const uncached = start(['--import', 'tsx', 'lib/server.ts'], { ...serverEnv, SSVIRT_PORT: String(uncachedPort), SSVIRT_LIST_CACHE_MB: '0' }, 'server without list cache');
  await waitFor(`${uncachedBase}/healthz`, uncached, 'server without list cache');
  await measure('warm-up', `${uncachedBase}${vdcPath}`, auth, uncached, 2);
  const uncachedRows = [
    await measure('  same, list cache off', `${uncachedBase}${vdcPath}`, auth, uncached),
    await measure('  same, list cache off', `${uncachedBase}/cloudapi/1.0.0/orgs`, auth, uncached),
  ];
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(`\n${pad('target', 40)} ${pad('req/s', 9)} ${pad('p50 ms', 7)} ${pad('p99 ms', 7)} ${pad('bytes', 7)} ${pad('ratio', 6)} ${pad('CPU µs/req', 11)} errors/non-2xx\n`);
  let ok = true;
  const judged = new Set(rows);
  for (const r of [rows[0]!, uncachedRows[0]!, rows[1]!, uncachedRows[1]!, bareRow]) {
    const ratio = r.rps / bareRow.rps;
    const cpu = r.cpuUs === undefined ? '-' : r.cpuUs.toFixed(0);
    process.stdout.write(`${pad(r.name, 40)} ${pad(r.rps.toFixed(0), 9)} ${pad(String(r.p50), 7)} ${pad(String(r.p99), 7)} ${pad(r.bytes.toFixed(0), 7)} ${pad(ratio.toFixed(2), 6)} ${pad(cpu, 11)} ${r.errors}/${r.non2xx}\n`);
    if (judged.has(r) && r !== bareRow && (ratio < TARGET_RATIO || r.p99 > TARGET_P99_MS)) ok = false;
    if (r.errors || r.non2xx) ok = false;
  }
  process.stdout.write(`\ntargets (default configuration): ratio ≥ ${TARGET_RATIO}, p99 ≤ ${TARGET_P99_MS} ms → ${ok ? 'met' : 'MISSED'}\n`);
  process.stdout.write(`load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs\n`);
}

async function stopAll(): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
    setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 15_000).unref();
  })));
  rmSync(dir, { recursive: true, force: true });
}

main().then(stopAll, async (e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  await stopAll();
  process.exitCode = 1;
});
