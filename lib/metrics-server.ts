/**
 * Prometheus metrics on a port of their own. On the API port `/metrics` was open to anyone the
 * Route lets in (137 KB of counters and process data, no token); this listener is reached through
 * the Service's `metrics` port only (the Route targets `http`), which is where a ServiceMonitor
 * scrapes. It answers `GET /metrics` and nothing else.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Log } from './log.ts';

export interface MetricsServer {
  /** The port listened on (the actual one when 0 was asked for). */
  readonly port: number;
  stop(): Promise<void>;
}

/** Listens on `port` (0: any free port) at `host`; rejects when the port cannot be bound. */
export async function startMetricsServer(o: { registry: Registry; port: number; host: string; log: Log }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: this port serves GET /metrics only\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n');
      return;
    }
    o.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': o.registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
      (e: unknown) => {
        o.log.error({ err: e }, 'collecting metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stop: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
