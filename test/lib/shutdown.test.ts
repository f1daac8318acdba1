import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Agent, createServer, request, type Server } from 'node:http';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openDb } from '#db/client.ts';
import { createLog } from '#lib/log.ts';
import { shutdown, SHUTDOWN_GRACE_MS } from '#lib/shutdown.ts';
import { ConnectionDrain } from '#lib/http/drain.ts';
import { buildOnce, startServer, tempDir, waitReady, type ServerProcess } from '#test/support/server-process.ts';
import { runCluster } from '#test/cluster/cli.ts';

function memoryLog() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  return { log: createLog('info', sink), lines };
}

/** GET on a fresh connection; resolves with the status or the error code. */
function get(port: number, path: string, agent?: false): Promise<number | string> {
  return new Promise((res) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (r) => { r.resume(); r.on('end', () => res(r.statusCode!)); });
    req.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
    req.end();
  });
}

describe('shutdown (in process)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => { server.closeAllConnections(); server.close(); });

  it('waits for a bounded in-flight request, stops the cluster side, closes the database, returns 0', async () => {
    // Answers after 300 ms.
    const s = createServer((_req, res) => void new Promise((r) => setTimeout(r, 300)).then(() => res.end('done')));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const p = (s.address() as { port: number }).port;
    const db = openDb(':memory:');
    const { log, lines } = memoryLog();
    let clusterStopped = false;
    const inflight = get(p, '/slow', false);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const code = await shutdown({ server: s, db, log, k8s: { stop: async () => { clusterStopped = true; } } });
    expect(code).toBe(0);
    expect(await inflight).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(clusterStopped).toBe(true);
    expect(db.$client.open).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['HTTP stopped', 'cluster side stopped', 'database checkpointed and closed']);
    expect(lines[0]!.timedOut).toBe(false);
    // No longer accepting.
    expect(await get(p, '/', false)).toBe('ECONNREFUSED');
  });

  it('answers on kept-alive connections with Connection: close while draining, never a reset', async () => {
    // Answers /slow after 300 ms, anything else at once.
    const s = createServer((req, res) => {
      if (req.url === '/slow') void new Promise((r) => setTimeout(r, 300)).then(() => res.end('done'));
      else res.end('ok');
    });
    const drain = new ConnectionDrain(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const p = (s.address() as { port: number }).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const send = (path: string) => new Promise<[number, string | undefined] | string>((res) => {
      const req = request({ host: '127.0.0.1', port: p, path, agent }, (r) => { r.resume(); r.on('end', () => res([r.statusCode!, r.headers.connection])); });
      req.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
      req.end();
    });
    // Two kept-alive connections: one will be busy, one idle when the signal comes.
    expect(await Promise.all([send('/'), send('/')])).toEqual([[200, 'keep-alive'], [200, 'keep-alive']]);
    const inflight = send('/slow');
    await new Promise((r) => setTimeout(r, 50));
    const { log } = memoryLog();
    const stopped = shutdown({ server: s, drain, db: openDb(':memory:'), log });
    // The idle connection carries one more request (a busy client's next one): answered, not reset.
    expect(await send('/')).toEqual([200, 'close']);
    // The request in flight at the signal is answered and told to close its connection.
    expect(await inflight).toEqual([200, 'close']);
    expect(await stopped).toBe(0);
    agent.destroy();
  });

  it('cuts a request that outlives the grace period and still exits 0', async () => {
    const db = openDb(':memory:');
    const { log, lines } = memoryLog();
    const hung = get(port, '/hang', false);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    const code = await shutdown({ server, db, log, graceMs: 200 });
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await hung).toBe('ECONNRESET');
    expect(lines.find((l) => l.msg === 'HTTP stopped')!.timedOut).toBe(true);
    expect(lines.some((l) => /did not finish in time/.test(l.msg))).toBe(true);
  });

  it('stops background work (periodic backups) after HTTP and before the database closes', async () => {
    const s = createServer((_q, r) => r.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const db = openDb(':memory:');
    const { log, lines } = memoryLog();
    let openWhenStopped: boolean | undefined;
    const code = await shutdown({ server: s, db, log, background: [{ stop: async () => { await new Promise((r) => setTimeout(r, 50)); openWhenStopped = db.$client.open; } }] });
    expect(code).toBe(0);
    expect(openWhenStopped).toBe(true);
    expect(db.$client.open).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['HTTP stopped', 'background work stopped', 'database checkpointed and closed']);
  });

  it('does not wait forever for the cluster side', async () => {
    const s = createServer((_q, r) => r.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const db = openDb(':memory:');
    const { log, lines } = memoryLog();
    const started = performance.now();
    const code = await shutdown({ server: s, db, log, k8s: { stop: () => new Promise(() => {}) }, clusterStopMs: 100 });
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(lines.find((l) => l.msg === 'cluster side stopped')!.outcome).toBe('timed out');
    expect(db.$client.open).toBe(false);
  });
});

describe('SIGTERM on the production build (node dist/server.mjs)', () => {
  const PASSWORD = 'shutdown-password-1';
  let dist: string;
  let data: string;
  let s: ServerProcess;
  beforeAll(async () => {
    dist = await buildOnce();
    data = tempDir('shutdown');
    s = await startServer({
      dist,
      env: {
        SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOGIN_DELAY_MS: '0',
        // The test keeps the server busy with many logins of one user at once: the per-user cap on
        // parallel password checks (a defence against guessing) would refuse most of them.
        SSVIRT_LOGIN_MAX_PARALLEL_PER_USER: '12', SSVIRT_PASSWORD_HASH_CONCURRENCY: '4',
      },
    });
    await waitReady(s, 60_000);
  }, 120_000);
  afterAll(async () => {
    await s?.stop(1_000);
    rmSync(dist, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('finishes in-flight requests with 200, refuses new connections, exits 0 within the grace period', async () => {
    const logs = () => s.output.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
    // Each login checks its password with scrypt at N=2^17 (about 0.3 s of a core), four at a time:
    // LOGINS at once keep the server busy for seconds, and still end well within the grace period.
    const LOGINS = 12;
    const auth = `Basic ${Buffer.from(`admin@System:${PASSWORD}`).toString('base64')}`;
    const logins = Array.from({ length: LOGINS }, () =>
      fetch(`${s.url}/cloudapi/1.0.0/sessions/provider`, { method: 'POST', headers: { authorization: auth, accept: 'application/json;version=39.0' } })
        .then(async (r) => ({ status: r.status, token: r.headers.get('x-vmware-vcloud-access-token'), body: await r.text() })),
    );
    // Wait until the server has them (the first finished login proves the others were queued).
    const deadline = Date.now() + 30_000;
    while (!logs().some((l) => l.path === '/cloudapi/1.0.0/sessions/provider') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const signalled = performance.now();
    s.proc.kill('SIGTERM');
    while (!logs().some((l) => l.msg === 'shutting down') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    // Counted in log order up to the shutdown line: later lines are logins finished while draining.
    const upToShutdown = logs();
    const doneBeforeSignal = upToShutdown.slice(0, upToShutdown.findIndex((l) => l.msg === 'shutting down'))
      .filter((l) => l.msg === 'request' && l.path === '/cloudapi/1.0.0/sessions/provider').length;

    // The listener is closed: a new connection is refused while the logins are still running.
    const late = await get(s.port, '/readyz', false);
    const code = await s.exited;
    const exitMs = performance.now() - signalled;

    const results = await Promise.all(logins);
    for (const r of results) {
      expect(r.status, r.body).toBe(200);
      expect(r.token).toMatch(/\S{20,}/);
    }
    expect(code).toBe(0);
    expect(late).toBe('ECONNREFUSED');
    // Some of the logins were still in flight when SIGTERM came, and all of them completed.
    expect(doneBeforeSignal).toBeLessThan(LOGINS);
    const after = logs();
    const shutAt = after.findIndex((l) => l.msg === 'shutting down');
    expect(after.slice(shutAt).filter((l) => l.path === '/cloudapi/1.0.0/sessions/provider' && l.status === 200).length).toBeGreaterThan(0);
    expect(after.filter((l) => l.path === '/cloudapi/1.0.0/sessions/provider' && l.status === 200)).toHaveLength(LOGINS);
    // In order: HTTP drained without cutting anything, database checkpointed and closed, exit 0.
    const msgs = after.slice(shutAt).map((l) => l.msg);
    expect(msgs.filter((m) => m !== 'request')).toEqual(['shutting down', 'HTTP stopped', 'database checkpointed and closed', 'stopped']);
    expect(after.find((l) => l.msg === 'HTTP stopped')!.timedOut).toBe(false);
    // Within the in-flight bound (and so well within the pod's grace period).
    expect(exitMs).toBeLessThan(SHUTDOWN_GRACE_MS);
    // The checkpoint emptied the write-ahead log into the database file.
    const wal = join(data, 'ssvirt.db-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
  }, 60_000);
});

describe('SIGTERM with a cluster configured (production build + simulator)', () => {
  it('stops the informers and the reconciler, then closes the database and exits 0', async () => {
    const dist = await buildOnce();
    const data = tempDir('shutdown-cluster');
    mkdirSync(join(data, 'cluster'));
    const cluster = await runCluster(['--quiet', '--dir', join(data, 'cluster')], () => {});
    let s: ServerProcess | undefined;
    try {
      s = await startServer({ dist, env: { SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_KUBECONFIG: cluster!.kubeconfigPath, SSVIRT_ADMIN_PASSWORD: 'shutdown-password-1' } });
      await waitReady(s, 60_000);
      expect(((await (await fetch(`${s.url}/readyz`)).json()) as { status: string }).status).toBe('ready');
      const started = performance.now();
      expect(await s.stop()).toBe(0);
      expect(performance.now() - started).toBeLessThan(SHUTDOWN_GRACE_MS);
      const logs = s.output.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
      const msgs = logs.map((l) => l.msg);
      // In this order (other lines, e.g. from the informers while they stop, may come between).
      const steps = ['shutting down', 'HTTP stopped', 'cluster side stopped', 'database checkpointed and closed', 'stopped'];
      expect(msgs.filter((m) => steps.includes(m))).toEqual(steps);
      expect(logs.find((l) => l.msg === 'cluster side stopped')!.outcome).toBe('stopped');
    } finally {
      await s?.stop(1_000);
      await cluster?.stop();
      rmSync(dist, { recursive: true, force: true });
      rmSync(data, { recursive: true, force: true });
    }
  }, 180_000);
});
