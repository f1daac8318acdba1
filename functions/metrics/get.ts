/**
 * GET /metrics on the API port. Metrics are served on their own port (SSVIRT_METRICS_PORT, see
 * lib/metrics-server.ts), which the Route does not expose. Here they answer only a single-port
 * install that set SSVIRT_METRICS_TOKEN, to `Authorization: Bearer <that token>`; otherwise 404
 * saying where they are. No session is involved.
 */
import { timingSafeEqual } from 'node:crypto';
import { defineRoute } from '#lib/http/route.ts';
import { ApiError } from '#lib/http/errors.ts';

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default defineRoute({ summary: 'Prometheus metrics (with SSVIRT_METRICS_TOKEN; else on the metrics port)', auth: false }, async function getMetrics(c) {
  const { metricsToken, metricsPort } = c.var.config;
  if (!metricsToken) {
    throw new ApiError(404, 'RESOURCE_NOT_FOUND', metricsPort
      ? `Metrics are served on port ${metricsPort} (SSVIRT_METRICS_PORT), not on the API port`
      : 'Metrics are off: set SSVIRT_METRICS_PORT, or SSVIRT_METRICS_TOKEN to serve them here');
  }
  const header = c.req.header('authorization') ?? '';
  const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? '';
  if (!sameToken(token, metricsToken)) {
    throw new ApiError(401, 'UNAUTHORIZED', 'Metrics need Authorization: Bearer <SSVIRT_METRICS_TOKEN>', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
  }
  const { registry } = c.var.metrics;
  return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
});
