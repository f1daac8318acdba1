/**
 * Throughput of the Kubernetes API simulator over HTTP (keep-alive, loopback), with the simulator in
 * its own process as it is when the server under test runs beside it: VirtualMachine creates per
 * second, list of 10,000 objects (whole and paged), watch events per second to several watchers,
 * and the simulator's memory with 10,000 VMs loaded. Prints figures; asserts nothing.
 *
 *   npx tsx test/bench/simulator.ts [count=10000] [concurrency=32] [watchers=4]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.argv[2] ?? 10_000);
let baselineRate = 0;
let baselineCpuPerReq = 0;
const CONCURRENCY = Number(process.argv[3] ?? 32);

// Baseline first: the same create load against a bare Node HTTP server in its own process.
{
  const bare = fork(fileURLToPath(new URL('./simulator-process.ts', import.meta.url)), ['bare'], { execArgv: ['--import', 'tsx'] });
  const where = await new Promise<{ url: string }>((resolve) => bare.once('message', (m) => resolve(m as { url: string })));
  const bareAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const bareCpu = () => new Promise<number>((resolve) => { bare.once('message', (m) => resolve((m as { cpuMicros: number }).cpuMicros)); bare.send({ cmd: 'cpu' }); });
  const bareCpu0 = await bareCpu();
  const body = JSON.stringify({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'x' }, spec: {} });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < COUNT; i = next++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(`${where.url}/x`, { method: 'POST', agent: bareAgent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
        req.on('error', reject);
        req.end(body);
      });
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  baselineCpuPerReq = ((await bareCpu()) - bareCpu0) / COUNT;
  console.log(`baseline: bare Node HTTP server, same client: ${(COUNT / secs).toFixed(0)} requests/s wall, ${baselineCpuPerReq.toFixed(0)} us CPU per request`);
  bareAgent.destroy();
  bare.send({ cmd: 'stop' });
  baselineRate = COUNT / secs;
}

const child = fork(fileURLToPath(new URL('./simulator-process.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.SIM_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_PROF}`] : [])] });
const ask = <T>(msg?: unknown) => new Promise<T>((resolve) => { child.once('message', (m) => resolve(m as T)); if (msg) child.send(msg as object); });
const started = await ask<{ url: string; token: string }>();
let rv = 0;
const sim = {
  url: started.url, token: started.token,
  resourceVersion: () => String(rv),
};
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const auth = { Authorization: `Bearer ${sim.token}` };

function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`${sim.url}${path}`, { method, agent, headers: { ...auth, ...(data ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function pool(n: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
  return (performance.now() - t0) / 1000;
}

const VMS = '/apis/kubevirt.io/v1/namespaces/bench/virtualmachines';
const vm = (i: number) => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine',
  metadata: { name: `vm-${String(i).padStart(5, '0')}`, labels: { 'app.kubernetes.io/managed-by': 'ssvirt', 'template.openshift.io/template-instance-owner': `owner-${i % 100}` } },
  spec: { runStrategy: 'Halted', template: { spec: { domain: { cpu: { cores: 2 }, memory: { guest: '2Gi' }, devices: {} } } } },
});

const ns = await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
rv = Number(JSON.parse(ns.body).metadata.resourceVersion);

// Watchers that count events while the rest runs.
const WATCHERS = Number(process.argv[4] ?? 4);
let watchEvents = 0;
const watchReqs: http.ClientRequest[] = [];
for (let w = 0; w < WATCHERS; w++) {
  const req = http.request(`${sim.url}${VMS}?watch=1&resourceVersion=${sim.resourceVersion()}`, { headers: auth }, (res) => {
    res.on('data', (c: Buffer) => { for (const b of c) if (b === 10) watchEvents++; });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  watchReqs.push(req);
}
await new Promise((r) => setTimeout(r, 200));

const cpu = async () => (await ask<{ cpuMicros: number }>({ cmd: 'cpu' })).cpuMicros;
let cpu0 = await cpu();
const createSecs = await pool(COUNT, async (i) => {
  const r = await call('POST', VMS, vm(i));
  if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.body}`);
});
let cpuUsed = (await cpu()) - cpu0;
console.log(`create: ${COUNT} VirtualMachines in ${createSecs.toFixed(2)} s = ${(COUNT / createSecs).toFixed(0)} creates/s wall (concurrency ${CONCURRENCY}, ${WATCHERS} watchers open)`);
console.log(`create: ${(COUNT / createSecs / baselineRate * 100).toFixed(0)}% of the bare-server rate measured just before`);
console.log(`create: simulator CPU ${(cpuUsed / COUNT).toFixed(0)} us per create = ${(COUNT / (cpuUsed / 1e6)).toFixed(0)} creates per simulator CPU-second (${(cpuUsed / COUNT / baselineCpuPerReq).toFixed(1)}x the bare server's CPU per request)`);

await new Promise((r) => setTimeout(r, 300));
console.log(`watch: ${watchEvents} events delivered to ${WATCHERS} watchers during the creates = ${(watchEvents / createSecs).toFixed(0)} events/s`);

let t = performance.now();
const LISTS = 20;
let bytes = 0;
cpu0 = await cpu();
for (let i = 0; i < LISTS; i++) bytes += (await call('GET', VMS)).body.length;
let secs = (performance.now() - t) / 1000;
cpuUsed = (await cpu()) - cpu0;
console.log(`list: full list of ${COUNT} VMs ${(secs / LISTS * 1000).toFixed(1)} ms each wall, ${(cpuUsed / LISTS / 1000).toFixed(1)} ms simulator CPU each (${(bytes / LISTS / 1e6).toFixed(1)} MB)`);

t = performance.now();
let pages = 0, cont = '';
do {
  const r = JSON.parse((await call('GET', `${VMS}?limit=500${cont ? `&continue=${cont}` : ''}`)).body);
  cont = r.metadata.continue;
  pages++;
} while (cont);
secs = (performance.now() - t) / 1000;
console.log(`list: paged (limit=500) ${pages} pages in ${(secs * 1000).toFixed(0)} ms`);

t = performance.now();
for (let i = 0; i < LISTS; i++) await call('GET', `${VMS}?labelSelector=template.openshift.io%2Ftemplate-instance-owner%3Downer-7`);
secs = (performance.now() - t) / 1000;
console.log(`list: label selector over ${COUNT} VMs ${(secs / LISTS * 1000).toFixed(1)} ms each`);

const before = watchEvents;
cpu0 = await cpu();
const PATCHES = Math.min(COUNT, 5000);
const patchSecs = await pool(PATCHES, async (i) => {
  const r = await call('PATCH', `${VMS}/vm-${String(i).padStart(5, '0')}`, { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
  if (r.status !== 200) throw new Error(`patch ${i}: ${r.status}`);
});
await new Promise((r) => setTimeout(r, 300));
cpuUsed = (await cpu()) - cpu0;
console.log(`patch: simulator CPU ${(cpuUsed / PATCHES).toFixed(0)} us per patch (incl. ${WATCHERS} watch events each) = ${(PATCHES / (cpuUsed / 1e6)).toFixed(0)} patches per simulator CPU-second`);
console.log(`patch: ${PATCHES} merge patches = ${(PATCHES / patchSecs).toFixed(0)} patches/s; watch: ${watchEvents - before} events = ${((watchEvents - before) / patchSecs).toFixed(0)} events/s`);

const mem = await ask<{ heapUsed: number; rss: number }>({ cmd: 'memory' });
console.log(`simulator memory with ${COUNT} VMs: heapUsed ${(mem.heapUsed / 1e6).toFixed(0)} MB, rss ${(mem.rss / 1e6).toFixed(0)} MB`);

for (const r of watchReqs) r.destroy();
agent.destroy();
child.send({ cmd: 'stop' });
