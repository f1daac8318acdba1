/**
 * Readiness shared by `/readyz` and `/api/v1/health`: the database must answer; a missing or
 * unreachable cluster only degrades the answer (the API still serves everything SQLite holds).
 */
import type { Db } from '#db/client.ts';
import type { Context } from 'hono';
import type { Cluster, ClusterHealth } from '#lib/k8s/cluster.ts';
import type { AppEnv } from '#lib/http/env.ts';
import { envelope } from '#lib/http/errors.ts';

export interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: { database: 'ok' | 'unusable'; kubernetes: ClusterHealth['kubernetes']; informers: ClusterHealth['informers'] };
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

/** The readiness report; `unavailable` only when the database cannot serve. */
export function readiness(db: Db, k8s: Cluster | undefined): Readiness {
  const database = databaseUsable(db) ? 'ok' : 'unusable';
  const cluster: ClusterHealth = k8s ? clusterHealth(k8s) : { kubernetes: 'not-configured', informers: 'synced' };
  const status = database !== 'ok' ? 'unavailable'
    : cluster.kubernetes === 'ok' && cluster.informers === 'synced' ? 'ready' : 'degraded';
  return { status, checks: { database, ...cluster } };
}

/** The answer of a readiness endpoint: 200 when it can serve, else 503 with the error envelope. */
export function readinessResponse(c: Context<AppEnv>): Response {
  const r = readiness(c.var.db, c.var.k8s);
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
