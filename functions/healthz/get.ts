/**
 * GET /healthz — liveness: 200 `{"status":"ok"}` while the process can serve; 503
 * INTERNAL_SERVER_ERROR envelope (with `status: "error"`) when the database is unusable.
 * No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { envelope } from '#lib/http/errors.ts';
import { databaseUsable } from '#lib/health.ts';

export default defineRoute({ summary: 'Liveness', auth: false }, function getHealthz(c) {
  if (!databaseUsable(c.var.db)) {
    return c.json({ ...envelope(503, 'INTERNAL_SERVER_ERROR', 'The database is unusable'), status: 'error', checks: { database: 'unusable' } }, 503);
  }
  return c.json({ status: 'ok' });
});
