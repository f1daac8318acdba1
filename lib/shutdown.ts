/**
 * Graceful shutdown (SIGTERM/SIGINT): stop accepting, let in-flight requests finish within a bound,
 * stop the cluster side (informers, reconciler), checkpoint and close SQLite. The bounds are shared
 * with the deployment: the pod's terminationGracePeriodSeconds must leave room for them
 * (test/manifests checks it).
 */
import type { Server } from 'node:http';
import { closeDb, type Db } from '#db/client.ts';
import type { Log } from './log.ts';

/** How long in-flight requests may take to finish after SIGTERM before connections are closed. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** How long stopping the cluster side may take before the database is closed anyway. */
export const CLUSTER_STOP_MS = 5_000;
/** How often idle keep-alive connections are closed while draining. */
const IDLE_SWEEP_MS = 50;

export interface ShutdownDeps {
  server: Pick<Server, 'close' | 'closeIdleConnections' | 'closeAllConnections'>;
  k8s?: { stop(): Promise<void> };
  /** Background work on the database (periodic backups), stopped before it closes. */
  background?: { stop(): Promise<void> }[];
  db: Db;
  log: Log;
  graceMs?: number;
  clusterStopMs?: number;
}

/** Runs the shutdown; resolves with the exit code (0 unless closing the database failed). */
export async function shutdown(deps: ShutdownDeps): Promise<number> {
  const { server, log } = deps;
  const graceMs = deps.graceMs ?? SHUTDOWN_GRACE_MS;
  const started = performance.now();
  // close() stops accepting and closes idle connections once; a keep-alive connection busy now
  // becomes idle when its response is sent, so keep sweeping until every connection is gone.
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  let timedOut = false;
  const force = setTimeout(() => {
    timedOut = true;
    log.warn({ graceMs }, 'in-flight requests did not finish in time; closing their connections');
    server.closeAllConnections();
  }, graceMs);
  await new Promise<void>((res) => {
    server.close(() => res());
    server.closeIdleConnections();
  });
  clearInterval(sweep);
  clearTimeout(force);
  log.info({ ms: Math.round(performance.now() - started), timedOut }, 'HTTP stopped');

  if (deps.background?.length) {
    await Promise.all(deps.background.map((b) => b.stop().catch((e: unknown) => log.warn({ err: e }, 'stopping background work failed'))));
    log.info('background work stopped');
  }

  if (deps.k8s) {
    const ms = deps.clusterStopMs ?? CLUSTER_STOP_MS;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      deps.k8s.stop().then(() => 'stopped', (e: unknown) => { log.warn({ err: e }, 'stopping the cluster side failed'); return 'failed'; }),
      new Promise<string>((res) => { timer = setTimeout(() => res('timed out'), ms); }),
    ]);
    clearTimeout(timer);
    log.info({ outcome }, 'cluster side stopped');
  }

  try {
    closeDb(deps.db);
    log.info('database checkpointed and closed');
    return 0;
  } catch (e) {
    log.error({ err: e }, 'closing the database failed');
    return 1;
  }
}
