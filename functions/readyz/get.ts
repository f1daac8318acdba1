/**
 * GET /readyz — readiness: 200 `{status: "ready"|"degraded", checks}` (degraded without a usable
 * cluster); 503 INTERNAL_SERVER_ERROR envelope with the checks when the database is unusable.
 * No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { readinessResponse } from '#lib/health.ts';

export default defineRoute({ summary: 'Readiness', auth: false }, function getReadyz(c) {
  return readinessResponse(c);
});
