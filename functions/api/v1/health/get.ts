/**
 * GET /api/v1/health — the SSVirt UI's health check; the same answer as GET /readyz:
 * 200 `{status: "ready"|"degraded", checks}`, 503 when the database is unusable. No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { readinessResponse } from '#lib/health.ts';

export default defineRoute({ summary: 'Health', auth: false }, function getHealth(c) {
  return readinessResponse(c);
});
