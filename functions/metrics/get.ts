/**
 * GET /metrics — Prometheus text format: process metrics, HTTP requests by route pattern, and
 * whatever else registered in the app's registry (the Kubernetes side). No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';

export default defineRoute({ summary: 'Prometheus metrics', auth: false }, async function getMetrics(c) {
  const { registry } = c.var.metrics;
  return c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
});
