/**
 * Login flood: 200 clients fire wrong passwords in parallel (each sends its next guess as soon as
 * the last is answered) at a real server process, while a System Administrator logs in with the
 * right password once a second. Prints password checks per second (401 answers), refusals per
 * second (429), and the latency of the correct logins during the flood.
 *
 *   npx tsx test/bench/login-flood.ts            # guesses at another user ('victim')
 *   FLOOD_TARGET=admin npx tsx test/bench/login-flood.ts   # guesses at the admin itself
 *
 * The server runs as it would behind the router: SSVIRT_TRUSTED_PROXIES names loopback, the
 * flood comes from X-Forwarded-For 203.0.113.9 and the admin from 198.51.100.7. Production
 * defaults otherwise (scrypt N=2^17, 500 ms base back-off). FLOOD_SECONDS (default 10).
 */
import { join } from 'node:path';
import { startServer, tempDir } from '../support/server-process.ts';

const CLIENTS = 200;
const SECONDS = Number(process.env.FLOOD_SECONDS ?? 10);
const TARGET = process.env.FLOOD_TARGET === 'admin' ? 'admin' : 'victim';
const PASSWORD = 'bench-admin-password-1';
const LOGIN = '/cloudapi/1.0.0/sessions';

const basic = (login: string, pw: string) => `Basic ${Buffer.from(`${login}:${pw}`).toString('base64')}`;

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      const r = await fetch(`${url}/healthz`);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

async function post(url: string, authorization: string, client: string, why?: string[]): Promise<number> {
  const r = await fetch(url + LOGIN, { method: 'POST', headers: { authorization, accept: 'application/json', 'x-forwarded-for': client } });
  const body = await r.text();
  if (why && r.status !== 200) why.push(`${r.status}: ${(JSON.parse(body) as { message?: string }).message ?? ''}`);
  return r.status;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main() {
  const dir = tempDir('login-flood');
  const server = await startServer({
    command: [process.execPath, '--import', 'tsx', 'lib/server.ts'],
    env: { SSVIRT_DB_PATH: join(dir, 'bench.db'), SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOG_LEVEL: 'warn', SSVIRT_TRUSTED_PROXIES: '127.0.0.1,::1' },
  });
  try {
    await waitUp(server.url);
    // Unloaded reference.
    let t0 = performance.now();
    const idleStatus = await post(server.url, basic('admin@System', PASSWORD), '198.51.100.7');
    const idleMs = performance.now() - t0;

    const counts = new Map<number, number>();
    let stop = false;
    let guess = 0;
    const worker = async () => {
      while (!stop) {
        const status = await post(server.url, basic(`${TARGET}@System`, `wrong-${guess++}`), '203.0.113.9').catch(() => -1);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
    };
    const started = performance.now();
    const workers = Array.from({ length: CLIENTS }, worker);
    const admin: { ms: number; status: number }[] = [];
    const adminRefusals: string[] = [];
    const sampler = (async () => {
      await new Promise((r) => setTimeout(r, 1000));
      while (performance.now() - started < SECONDS * 1000) {
        t0 = performance.now();
        const status = await post(server.url, basic('admin@System', PASSWORD), '198.51.100.7', adminRefusals);
        admin.push({ ms: performance.now() - t0, status });
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await sampler;
    stop = true;
    await Promise.all(workers);
    const elapsed = (performance.now() - started) / 1000;
    const lat = admin.map((a) => a.ms);
    console.log(JSON.stringify({
      target: TARGET, clients: CLIENTS, seconds: Math.round(elapsed * 10) / 10,
      guessesPerSecond: Math.round(((counts.get(401) ?? 0) / elapsed) * 100) / 100,
      refusedPerSecond: Math.round(((counts.get(429) ?? 0) / elapsed) * 10) / 10,
      answers: Object.fromEntries(counts),
      idleAdminLoginMs: Math.round(idleMs), idleAdminStatus: idleStatus,
      adminLoginsDuringFlood: admin.length,
      adminStatuses: admin.map((a) => a.status),
      adminRefusals: [...new Set(adminRefusals)],
      adminLatencyMs: { median: Math.round(percentile(lat, 50)), max: Math.round(Math.max(...lat)) },
    }, null, 2));
  } finally {
    await server.stop();
  }
}

await main();
