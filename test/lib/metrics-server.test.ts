import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { createLog } from '#lib/log.ts';
import { startMetricsServer, type MetricsServer } from '#lib/metrics-server.ts';

const log = createLog('silent');
let running: MetricsServer[] = [];
afterEach(async () => { await Promise.all(running.map((s) => s.stop())); running = []; });

async function start(registry = new Registry()) {
  const s = await startMetricsServer({ registry, port: 0, host: '127.0.0.1', log });
  running.push(s);
  return { s, url: `http://127.0.0.1:${s.port}` };
}

describe('startMetricsServer', () => {
  it('serves the registry at GET /metrics in Prometheus text', async () => {
    const registry = new Registry();
    new Counter({ name: 'ssvirt_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const { url } = await start(registry);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toContain('ssvirt_test_total 3');
  });

  it('serves nothing else: 404 for other paths, 405 for other methods', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/cloudapi/1.0.0/orgs`)).status).toBe(404);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('rejects when the port is taken, so the start can say so', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    await expect(startMetricsServer({ registry: new Registry(), port, host: '127.0.0.1', log })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });
});
