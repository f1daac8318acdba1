/**
 * The baseline for test/bench/api.ts: a bare Hono app on @hono/node-server with one route that
 * serializes the same JSON value the VDC list answered, so the comparison isolates our own work
 * (auth, SQL, views, logging, metrics). Run as a child process: BENCH_PORT, BENCH_BODY_FILE.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const payload: unknown = JSON.parse(readFileSync(process.env.BENCH_BODY_FILE!, 'utf8'));
const app = new Hono();
app.get('/bare', (c) => c.json(payload));
const server = serve({ fetch: app.fetch, port: Number(process.env.BENCH_PORT), hostname: '127.0.0.1' }, () => {
  process.stdout.write('ready\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
