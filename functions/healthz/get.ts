/**
 * GET /healthz — liveness: 200 `{"status":"ok"}` while the process can serve, 503 when the
 * database is unusable. No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';

export default defineRoute({ summary: 'Liveness', auth: false }, function getHealthz(c) {
  try {
    c.var.db.$client.prepare('SELECT 1').get();
  } catch {
    return c.json({ status: 'error', checks: { database: 'unusable' } }, 503);
  }
  return c.json({ status: 'ok' });
});
