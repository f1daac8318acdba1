/**
 * Readiness shared by `/readyz` and `/api/v1/health`: the database must answer and take writes
 * (lib/write-probe.ts); a missing or unreachable cluster only degrades the answer (the API still
 * serves everything SQLite holds).
 */
import type { Db } from '#db/client.ts';
import type { Context } from 'hono';
import type { Cluster, ClusterHealth } from '#lib/k8s/cluster.ts';
import type { AppEnv } from '#lib/http/env.ts';
import { envelope } from '#lib/http/errors.ts';
import type { WriteProbe } from './write-probe.ts';

export interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: { database: 'ok' | 'unusable' | 'not-writable'; databaseProblem?: string; kubernetes: ClusterHealth['kubernetes']; informers: ClusterHealth['informers'] };
}

/** Whether the database answers a trivial query. */
export function databaseUsable(db: Db): boolean {
  try {
    db.$client.prepare('SELECT 1').get();
    return true;
  } catch {
    return false;
  }
}

/** The readiness report; `unavailable` only when the database cannot serve or be written. */
export function readiness(db: Db, k8s: Cluster | undefined, writes?: WriteProbe): Readiness {
  const write = writes?.state();
  const database = !databaseUsable(db) ? 'unusable' : write && !write.ok ? 'not-writable' : 'ok';
  const cluster: ClusterHealth = k8s ? clusterHealth(k8s) : { kubernetes: 'not-configured', informers: 'synced' };
  const status = database !== 'ok' ? 'unavailable'
    : cluster.kubernetes === 'ok' && cluster.informers === 'synced' ? 'ready' : 'degraded';
  const problem = write && !write.ok ? { databaseProblem: write.reason } : {};
  return { status, checks: { database, ...problem, ...cluster } };
}

/** The answer of a readiness endpoint: 200 when it can serve, else 503 with the error envelope. */
export function readinessResponse(c: Context<AppEnv>): Response {
  const r = readiness(c.var.db, c.var.k8s, c.var.writeProbe);
  if (r.checks.database === 'not-writable') {
    return c.json({ ...envelope(503, 'DATABASE_UNAVAILABLE', `The database cannot be written: ${r.checks.databaseProblem}`), ...r }, 503);
  }
  if (r.status === 'unavailable') {
    return c.json({ ...envelope(503, 'INTERNAL_SERVER_ERROR', 'The database is unusable'), ...r }, 503);
  }
  return c.json(r);
}

function clusterHealth(k8s: Cluster): ClusterHealth {
  try {
    return k8s.health();
  } catch {
    // A probe must answer even when the cluster side is broken; the cause is for the log, not here.
    return { kubernetes: 'unreachable: health check failed', informers: 'syncing' };
  }
}
